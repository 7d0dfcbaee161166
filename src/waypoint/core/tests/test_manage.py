"""The administration pages: staff accounts and sites, admin only, every change audited,
the same rules (and refusal codes) as the command line, confirmations before deactivating."""

from __future__ import annotations

import pytest
from conftest import PASSWORD
from django.test import Client

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Another-Long-Passphrase-42"


def client_for(user) -> Client:
    c = Client()
    c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


def events(action: str, object_type: str):
    from waypoint.audit.models import AuditEvent

    return list(AuditEvent.objects.filter(action=action, object_type=object_type))


@pytest.mark.parametrize(
    "role", ["physician", "nurse", "counselor", "intake", "incentives", "auditor"]
)
def test_only_the_admin_reaches_the_pages(users, site, role):
    c = client_for(users[role])
    for url in (
        "/manage/",
        "/manage/staff/",
        f"/manage/staff/{users['nurse'].pk}/",
        "/manage/sites/",
    ):
        assert c.get(url).status_code == 403
    r = c.post(
        "/manage/staff/",
        {"username": "x", "role": "admin", "site": site.pk, "password": NEW_PASSWORD},
    )
    assert r.status_code == 403
    from waypoint.core.models import User

    assert not User.objects.filter(username="x").exists()


def test_admin_creates_an_account_audited_without_the_password(users, site):
    from waypoint.core.models import User

    c = client_for(users["admin"])
    r = c.post(
        "/manage/staff/",
        {
            "username": "m.rivera",
            "role": "nurse",
            "site": site.pk,
            "password": NEW_PASSWORD,
            "first_name": "Marta",
            "last_name": "Rivera",
        },
    )
    assert r.status_code == 302 and r["Location"].endswith("#status-staff-list")
    u = User.objects.get(username="m.rivera")
    assert u.role == "nurse" and u.site == site and u.organization_id == site.organization_id
    assert u.check_password(NEW_PASSWORD)
    (ev,) = events("create", "user")
    assert ev.object_id == str(u.pk) and ev.detail == {
        "username": "m.rivera",
        "role": "nurse",
        "site": "KC",
    }
    assert NEW_PASSWORD not in str(ev.detail)
    page = c.get(r["Location"].split("#")[0]).content.decode()
    assert "Account m.rivera created" in page


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"username": "t_nurse"}, "already exists"),
        ({"password": "short"}, "too short"),
        ({"role": "superuser"}, "Unknown role"),
        ({"username": "bad name!"}, "A username is"),
        ({"site": "999999"}, "Choose one of the organization"),
    ],
)
def test_a_refused_account_keeps_the_form_and_says_why(users, site, fields, words):
    from waypoint.core.models import User

    before = User.objects.count()
    c = client_for(users["admin"])
    data = {
        "username": "newbie",
        "role": "counselor",
        "site": site.pk,
        "password": NEW_PASSWORD,
        "first_name": "Kept",
    } | fields
    r = c.post("/manage/staff/", data)
    assert r.status_code in (409, 422)
    page = r.content.decode()
    assert words in page and 'value="Kept"' in page
    assert NEW_PASSWORD not in page
    assert User.objects.count() == before
    assert events("create", "user") == []


def test_another_organizations_account_is_not_found(users, other_org):
    from waypoint.core import services

    other_site = services.site_create(other_org, "OT", "Other", "America/Chicago")
    stranger = services.user_create("stranger", "nurse", other_site, PASSWORD, check_password=False)
    c = client_for(users["admin"])
    assert c.get(f"/manage/staff/{stranger.pk}/").status_code == 404
    r = c.post(f"/manage/staff/{stranger.pk}/", {"op": "deactivate", "reason": "x", "confirm": "1"})
    assert r.status_code == 404
    stranger.refresh_from_db()
    assert stranger.is_active


def test_role_and_site_change_audited_with_before_and_after(users, site, site2):
    c = client_for(users["admin"])
    nurse = users["nurse"]
    r = c.post(
        f"/manage/staff/{nurse.pk}/",
        {
            "op": "update",
            "role": "physician",
            "site": site2.pk,
            "first_name": "Ana",
            "last_name": "Diaz",
        },
    )
    assert r.status_code == 302
    nurse.refresh_from_db()
    assert (nurse.role, nurse.site_id) == ("physician", site2.pk)
    (ev,) = events("update", "user")
    assert ev.detail["role"] == {"from": "nurse", "to": "physician"}
    assert ev.detail["site"] == {"from": site.pk, "to": site2.pk}


