"""Issue 22, item 11 in a browser: the admin creates a staff account through the pages (a
refusal keeps what was typed), the person signs in with it, and a deactivation asks to
confirm first and then ends that person's access."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from waypoint.audit.models import AuditEvent
from waypoint.core.models import User

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Walnut-Harbor-Lantern-58"


def fill_account(page, username: str, password: str) -> None:
    page.fill("#first_name", "Marta")
    page.fill("#last_name", "Rivera")
    page.fill("#username", username)
    page.select_option("#role", "nurse")
    page.fill("#password", password)
    page.click("#staff-new button[type=submit]")
    page.wait_for_load_state()


def test_admin_creates_an_account_that_signs_in_then_deactivates_it(users, signed_in, login):
    admin = signed_in("t_admin")
    admin.click("header nav a:has-text('Administration')")
    expect(admin.locator("main h1")).to_have_text("Administration")
    admin.click("a:has-text('Create, change, deactivate')")

    # a weak password: refused beside the form, in words, what was typed kept (not the password)
    fill_account(admin, "m.rivera", "short")
    summary = admin.locator("#status-staff-new")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("too short")
    expect(summary).to_be_focused()
    expect(admin.locator("#first_name")).to_have_value("Marta")
    expect(admin.locator("#username")).to_have_value("m.rivera")
    expect(admin.locator("#role")).to_have_value("nurse")
    expect(admin.locator("#password")).to_have_value("")
    assert not User.objects.filter(username="m.rivera").exists()

    admin.fill("#password", NEW_PASSWORD)
    admin.click("#staff-new button[type=submit]")
    expect(admin.locator("#status-staff-list")).to_contain_text("Account m.rivera created")
    expect(admin.locator("#staff")).to_contain_text("Marta Rivera")

    # the new nurse signs in with it
    nurse = login("m.rivera", NEW_PASSWORD)
    expect(nurse.locator("header .who")).to_contain_text("Marta Rivera · nurse")

    # deactivation: a reason, then a confirmation that says what happens; only then done
    admin.click("#staff a:has-text('Marta Rivera')")
    admin.fill("#reason", "left the program")
    admin.click("#deactivate")
    expect(admin.locator("#confirm")).to_contain_text("Deactivate Marta Rivera?")
    expect(admin.locator("#confirm")).to_contain_text("signed out at once")
    assert User.objects.get(username="m.rivera").is_active
    admin.click("#confirm-yes")
    expect(admin.locator("#status-staff-access")).to_contain_text("Account deactivated")
    assert not User.objects.get(username="m.rivera").is_active
    assert AuditEvent.objects.filter(action="deactivate", actor_username="t_admin").count() == 1

    # the nurse's open session ends with it
    nurse.goto("/dosing/")
    expect(nurse).to_have_url(re.compile(r"/login/"))


def test_other_roles_see_no_administration(users, signed_in):
    page = signed_in("t_physician")
    expect(page.locator("header nav a:has-text('Administration')")).to_have_count(0)
    assert page.goto("/manage/staff/").status == 403
