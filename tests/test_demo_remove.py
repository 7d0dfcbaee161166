"""`waypoint demo --remove` (issue 16): the demo's accounts can no longer sign in or call the
API, its tokens are gone, its sites leave the public locator, the demo's records stay with
their audit trail intact, and the removal is itself an audit event."""

from __future__ import annotations

import pytest

from waypoint.audit.models import AuditEvent
from waypoint.audit.services import verify
from waypoint.core import services as core_services
from waypoint.core.models import ApiToken, Organization, Site, User
from waypoint.core.startup import start_refusals
from waypoint.demo import demo_logins, load_demo, remove_demo
from waypoint.directory.models import Facility
from waypoint.patients.models import Patient


@pytest.mark.django_db
def test_demo_remove_closes_the_demo(client, settings, tmp_path):
    settings.SHARED_DATA_DIR = tmp_path  # no national directory: a small, quick demo
    logins = load_demo(patients=3, seed=5)
    org = Organization.objects.get(is_demo=True)
    assert {u for u, _role, _pw in logins} == set(
        User.objects.filter(organization=org, is_active=True).values_list("username", flat=True)
    )
    nurse = User.objects.get(username="demo_nurse")
    token = core_services.token_create(nurse)
    assert client.post("/login/", {"username": "demo_nurse", "password": "nurse-demo-2026"})[
        "Location"
    ].endswith("/")
    assert client.get("/").status_code == 200
    assert Facility.objects.filter(site__organization=org, active=True).exists()
    assert start_refusals("0.0.0.0", debug=False, https=False)
    patients = Patient.objects.filter(organization=org).count()

    removed = remove_demo()

    assert removed.organizations == [org.name]
    assert set(removed.accounts) == {u for u, _r, _p in logins} and removed.tokens == 1
    assert not User.objects.filter(organization=org, is_active=True).exists()
    assert not any(u.has_usable_password() for u in User.objects.filter(organization=org))
    assert not ApiToken.objects.filter(user__organization=org).exists()
    # the signed-in demo session ends at its next request; the token no longer works
    assert client.get("/").status_code == 302
    r = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 401
    r = client.post("/login/", {"username": "demo_nurse", "password": "nurse-demo-2026"})
    assert r.status_code == 200 and client.get("/").status_code == 302
    # out of the public locator; its sites closed; its records and chain kept
    assert not Facility.objects.filter(site__organization=org, active=True).exists()
    assert not Site.objects.filter(organization=org, active=True).exists()
    assert Patient.objects.filter(organization=org).count() == patients
    event = AuditEvent.objects.get(organization=org, action="demo_remove")
    assert event.channel == "cli" and "demo_nurse" in event.detail["accounts"]
    assert verify().ok
    # nothing left to refuse a production start for; `make run` prints no logins
    assert start_refusals("0.0.0.0", debug=False, https=True) == []
    assert demo_logins() == []
    # twice is harmless
    assert remove_demo().accounts == []
