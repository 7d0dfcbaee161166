"""Auth hardening: Argon2 passwords, login lockout, idle sessions, security headers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import PASSWORD
from django.conf import settings as django_settings

from waypoint import settings as project_settings
from waypoint.core import services
from waypoint.core.permissions import matrix_markdown

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[4]


# --- passwords ------------------------------------------------------------------------


def test_passwords_are_stored_with_argon2(settings, site):
    # The tests' conftest swaps in a fast hasher; use the project's real configuration here.
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    user = services.user_create("argon", "nurse", site, "Long-Enough-Passphrase-42")
    user.refresh_from_db()
    assert user.password.startswith("argon2")
    assert "Long-Enough-Passphrase-42" not in user.password
    assert user.check_password("Long-Enough-Passphrase-42")
    assert not user.check_password("long-enough-passphrase-42")


@pytest.mark.parametrize("password", ["short", "password123", "1234567890123", "argonuser1"])
def test_weak_passwords_are_refused(site, password):
    from waypoint.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        services.user_create("argonuser1", "nurse", site, password)
    assert exc.value.code == "weak_password"


# --- login lockout --------------------------------------------------------------------


def login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_login_works_with_the_right_password(client, users):
    resp = login(client, "t_nurse", PASSWORD)
    assert resp.status_code == 302
    assert logged_in(client)


def test_wrong_password_is_refused(client, users):
    resp = login(client, "t_nurse", "wrong-password")
    assert resp.status_code == 200
    assert not logged_in(client)


def test_login_locks_after_five_failures(client, users):
    assert django_settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        login(client, "t_nurse", "wrong-password")
    # Four failures: the right password still works (and resets the count).
    assert login(client, "t_nurse", PASSWORD).status_code == 302
    client.logout()
    for _ in range(5):
        resp = login(client, "t_nurse", "wrong-password")
    assert not logged_in(client)
    # Locked: even the right password is refused now.
    resp = login(client, "t_nurse", PASSWORD)
    assert resp.status_code in (403, 429)
    assert not logged_in(client)
    # The lock is per username: another account still logs in.
    assert login(client, "t_physician", PASSWORD).status_code == 302


def test_lockout_counts_failures_for_one_username_across_addresses(client, users):
    for i in range(5):
        client.post(
            "/login/",
            {"username": "t_admin", "password": "nope"},
            REMOTE_ADDR=f"10.0.0.{i + 1}",
        )
    resp = login(client, "t_admin", PASSWORD)
    assert resp.status_code in (403, 429)
    assert not logged_in(client)


# --- sessions -------------------------------------------------------------------------


def test_idle_sessions_end_after_fifteen_minutes_and_are_renewed_each_request(client, users):
    assert django_settings.SESSION_COOKIE_AGE == 900
    assert django_settings.SESSION_SAVE_EVERY_REQUEST is True
    assert django_settings.SESSION_COOKIE_HTTPONLY is True
    client.force_login(users["nurse"])
    assert client.session.get_expiry_age() == 900
    for _ in range(2):
        resp = client.get("/")
        assert resp.status_code == 200
        # The session (and its cookie) is saved again on every request: idle time restarts.
        assert django_settings.SESSION_COOKIE_NAME in resp.cookies


def test_expired_session_must_log_in_again(client, users):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.force_login(users["nurse"])
    assert client.get("/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    resp = client.get("/")
    assert resp.status_code == 302
    assert "/login/" in resp["Location"]


def test_logout_needs_post_and_ends_the_session(client, users):
    client.force_login(users["nurse"])
    resp = client.post("/logout/")
    assert resp.status_code == 302
    assert client.get("/").status_code == 302


# --- security headers -----------------------------------------------------------------


def _check_headers(resp) -> None:
    csp = resp["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    # No other host may serve scripts, styles, images or fonts.
    assert not re.search(r"https?:|\*|//", csp), csp
    for directive in csp.split(";"):
        for source in directive.split()[1:]:
            assert source in (
                "'self'",
                "'none'",
                "'unsafe-inline'",
                "data:",
            ), directive
    assert resp["X-Frame-Options"] == "DENY"
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in resp["Cache-Control"]
    assert resp["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "path", ["/login/", "/api/v1/health", "/api/v1/nope", "/no-such-page/", "/api/v1/openapi.json"]
)
def test_security_headers_with_debug_off(client, db, path):
    assert django_settings.DEBUG is False
    _check_headers(client.get(path))


def test_security_headers_on_patient_pages_and_api(client, api, make_patient, users):
    p = make_patient()
    resp = client.get(
        f"/api/v1/patients/{p.pk}", HTTP_AUTHORIZATION="Bearer " + api.tokens["nurse"]
    )
    assert resp.status_code == 200
    _check_headers(resp)
    client.force_login(users["nurse"])
    resp = client.get(f"/patients/{p.pk}/")
    assert resp.status_code == 200
    _check_headers(resp)


def test_api_docs_load_nothing_from_another_host(client, db):
    resp = client.get("/api/v1/docs")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "asset from another host"


def test_session_cookie_is_not_readable_by_scripts(client, users):
    resp = login(client, "t_nurse", PASSWORD)
    cookie = resp.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


# --- the roles page -------------------------------------------------------------------


def test_roles_doc_contains_the_permission_matrix():
    doc = (ROOT / "docs" / "ROLES.md").read_text(encoding="utf-8")
    assert matrix_markdown() in doc, (
        "docs/ROLES.md is out of date: paste the output of "
        "waypoint.core.permissions.matrix_markdown() into it"
    )
