"""The staff home page draws the panels the apps register (that they are registered by the
apps' ``AppConfig.ready()``, not by importing a module: test_hooks.py)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def _home(client, user) -> str:
    client.force_login(user)
    resp = client.get("/")
    assert resp.status_code == 200
    return resp.content.decode()


def test_a_role_that_finds_patients_sees_the_search_and_no_list_of_everyone(
    client, users, make_patient, site
):
    """Review M1: the home no longer lists every patient whose record was touched today;
    the search stays, first on the page."""
    patient = make_patient(first="Ana", last="Reyes")
    html = _home(client, users["nurse"])
    assert 'action="/patients/"' in html and "Find</button>" in html
    assert "Patients seen today" not in html
    assert f"/patients/{patient.pk}/" not in html  # no order, no dose: not the nurse's work
    assert "Register a patient" not in html  # a nurse does not register
    assert "Review who opened or changed" not in html
    assert html.index('role="search"') < html.index('id="home-window"')


def test_a_role_that_registers_patients_gets_the_link(client, users):
    html = _home(client, users["intake"])
    assert '<a class="button" href="/patients/new/">Register a patient</a>' in html


def test_each_role_sees_its_own_work_and_not_anothers(client, users):
    panels = {
        "nurse": 'id="home-window"',
        "physician": 'id="home-orders"',
        "counselor": 'id="home-caseload"',
        "intake": 'id="home-walk-ins"',
        "incentives": 'id="home-incentives"',
        "admin": 'id="home-program"',
    }
    for role, mine in panels.items():
        client.logout()
        html = _home(client, users[role])
        assert mine in html, role
        for other, theirs in panels.items():
            if other != role:
                assert theirs not in html, (role, other)
    client.logout()
    html = _home(client, users["auditor"])
    assert not any(p in html for p in panels.values())


def test_a_role_panel_needs_its_permission_too(client, users, monkeypatch):
    """The roles keep a home to its work; the permission still decides: a nurse whose role
    lost ``dose.administer`` sees no window."""
    from waypoint.core import actor as actor_module

    real = actor_module.allowed
    monkeypatch.setattr(
        actor_module,
        "allowed",
        lambda role, action: action != "dose.administer" and real(role, action),
    )
    html = _home(client, users["nurse"])
    assert 'id="home-window"' not in html


def test_without_a_home_site_the_site_panels_show_nothing(client, users, make_patient):
    make_patient()
    for role in ("nurse", "counselor", "intake", "incentives", "physician"):
        users[role].site = None
        users[role].save()
        client.logout()
        html = _home(client, users[role])
        assert 'class="card home-work"' not in html, role


def test_the_auditor_sees_the_audit_link_and_no_patient_panel(client, users):
    html = _home(client, users["auditor"])
    assert "Review who opened or changed patients' records." in html
    assert "Find a patient" not in html and "Patients seen today" not in html


def test_the_audit_trail_filter_needs_a_patient_of_the_organization(api, make_patient):
    mine = make_patient()
    status, body = api.get(f"/audit-events?patient={mine.pk}", "auditor")
    assert status == 200 and body["total"] >= 1
    status, body = api.get(f"/audit-events?patient={mine.pk + 1000}", "auditor")
    assert (status, body["code"]) == (404, "not_found")
