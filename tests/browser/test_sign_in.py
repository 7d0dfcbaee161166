"""Signing in with a second factor through the pages (issue 16; docs/SIGN-IN.md)."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from waypoint.core import mfa
from waypoint.core.models import User

pytestmark = pytest.mark.browser


def code_from_key(text: str) -> str:
    """What an authenticator app shows now for a key typed by hand (base32, grouped)."""
    raw = text.replace(" ", "")
    key = base64.b32decode(raw + "=" * (-len(raw) % 8))
    totp = TOTP(key)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_a_physician_sets_up_the_authenticator_then_signs_in_with_a_code(users, new_context):
    page = new_context().new_page()
    page.goto("/login/")
    page.fill("#id_username", "t_physician")
    page.fill("#id_password", "Correct-Horse-Battery-9")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/account/second-factor/$"))
    expect(page.locator("main h1")).to_have_text("Set up your second factor")
    expect(page.locator("#qr svg")).to_be_visible()
    expect(page.locator("#main-menu")).to_have_count(0)
    # any other page leads back here
    page.goto("/patients/")
    expect(page).to_have_url(re.compile(r"/account/second-factor/$"))
    # a wrong code: refused beside the field, in words
    page.fill("#id_code", "12")
    page.click("main form button.primary")
    expect(page.locator("#status-enrol")).to_contain_text("Enter the 6-digit code")
    key = page.locator("#secret").inner_text()
    page.fill("#id_code", code_from_key(key))
    page.click("main form button.primary")
    expect(page.locator("main h1")).to_have_text("Your recovery codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    assert mfa.enrolled(User.objects.get(username="t_physician"))
    page.click("text=I have kept them: go on")
    expect(page.locator("#main-menu")).to_be_visible()

    # next time: password, then the code
    page.click("header button:has-text('Sign out')")
    page.goto("/login/")
    page.fill("#id_username", "t_physician")
    page.fill("#id_password", "Correct-Horse-Battery-9")
    page.click("main button[type=submit]")
    expect(page).to_have_url(re.compile(r"/login/verify/"))
    page.fill("#id_code", "000000")
    page.click("main form button.primary")
    expect(page.locator("#status-verify")).to_contain_text("That code is not right")
    time.sleep(1.1)  # django-otp waits a second after a wrong code before it tries again
    device = mfa.totp_device(User.objects.get(username="t_physician"))
    from conftest import totp_code

    page.fill("#id_code", totp_code(device))
    page.click("main form button.primary")
    expect(page.locator("header .who")).to_contain_text("t_physician")
    expect(page.locator("#main-menu")).to_be_visible()


def test_the_login_helper_signs_an_admin_in_through_both_steps(users, login):
    page = login("t_admin")
    expect(page.locator("#main-menu")).to_contain_text("Administration")
    page.click("#account-link")
    expect(page.locator("#second-factor")).to_contain_text("Set up")
