"""Browser fixtures: one Debian Chromium per session (driven by sync Playwright), a fresh
context per test, pytest-django's live server, and a record of every request the page made.

Playwright's own browser download is blocked here, so the browser is Debian's ``chromium``
(scripts/test.sh installs it). The live server needs transactional database access, so the
database is emptied (flushed) after each test. The audit table is append-only in the database
itself (triggers from audit migrations 0003 and 0005, on the events and their patient links);
the fixtures below lift those triggers only for that flush and put them back, so every
browser test runs with them in force.
"""

from __future__ import annotations

import os
import shutil
from urllib.parse import urlsplit

import pytest

# Sync Playwright keeps an asyncio event loop in this thread; without this Django's ORM
# refuses to run from the test code ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from conftest import PASSWORD, second_factor_device  # noqa: E402  (the root conftest)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000


def _set_audit_triggers(present: bool) -> None:
    from django.db import connection

    from waypoint.audit.triggers import set_append_only_triggers

    set_append_only_triggers(connection, present)


@pytest.fixture(scope="module", autouse=True)
def _audit_triggers_restored(django_db_setup, django_db_blocker):
    """After this module's last flush, the append-only triggers are back for later tests."""
    yield
    with django_db_blocker.unblock():
        _set_audit_triggers(True)


@pytest.fixture(autouse=True)
def _audit_triggers_lifted_for_flush(live_server, transactional_db):
    """Triggers on during the test; off just before pytest-django flushes the database."""
    _set_audit_triggers(True)
    yield
    _set_audit_triggers(False)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        pytest.fail("Debian's chromium is not installed: apt-get install chromium")
    from django.db import connections

    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()
    finally:
        # While Playwright's loop runs in this thread, asgiref keeps Django's connections
        # per async context rather than per thread: close the ones opened meanwhile, or
        # PostgreSQL refuses to drop the test database ("accessed by other users").
        connections.close_all()
        pw.stop()
        connections.close_all()


class Requests(list):
    """Every URL the browser asked for during one test."""

    def foreign(self, base_url: str) -> list[str]:
        origin = urlsplit(base_url)
        out = []
        for url in self:
            u = urlsplit(url)
            if u.scheme == "data":
                continue
            if (u.scheme, u.netloc) != (origin.scheme, origin.netloc):
                out.append(url)
        return out


@pytest.fixture
def requests_seen() -> Requests:
    return Requests()


@pytest.fixture
def new_context(browser, live_server, requests_seen):
    """``new_context()``: a fresh browser context (own cookies, so its own sign-in) whose
    requests are recorded. After the test, no request may have gone to another host."""
    made = []

    def make():
        ctx = browser.new_context(
            base_url=live_server.url, viewport={"width": 1200, "height": 900}, locale="en-US"
        )
        ctx.set_default_timeout(TIMEOUT_MS)
        ctx.on("request", lambda r: requests_seen.append(r.url))
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()
    foreign = requests_seen.foreign(live_server.url)
    assert not foreign, f"requests to hosts other than the live server: {foreign}"


def _password_and_code(new_context):
    """The sign-in form from a new browser context: the password, then the code step."""

    def do(username: str, password: str = PASSWORD):
        page = new_context().new_page()
        page.goto("/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        if "/login/verify/" in page.url:
            enter_code(page, username)
        return page

    return do


def enter_code(page, username: str) -> None:
    """The second step of the sign-in: a real code computed from the user's device key."""
    from conftest import totp_code

    from waypoint.core.models import User

    device = second_factor_device(User.objects.get(username=username))
    page.fill("#id_code", totp_code(device))
    page.click("main button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def login(new_context):
    """``login(username)`` signs in through the form (password, then for a user with an
    authenticator, or of a role that needs one, a real code) and returns its page."""
    from waypoint.core.models import User

    sign_in = _password_and_code(new_context)

    def do(username: str, password: str = PASSWORD):
        user = User.objects.filter(username=username).first()
        if user is not None:
            second_factor_device(user)  # a required role is enrolled, as a real one would be
        return sign_in(username, password)

    return do


@pytest.fixture
def signed_in(new_context, live_server):
    """``signed_in(username)``: a page of a new browser context that already holds a session
    for that user (made on the server side, skipping the sign-in form to save time; the form
    itself is covered by the ``login`` tests)."""
    from django.conf import settings
    from django.test import Client

    from waypoint.core.models import User

    def do(username: str):
        client = Client()
        client.force_login(
            User.objects.get(username=username),
            backend="django.contrib.auth.backends.ModelBackend",
        )
        ctx = new_context()
        ctx.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        page = ctx.new_page()
        page.goto("/")
        return page

    return do
