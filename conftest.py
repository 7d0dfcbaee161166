"""Shared pytest fixtures: an organization with sites, one user and token per role, and an
API client that speaks JSON with a bearer token."""

from __future__ import annotations

import json
import os
import time

import pytest

os.environ.setdefault("WAYPOINT_SECRET_KEY", "test-only-secret-key-not-for-production")
# The audit chain's key (core/keys.py); scripts/test.sh sets a random one.
os.environ.setdefault("WAYPOINT_AUDIT_KEY", "test-only-audit-key-not-for-production-0123456789")

ROLES = [
    "admin",
    "physician",
    "nurse",
    "counselor",
    "intake",
    "incentives",
    "auditor",
    "privacy_officer",
]
PASSWORD = "Correct-Horse-Battery-9"


class ApiClient:
    """Calls /api/v1 with a role's bearer token and returns (status, json body)."""

    def __init__(self, client, tokens: dict[str, str]) -> None:
        self.client = client
        self.tokens = tokens

    def call(
        self,
        method: str,
        path: str,
        role: str | None = None,
        body=None,
        raw=None,
        headers: dict | None = None,
    ):
        kwargs = {}
        if role:
            kwargs["HTTP_AUTHORIZATION"] = "Bearer " + self.tokens.get(role, role)
        for k, v in (headers or {}).items():
            kwargs["HTTP_" + k.upper().replace("-", "_")] = v
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        fn = getattr(self.client, method.lower())
        if data is not None:
            resp = fn("/api/v1" + path, data=data, content_type="application/json", **kwargs)
        else:
            resp = fn("/api/v1" + path, **kwargs)
        try:
            payload = resp.json()
        except ValueError:
            payload = resp.content
        return resp.status_code, payload

    def get(self, path, role=None, **kw):
        return self.call("GET", path, role, **kw)

    def post(self, path, role=None, body=None, **kw):
        return self.call("POST", path, role, body, **kw)

    def patch(self, path, role=None, body=None, **kw):
        return self.call("PATCH", path, role, body, **kw)


def pytest_addoption(parser):
    parser.addoption(
        "--fake-uptime",
        type=float,
        metavar="SECONDS",
        help="make time.monotonic() in this process count from SECONDS, as on a machine that "
        "booted that long ago (scripts/test-clocks.sh: no test may depend on uptime)",
    )


def pytest_configure(config):
    uptime = config.getoption("--fake-uptime")
    if uptime is not None:
        real = time.monotonic
        shift = uptime - real()
        time.monotonic = lambda: real() + shift


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Name the random order's seed even under -q (pytest-randomly shuffles every run), so a
    failure that depends on order can be replayed."""
    seed = getattr(config.option, "randomly_seed", None)
    if isinstance(seed, int) and not config.getoption("randomly_dont_reorganize", False):
        terminalreporter.write_line(
            f"random order seed {seed}: replay with pytest --randomly-seed={seed} "
            "(-p no:randomly keeps file order)"
        )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher.
    (core/tests checks that production settings hash with Argon2.)"""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org(db):
    from waypoint.core.models import Organization

    return Organization.objects.create(name="Test Clinic", slug="test-clinic")


@pytest.fixture
def other_org(db):
    from waypoint.core.models import Organization

    return Organization.objects.create(name="Other Clinic", slug="other-clinic")


@pytest.fixture
def site(org):
    from waypoint.core import services

    return services.site_create(org, "KC", "Kansas City Clinic", "America/Chicago")


@pytest.fixture
def site2(org):
    from waypoint.core import services

    return services.site_create(org, "DEN", "Denver Clinic", "America/Denver")


@pytest.fixture
def users(site):
    from waypoint.core import services

    return {
        role: services.user_create(f"t_{role}", role, site, PASSWORD, check_password=False)
        for role in ROLES
    }


@pytest.fixture
def tokens(users):
    from waypoint.core import services

    return {role: services.token_create(u) for role, u in users.items()}


@pytest.fixture
def api(client, tokens):
    return ApiClient(client, tokens)


@pytest.fixture
def actor(users):
    """An Actor per role: ``actor("intake")``."""
    from waypoint.core.actor import Actor

    return lambda role: Actor(user=users[role], client_address="127.0.0.1")


@pytest.fixture
def other_org_api(client, other_org):
    """Tokens for staff of a second organization (for cross-tenant checks)."""
    from waypoint.core import services

    s = services.site_create(other_org, "KC", "Other KC", "America/Chicago")
    toks = {
        role: services.token_create(
            services.user_create(f"o_{role}", role, s, PASSWORD, check_password=False)
        )
        for role in ROLES
    }
    return ApiClient(client, toks)


@pytest.fixture
def make_patient(actor, site):
    from waypoint.patients import services
    from waypoint.patients.schemas import PatientIn

    def make(first="Ana", last="Reyes", dob="1988-04-12", **extra):
        data = PatientIn(
            first_name=first, last_name=last, date_of_birth=dob, site=site.code, **extra
        )
        return services.patient_register(actor("intake"), data)

    return make


# --- the second sign-in factor (issue 16; docs/SIGN-IN.md) ----------------------------------
# Tests sign in as a person does after both steps. `client.force_login(user)` (Django's
# test client, used by the page tests and by the browser tests' `signed_in`) gives a session
# verified by the user's authenticator, the way django-otp marks one (its session key), for
# a user who has one or whose role requires one (the device is made then). The browser's
# `login` fixture goes through the real form and types a real code from the device's key.
# core/tests/test_mfa.py covers the steps themselves (sign-in without the helper).
def second_factor_device(user):
    """The user's confirmed authenticator, made if their role requires one; else None."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from waypoint.core import mfa

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None and mfa.required(user):
        device = TOTPDevice.objects.create(user=user, name=mfa.TOTP_NAME, confirmed=True)
    return device


def totp_code(device) -> str:
    """A code the device accepts now: the current step's, or the next one when the current
    one was already used (django-otp refuses a code twice; it allows one step of drift)."""
    from django_otp.oath import TOTP

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture(autouse=True)
def _force_login_passes_second_factor(monkeypatch):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        device = second_factor_device(user)
        if device is not None:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


def sign_in(client, username: str, password: str = PASSWORD, next: str = ""):
    """Sign in through the real two steps with Django's test client: the password form, then
    (for a user with an authenticator or of a role that needs one) a real code. Returns the
    last answer."""
    from waypoint.core.models import User

    user = User.objects.filter(username=username).first()
    if user is not None:
        second_factor_device(user)
    data = {"username": username, "password": password, **({"next": next} if next else {})}
    resp = client.post("/login/", data)
    device = second_factor_device(user) if user is not None else None
    if resp.status_code == 302 and device is not None:
        resp = client.post(
            "/login/verify/", {"code": totp_code(device), **({"next": next} if next else {})}
        )
    return resp
