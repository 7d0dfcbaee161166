"""Going to production (issue 16), in process: what a server start refuses
(core/startup.py), where ``site create`` puts a site (never the demo organization), the
demo banner on every staff page, the allowed hosts and the content security policy."""

from __future__ import annotations

import pytest

from waypoint.core import services
from waypoint.core.errors import DomainError
from waypoint.core.models import Organization
from waypoint.core.startup import demo_accounts, is_loopback, is_production, start_refusals


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.0.0.53", "::1", "[::1]", "localhost", "LOCALHOST", " 127.0.0.1 "]
)
def test_loopback_binds(host):
    assert is_loopback(host)
    assert not is_production(host, https=False)
    assert is_production(host, https=True)


@pytest.mark.parametrize(
    "host", ["0.0.0.0", "::", "[::]", "192.0.2.10", "10.0.0.1", "clinic.example.org", "", "0"]
)
def test_other_binds_are_not_loopback(host):
    assert not is_loopback(host)
    assert is_production(host, https=False)


def _demo(name: str = "Riverside Recovery (demo)") -> Organization:
    return Organization.objects.create(name=name, slug="demo", is_demo=True)


@pytest.mark.django_db
def test_start_refusals():
    # nothing to refuse: loopback, or production without a demo
    assert start_refusals("127.0.0.1", debug=False, https=False) == []
    assert start_refusals("127.0.0.1", debug=True, https=False) == []
    assert start_refusals("0.0.0.0", debug=False, https=True) == []
    # debug mode off loopback
    [problem] = start_refusals("0.0.0.0", debug=True, https=False)
    assert problem.code == "debug_not_loopback" and "0.0.0.0" in problem.message
    # the demo's accounts: a production start is refused, an evaluation on loopback is not
    org = _demo()
    site = services.site_create(org, "RIV", "Riverside", "America/Chicago")
    user = services.user_create(
        "demo_nurse", "nurse", site, "nurse-demo-2026", check_password=False
    )
    assert demo_accounts() == ["demo_nurse"]
    assert start_refusals("127.0.0.1", debug=False, https=False) == []
    for host, https in (("0.0.0.0", False), ("127.0.0.1", True), ("192.0.2.10", True)):
        [problem] = start_refusals(host, debug=False, https=https)
        assert problem.code == "demo_accounts_present" and "demo_nurse" in problem.message
    codes = [p.code for p in start_refusals("0.0.0.0", debug=True, https=False)]
    assert codes == ["debug_not_loopback", "demo_accounts_present"]
    # closed accounts (`waypoint demo --remove`) no longer count
    user.is_active = False
    user.save()
    assert demo_accounts() == [] and start_refusals("0.0.0.0", debug=False, https=True) == []


@pytest.mark.django_db
def test_a_new_site_never_joins_the_demo_organization():
    # an empty database: the organization is created, as before
    assert services.organization_for_new_site().name == "Waypoint Clinic"
    Organization.objects.all().delete()
    # the demo alone: refused, naming --org
    demo = _demo()
    with pytest.raises(DomainError) as refused:
        services.organization_for_new_site()
    assert refused.value.code == "demo_organization" and "--org" in refused.value.message
    with pytest.raises(DomainError) as refused:
        services.organization_for_new_site(demo.name)
    assert refused.value.code == "demo_organization"
    assert list(Organization.objects.all()) == [demo]
    # a real organization named: created; then it is the one without --org
    real = services.organization_for_new_site("Acme Recovery")
    assert not real.is_demo and services.organization_for_new_site() == real
    # two real ones: name one
    services.organization_for_new_site("Second Program")
    with pytest.raises(DomainError) as refused:
        services.organization_for_new_site()
    assert refused.value.code == "organization_required"


@pytest.mark.django_db
def test_every_staff_page_of_the_demo_says_it_is_the_demo(client, users, org):
    client.force_login(users["nurse"])
    for path in ("/", "/patients/"):
        assert 'id="demo-banner"' not in client.get(path).content.decode()
    org.is_demo = True
    org.save()
    for path in ("/", "/patients/", "/dosing/"):
        html = client.get(path).content.decode()
        assert 'id="demo-banner"' in html, path
        assert "synthetic patients" in html and "waypoint demo --remove" in html
    # public pages are not staff pages: no banner, no query of who is signed in
    client.logout()
    assert 'id="demo-banner"' not in client.get("/login/").content.decode()


@pytest.mark.django_db
def test_an_unknown_host_is_refused(client, settings):
    assert "*" not in settings.ALLOWED_HOSTS
    assert {"localhost", "127.0.0.1", "[::1]"} <= set(settings.ALLOWED_HOSTS)
    assert client.get("/api/v1/health").status_code == 200  # the test client's host
    assert client.get("/api/v1/health", HTTP_HOST="127.0.0.1:8000").status_code == 200
    assert client.get("/api/v1/health", HTTP_HOST="evil.example").status_code == 400


def _script_src(resp) -> list[str]:
    for directive in resp["Content-Security-Policy"].split(";"):
        parts = directive.split()
        if parts and parts[0] == "script-src":
            return parts[1:]
    raise AssertionError(resp["Content-Security-Policy"])


@pytest.mark.django_db
def test_scripts_run_only_from_files_except_on_the_api_docs(client, users):
    client.force_login(users["nurse"])
    for path in ("/", "/patients/", "/login/", "/self-check/", "/api/v1/health"):
        assert _script_src(client.get(path)) == ["'self'"], path
    assert _script_src(client.get("/api/v1/docs")) == ["'self'", "'unsafe-inline'"]


def test_no_template_has_an_inline_script_or_event_handler():
    import re
    from pathlib import Path

    import waypoint

    root = Path(waypoint.__file__).parent
    found = []
    for path in root.rglob("templates/**/*.html"):
        text = path.read_text()
        for m in re.finditer(r"<script\b[^>]*>", text):
            if "src=" not in m.group(0) and "application/json" not in m.group(0):
                found.append(f"{path.name}: {m.group(0)}")
        found += [f"{path.name}: {h}" for h in re.findall(r"<[^>]*\son[a-z]+\s*=", text)]
        found += [f"{path.name}: javascript: URL" for _ in re.findall(r"javascript:", text)]
    assert not found, found
