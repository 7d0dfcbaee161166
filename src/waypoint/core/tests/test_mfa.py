"""The second sign-in factor, lockout by username and by address, the sign-in throttle,
the absolute session lifetime, API token expiry and last use, the tokens page and the stock
witness's re-authentication (issue 16; docs/SIGN-IN.md).

These tests sign in through the real steps (``client.post("/login/")`` then
``/login/verify/``), never through the shared ``force_login`` helper."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from conftest import PASSWORD, second_factor_device, sign_in, totp_code
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from waypoint.audit.models import AuditEvent
from waypoint.core import mfa, services
from waypoint.core.models import ApiToken

pytestmark = pytest.mark.django_db


def password_step(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def signed_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def verified(client: Client) -> bool:
    return "otp_device_id" in client.session


def enrolled_admin(users) -> TOTPDevice:
    return second_factor_device(users["admin"])


# --- two steps ------------------------------------------------------------------------------
def test_an_enrolled_user_signs_in_with_password_then_code(client, users):
    device = enrolled_admin(users)
    r = password_step(client, "t_admin")
    assert r.status_code == 302
    # the password alone opens nothing but the code step
    r = client.get("/patients/")
    assert r.status_code == 302 and r["Location"].startswith("/login/verify/?next=")
    assert client.get("/manage/").status_code == 302
    page = client.get("/login/verify/?next=/manage/")
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.content.decode()
    r = client.post("/login/verify/", {"code": totp_code(device), "next": "/manage/"})
    assert r.status_code == 302 and r["Location"] == "/manage/"
    assert verified(client) and client.get("/manage/").status_code == 200
    ev = AuditEvent.objects.filter(action="sign_in_verified").latest("seq")
    assert ev.actor_username == "t_admin" and ev.detail["method"] == "totp"
    assert AuditEvent.objects.filter(action="sign_in").latest("seq").detail == {
        "second_factor": "pending"
    }


def test_a_wrong_code_is_refused_and_counts_toward_the_lockout(client, users, settings):
    device = enrolled_admin(users)
    assert settings.AXES_FAILURE_LIMIT == 5
    password_step(client, "t_admin")
    r = client.post("/login/verify/", {"code": "000000"})
    assert r.status_code == 401 and not verified(client)
    assert "That code is not right" in r.content.decode()
    failed = AuditEvent.objects.filter(action="sign_in_failed").latest("seq")
    assert failed.detail["username"] == "t_admin" and failed.detail["second_factor"] == "totp"
    # A known password does not clear the count: guessing codes still ends in a lockout.
    for _ in range(3):
        password_step(client, "t_admin")
        client.post("/login/verify/", {"code": "000000"})
    password_step(client, "t_admin")
    r = client.post("/login/verify/", {"code": "111111"})
    assert r.status_code == 429 and "locked" in r.content.decode().lower()
    assert signed_in_as(client) is None  # signed out at the lockout
    # locked: the right password and the right code do not get in
    r = password_step(client, "t_admin")
    assert r.status_code in (403, 429) and signed_in_as(client) is None
    assert client.post("/login/verify/", {"code": totp_code(device)}).status_code == 302
    assert not verified(client)


def test_a_malformed_code_is_refused_in_words(client, users):
    enrolled_admin(users)
    password_step(client, "t_admin")
    r = client.post("/login/verify/", {"code": "abc"})
    assert r.status_code == 401
    assert "Enter the 6-digit code" in r.content.decode()


# --- enrolment ------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["admin", "physician", "auditor", "privacy_officer"])
def test_a_required_role_without_a_device_is_sent_to_enrol_and_reaches_nothing_else(
    client, users, role
):
    r = password_step(client, f"t_{role}")
    assert r.status_code == 302
    for path in ("/", "/patients/", "/audit/", "/account/", "/login/verify/"):
        r = client.get(path)
        assert r.status_code == 302 and r["Location"] == "/account/second-factor/", path
    page = client.get("/account/second-factor/")
    text = page.content.decode()
    assert page.status_code == 200 and "<svg" in text and 'id="secret"' in text
    assert 'id="main-menu"' not in text  # no menu to pages it cannot reach
    device = TOTPDevice.objects.get(user=users[role], confirmed=False)
    # the key in text is the device's key
    secret = re.search(r'id="secret">([A-Z2-7 ]+)<', text).group(1)
    assert secret == mfa.secret_text(device)
    r = client.post("/account/second-factor/", {"code": "123"})
    assert r.status_code == 422 and "Enter the 6-digit code" in r.content.decode()
    assert not mfa.enrolled(users[role])
    r = client.post("/account/second-factor/", {"code": totp_code(device)})
    assert r.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9-]{11})</code></li>", r.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert mfa.enrolled(users[role]) and verified(client)
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="second_factor_enrol", object_id=str(users[role].pk))


def test_an_optional_role_signs_in_with_the_password_and_may_enrol(client, users):
    r = password_step(client, "t_nurse")
    assert r.status_code == 302 and client.get("/").status_code == 200
    page = client.get("/account/").content.decode()
    assert "optional for your role" in page and 'id="set-up-second-factor"' in page
    assert client.get("/account/second-factor/").status_code == 200
    device = TOTPDevice.objects.get(user=users["nurse"], confirmed=False)
    client.post("/account/second-factor/", {"code": totp_code(device)})
    assert mfa.enrolled(users["nurse"])
    # from now on the nurse signs in with two steps too
    c = Client()
    password_step(c, "t_nurse")
    assert c.get("/").status_code == 302


# --- recovery codes -------------------------------------------------------------------------
def test_a_recovery_code_works_once(client, users):
    device = enrolled_admin(users)
    actor = services.system_actor(users["admin"].organization_id, "html")
    actor = type(actor)(user=users["admin"], channel="html")
    codes = mfa.recovery_codes_renew(actor)
    password_step(client, "t_admin")
    r = client.post("/login/verify/", {"code": codes[0].upper().replace("-", " ")})
    assert r.status_code == 302 and verified(client)
    ev = AuditEvent.objects.filter(action="sign_in_verified").latest("seq")
    assert ev.detail == {"method": "recovery_code", "recovery_codes_left": 9}
    client.logout()
    c = Client()
    password_step(c, "t_admin")
    r = c.post("/login/verify/", {"code": codes[0]})
    assert r.status_code == 401 and not verified(c)
    assert "already used" in r.content.decode()
    assert StaticToken.objects.filter(device__user=users["admin"]).count() == 9
    assert device.pk  # the authenticator still works beside them


def test_new_recovery_codes_replace_the_old_ones(client, users):
    c = Client()
    sign_in(c, "t_admin")
    old = list(
        StaticToken.objects.filter(device__user=users["admin"]).values_list("token", flat=True)
    )
    r = c.post("/account/", {"op": "recovery"})
    new = re.findall(r"<li><code>([a-z0-9-]{11})</code></li>", r.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert AuditEvent.objects.filter(action="recovery_codes_renew").exists()


# --- an admin's reset -----------------------------------------------------------------------
def test_an_admin_resets_a_second_factor_audited_and_the_person_enrols_again(client, users):
    second_factor_device(users["physician"])
    doc = Client()
    sign_in(doc, "t_physician")
    assert doc.get("/").status_code == 200
    admin = Client()
    sign_in(admin, "t_admin")
    url = f"/manage/staff/{users['physician'].pk}/"
    assert 'id="second-factor-reset"' in admin.get(url).content.decode()
    r = admin.post(url, {"op": "second_factor_reset"})
    assert r.status_code == 200 and "Reset the second factor" in r.content.decode()
    assert mfa.enrolled(users["physician"])  # asked first, nothing done yet
    r = admin.post(url, {"op": "second_factor_reset", "confirm": "1"})
    assert r.status_code == 302
    assert not TOTPDevice.objects.filter(user=users["physician"]).exists()
    ev = AuditEvent.objects.filter(action="second_factor_reset").latest("seq")
    assert ev.actor_username == "t_admin" and ev.detail["username"] == "t_physician"
    # signed out everywhere; the next sign-in leads to the set-up page
    assert doc.get("/").status_code == 302
    c = Client()
    password_step(c, "t_physician")
    assert c.get("/")["Location"] == "/account/second-factor/"


def test_only_an_admin_resets_a_second_factor(users):
    actor = type(services.system_actor(users["nurse"].organization_id))(user=users["nurse"])
    from waypoint.core.errors import PermissionDenied

    second_factor_device(users["physician"])
    with pytest.raises(PermissionDenied):
        mfa.second_factor_reset(actor, users["physician"].pk)
    assert mfa.enrolled(users["physician"])


# --- lockout by address, throttle -----------------------------------------------------------
def test_lockout_by_address_across_usernames(client, users, settings):
    settings.WAYPOINT_LOGIN_ADDRESS_FAILURE_LIMIT = 8
    for i in range(8):
        password_step(client, f"someone-{i}", "wrong", REMOTE_ADDR="10.9.8.7")
    # no username failed more than once, yet the address is locked, for any account
    r = password_step(client, "t_counselor", REMOTE_ADDR="10.9.8.7")
    assert r.status_code in (403, 429) and signed_in_as(client) is None
    # another address is not
    r = password_step(client, "t_counselor", REMOTE_ADDR="10.9.8.8")
    assert r.status_code == 302 and signed_in_as(client)


def test_the_address_limit_is_its_own(client, users, settings):
    settings.WAYPOINT_LOGIN_ADDRESS_FAILURE_LIMIT = 8
    for i in range(7):
        password_step(client, f"someone-{i}", "wrong", REMOTE_ADDR="10.9.8.7")
    r = password_step(client, "t_counselor", REMOTE_ADDR="10.9.8.7")
    assert r.status_code == 302 and signed_in_as(client)


def test_sign_in_posts_are_throttled_per_address(client, users, settings):
    settings.WAYPOINT_SIGNIN_THROTTLE_LIMIT = 3
    settings.WAYPOINT_LOGIN_ADDRESS_FAILURE_LIMIT = 100
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, 10, tzinfo=dt.UTC), tick=False):
        for _ in range(3):
            password_step(client, "t_nurse", "wrong", REMOTE_ADDR="10.1.1.1")
        r = password_step(client, "t_counselor", REMOTE_ADDR="10.1.1.1")
        assert r.status_code == 429 and int(r["Retry-After"]) > 0
        assert "Too many sign-in attempts" in r.content.decode()
        assert signed_in_as(client) is None
        assert password_step(client, "t_counselor", REMOTE_ADDR="10.1.1.2").status_code == 302
    client.logout()
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 5, 10, tzinfo=dt.UTC), tick=False):
        assert password_step(client, "t_counselor", REMOTE_ADDR="10.1.1.1").status_code == 302


def test_axes_takes_the_address_from_the_projects_function(rf):
    from django.conf import settings

    from waypoint.core.actor import client_address
    from waypoint.core.lockout import client_ip

    assert settings.AXES_CLIENT_IP_CALLABLE == "waypoint.core.lockout.client_ip"
    request = rf.get("/", REMOTE_ADDR="192.0.2.4")
    assert client_ip(request) == client_address(request) == "192.0.2.4"


# --- the absolute session lifetime ----------------------------------------------------------
def test_a_session_ends_twelve_hours_after_sign_in_however_active(users, settings):
    assert settings.WAYPOINT_SESSION_MAX_SECONDS == 12 * 3600
    start = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)
    c = Client()
    with time_machine.travel(start, tick=False) as clock:
        assert password_step(c, "t_nurse").status_code == 302
        # active every 10 minutes: the idle timeout never ends it
        for _ in range(71):
            clock.shift(dt.timedelta(minutes=10))
            assert c.get("/").status_code == 200
        clock.move_to(start + dt.timedelta(hours=11, minutes=59))
        assert c.get("/").status_code == 200
        clock.move_to(start + dt.timedelta(hours=12))
        r = c.get("/")
        assert r.status_code == 302 and r["Location"].startswith("/login/")
        assert signed_in_as(c) is None
        page = c.get("/login/").content.decode()
        assert "a session lasts at most 12 hours" in page


# --- API tokens -----------------------------------------------------------------------------
def test_an_expired_token_is_refused_with_its_own_code(api, users):
    raw = services.token_create(users["nurse"], days=1)
    api.tokens["expiring"] = raw
    row = ApiToken.objects.get(prefix=raw[3:9])
    assert row.expires_at is not None
    with time_machine.travel(row.expires_at - dt.timedelta(seconds=1), tick=False):
        assert api.get("/me", "expiring")[0] == 200
    with time_machine.travel(row.expires_at, tick=False):
        status, out = api.get("/me", "expiring")
    assert status == 401 and out["code"] == "token_expired"


def test_a_new_token_lasts_the_default_days(users, settings):
    settings.WAYPOINT_TOKEN_DAYS = 90
    with time_machine.travel(dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC), tick=False):
        raw = services.token_create(users["nurse"])
        row = ApiToken.objects.get(prefix=raw[3:9])
        assert row.expires_at == timezone.now() + dt.timedelta(days=90)
    from waypoint.core.errors import DomainError

    for days in (0, 3651):
        with pytest.raises(DomainError) as exc:
            services.token_create(users["nurse"], days=days)
        assert exc.value.code == "invalid_days"


def test_last_use_is_written_at_most_every_few_minutes(
    api, users, settings, django_assert_num_queries
):
    settings.WAYPOINT_TOKEN_LAST_USED_SECONDS = 300
    raw = api.tokens["nurse"]
    row = ApiToken.objects.get(prefix=raw[3:9])
    assert row.last_used_at is None
    t0 = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
    with time_machine.travel(t0, tick=False) as clock:
        assert api.get("/me", "nurse")[0] == 200
        row.refresh_from_db()
        assert row.last_used_at == t0
        clock.shift(dt.timedelta(seconds=299))
        assert api.get("/me", "nurse")[0] == 200
        row.refresh_from_db()
        assert row.last_used_at == t0  # not written again within five minutes
        clock.shift(dt.timedelta(seconds=1))
        assert api.get("/me", "nurse")[0] == 200
        row.refresh_from_db()
        assert row.last_used_at == t0 + dt.timedelta(seconds=300)


def test_a_token_used_again_soon_costs_no_write(api, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api.get("/me", "nurse")
    with CaptureQueriesContext(connection) as q:
        assert api.get("/me", "nurse")[0] == 200
    assert not [
        s for s in q.captured_queries if "core_apitoken" in s["sql"] and "UPDATE" in s["sql"]
    ]


def test_a_user_revokes_their_own_token_from_the_account_page(api, users):
    raw = api.tokens["nurse"]
    row = ApiToken.objects.get(prefix=raw[3:9])
    c = Client()
    sign_in(c, "t_nurse")
    page = c.get("/account/").content.decode()
    assert f"wp_{row.prefix}…" in page and "never" in page
    assert "The organization's API tokens" not in page
    # another person's token: not theirs to see or revoke
    other = ApiToken.objects.get(prefix=api.tokens["counselor"][3:9])
    assert f"wp_{other.prefix}" not in page
    r = c.post("/account/", {"op": "revoke", "token": str(other.pk)})
    assert r.status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None
    r = c.post("/account/", {"op": "revoke", "token": str(row.pk)})
    assert r.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert api.get("/me", "nurse")[0] == 401
    ev = AuditEvent.objects.filter(action="token_revoke").latest("seq")
    assert ev.actor_username == "t_nurse" and ev.object_id == row.prefix


def test_an_admin_sees_and_revokes_the_organizations_tokens(api, users, other_org):
    c = Client()
    sign_in(c, "t_admin")
    page = c.get("/account/").content.decode()
    other = ApiToken.objects.get(prefix=api.tokens["counselor"][3:9])
    assert "The organization's API tokens" in page and f"wp_{other.prefix}" in page
    r = c.post("/account/", {"op": "revoke", "token": str(other.pk)})
    assert r.status_code == 302
    other.refresh_from_db()
    assert other.revoked_at is not None
    ev = AuditEvent.objects.filter(action="token_revoke").latest("seq")
    assert ev.actor_username == "t_admin" and ev.detail["username"] == "t_counselor"


# --- the stock witness ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "extra, status, code",
    [
        ({}, 422, "witness_credentials_required"),
        ({"witness_password": "not-their-password"}, 403, "witness_not_verified"),
        ({"witness_code": "000000"}, 403, "witness_not_verified"),
    ],
)
def test_a_witness_who_does_not_confirm_is_refused_and_nothing_is_written(
    api, site, users, extra, status, code
):
    from waypoint.medication.models import StockCount, StockEntry

    second_factor_device(users["admin"])
    events = AuditEvent.objects.count()
    for path, body in (
        ("waste", {"quantity_mg": 5, "reason": "spill", "witness": "t_admin"}),
        ("counts", {"counted_mg": 10, "witness": "t_admin"}),
    ):
        s, b = api.post(f"/sites/{site.code}/stock/{path}", "nurse", {**body, **extra})
        assert (s, b["code"]) == (status, code)
    assert StockEntry.objects.count() == 0 and StockCount.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_a_witness_confirms_with_a_code_of_their_authenticator(api, site, users):
    from waypoint.medication.models import StockCount

    device = second_factor_device(users["admin"])
    s, b = api.post(
        f"/sites/{site.code}/stock/counts",
        "nurse",
        {"counted_mg": 0, "witness": "t_admin", "witness_code": totp_code(device)},
    )
    assert s == 201, b
    assert StockCount.objects.get().witness == users["admin"]


# --- the demo -------------------------------------------------------------------------------
def test_the_demo_accounts_that_need_a_code_come_enrolled_and_their_code_is_printable(
    db, settings, tmp_path
):
    from waypoint.demo import demo_second_factors, load_demo

    settings.SHARED_DATA_DIR = tmp_path  # no national directory to import: faster
    load_demo(patients=5, seed=3)
    keys = demo_second_factors()
    assert [u for u, _, _ in keys] == [
        "demo_admin",
        "demo_physician",
        "demo_auditor",
        "demo_privacy_officer",
    ]
    assert all(re.fullmatch(r"[A-Z2-7 ]+", k) and code == "" for _, k, code in keys)
    codes = {u: code for u, _, code in demo_second_factors(codes=True)}
    c = Client()
    assert password_step(c, "demo_admin", "admin-demo-2026").status_code == 302
    r = c.post("/login/verify/", {"code": codes["demo_admin"]})
    assert r.status_code == 302 and verified(c)
    # a demo nurse signs in with the password alone
    n = Client()
    password_step(n, "demo_nurse", "nurse-demo-2026")
    assert n.get("/").status_code == 200


def test_token_create_takes_days_and_prints_only_the_token(users, capsys):
    from waypoint.cli import main

    main(["token", "create", "--username", "t_nurse", "--days", "7"])
    out = capsys.readouterr().out
    assert re.fullmatch(r"wp_\S+\n", out)
    row = ApiToken.objects.get(prefix=out.strip()[3:9])
    assert dt.timedelta(days=7) - (row.expires_at - timezone.now()) < dt.timedelta(minutes=1)
    with pytest.raises(SystemExit):
        main(["token", "create", "--username", "t_nurse", "--days", "0"])
    assert "invalid_days" in capsys.readouterr().err
