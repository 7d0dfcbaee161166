"""Issue 22, item 11 in a browser: the admin opens the medication limits from the
administration page, a first-day limit above the federal 50 mg is refused beside the field
in words with what was typed kept, and a stricter one is saved."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from waypoint.medication import selectors

pytestmark = pytest.mark.browser

FIELD = "#dosing-methadone-first-day-max-mg"


def test_admin_changes_a_limit_and_sees_a_federal_refusal(users, signed_in):
    admin = signed_in("t_admin")
    admin.click("header nav a:has-text('Administration')")
    admin.click("#admin-settings a[href='/medication/settings/']")
    expect(admin.locator("main h1")).to_have_text("Dosing, take-home and drug-testing limits")
    expect(admin.locator(FIELD)).to_have_value("50")

    admin.fill(FIELD, "60")
    admin.click("#medication-settings button[type=submit]")
    summary = admin.locator("#status-medication-settings")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("above the federal first-day limit of 50 mg")
    expect(admin.locator(f"{FIELD}-error")).to_contain_text("Methadone first day max (mg)")
    expect(admin.locator(FIELD)).to_have_value("60")
    organization_id = users["admin"].organization_id
    assert selectors.limits_for(organization_id)[0].methadone_first_day_max_mg == 50

    admin.fill(FIELD, "40")
    admin.click("#medication-settings button[type=submit]")
    expect(admin.locator("#status-medication-settings")).to_contain_text(
        "Saved: Methadone first day max (mg) 40."
    )
    expect(admin.locator(FIELD)).to_have_value("40")
    assert selectors.limits_for(organization_id)[0].methadone_first_day_max_mg == 40