def test_an_admin_cannot_change_their_own_role_or_deactivate_themselves(users):
    from waypoint.core.models import User

    admin = users["admin"]
    c = client_for(admin)
    r = c.post(
        f"/manage/staff/{admin.pk}/", {"op": "update", "role": "nurse", "site": admin.site_id}
    )
    assert r.status_code == 409 and "your own role" in r.content.decode()
    r = c.post(f"/manage/staff/{admin.pk}/", {"op": "deactivate", "reason": "bye", "confirm": "1"})
    assert r.status_code == 409
    assert User.objects.get(pk=admin.pk).role == "admin" and User.objects.get(pk=admin.pk).is_active


def test_deactivation_asks_first_then_ends_sessions_and_tokens(users, tokens):
    from waypoint.core.models import ApiToken

    nurse = users["nurse"]
    nurse_browser = client_for(nurse)
    assert nurse_browser.get("/").status_code == 200
    c = client_for(users["admin"])
    url = f"/manage/staff/{nurse.pk}/"
    # no reason: refused, nothing changes
    r = c.post(url, {"op": "deactivate", "reason": ""})
    assert r.status_code == 422 and "Say why" in r.content.decode()
    # a reason: the confirmation page first, nothing changed yet
    r = c.post(url, {"op": "deactivate", "reason": "left the program"})
    assert r.status_code == 200 and "Deactivate the account" in r.content.decode()
    nurse.refresh_from_db()
    assert nurse.is_active
    r = c.post(url, {"op": "deactivate", "reason": "left the program", "confirm": "1"})
    assert r.status_code == 302
    nurse.refresh_from_db()
    assert not nurse.is_active
    assert not ApiToken.objects.filter(user=nurse, revoked_at__isnull=True).exists()
    assert nurse_browser.get("/").status_code == 302  # signed out
    (ev,) = events("deactivate", "user")
    assert ev.detail["reason"] == "left the program" and ev.detail["tokens_revoked"] == 1
    r = c.post(url, {"op": "reactivate"})
    nurse.refresh_from_db()
    assert nurse.is_active and len(events("reactivate", "user")) == 1


def test_password_reset_signs_out_and_unlocks(users, settings):
    from axes.models import AccessAttempt

    nurse = users["nurse"]
    nurse_browser = client_for(nurse)  # (a sign-in clears failures: the lockout comes after)
    AccessAttempt.objects.create(
        username=nurse.username,
        failures_since_start=9,
        ip_address="127.0.0.1",
        user_agent="x",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/login/",
    )
    c = client_for(users["admin"])
    assert "locked out" in c.get(f"/manage/staff/{nurse.pk}/").content.decode()
    r = c.post(
        f"/manage/staff/{nurse.pk}/",
        {"op": "password", "password": NEW_PASSWORD, "password2": "different-one-9999"},
    )
    assert r.status_code == 422 and "differ" in r.content.decode()
    r = c.post(
        f"/manage/staff/{nurse.pk}/",
        {"op": "password", "password": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert r.status_code == 302
    nurse.refresh_from_db()
    assert nurse.check_password(NEW_PASSWORD)
    assert not AccessAttempt.objects.filter(username=nurse.username).exists()
    assert nurse_browser.get("/").status_code == 302
    (ev,) = events("password_reset", "user")
    assert NEW_PASSWORD not in str(ev.detail)


def test_sites_created_and_closed_with_a_confirmation(users, site, site2):
    from waypoint.core.models import Site

    c = client_for(users["admin"])
    r = c.post("/manage/sites/", {"code": "NWK", "name": "Newark", "timezone": "America/New_York"})
    assert r.status_code == 302
    new = Site.objects.get(code="NWK")
    assert len(events("create", "site")) == 1
    r = c.post("/manage/sites/", {"code": "NWK", "name": "Again", "timezone": "America/New_York"})
    assert r.status_code == 409 and "already exists" in r.content.decode()
    r = c.post("/manage/sites/", {"code": "ZZ", "name": "Z", "timezone": "Mars/Olympus"})
    assert r.status_code == 422 and "IANA" in r.content.decode()
    url = f"/manage/sites/{new.pk}/"
    data = {"name": "Newark Clinic", "timezone": "America/New_York", "active": "0"}
    r = c.post(url, data)
    assert r.status_code == 200 and "Close the site" in r.content.decode()
    assert Site.objects.get(pk=new.pk).active
    r = c.post(url, data | {"confirm": "1"})
    assert r.status_code == 302
    new.refresh_from_db()
    assert not new.active and new.name == "Newark Clinic"
    (ev,) = events("update", "site")
    assert ev.detail["active"] == {"from": True, "to": False}
    # the admin's own home site cannot be closed
    r = c.post(
        f"/manage/sites/{site.pk}/",
        {"name": site.name, "timezone": site.timezone, "active": "0", "confirm": "1"},
    )
    assert r.status_code == 409
