"""Issue 15 in a browser: record a consent, disclose medications to the named doctor (the
notice and what will be sent shown before sending), revoke the consent, and see the next
disclosure refused in words."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from waypoint.privacy.models import Consent, Disclosure

pytestmark = pytest.mark.browser

NOTICE = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."


def test_consent_disclose_revoke_refused(make_patient, site, signed_in):
    patient = make_patient("Ana", "Reyes")
    page = signed_in("t_physician")
    page.goto(f"/patients/{patient.pk}/chart/privacy/")
    expect(page.locator("#no-consents")).to_be_visible()

    # record a consent for Dr. Lee: treatment, medications
    page.locator("#record-consent summary").click()
    page.fill("#cn-rname", "Dr. Maya Lee")
    page.fill("#cn-rorg", "Main Street Family Medicine")
    page.select_option("#cn-purpose", "treatment")
    page.check("#cn-cat-medications")
    later = dt.date.today() + dt.timedelta(days=365)
    page.fill("#cn-expires", later.isoformat())
    page.click("#consent-form button[type=submit]")
    expect(page.locator("#status-consents")).to_contain_text("Consent recorded (version 1)")
    consent = Consent.objects.get()
    expect(page.locator(f"#consent-{consent.pk} .consent-status")).to_have_text("Active")

    # disclose medications to the named doctor: first what will be sent and the notice
    page.locator("#disclose-box summary").click()
    page.fill("#ds-rname", "Dr. Maya Lee")
    page.fill("#ds-rorg", "Main Street Family Medicine")
    page.select_option("#ds-purpose", "treatment")
    page.check("#ds-cat-medications")
    page.click("#disclose-form button[type=submit]")
    expect(page.locator("#preview")).to_contain_text("What will be sent to Dr. Maya Lee")
    expect(page.locator("#notice")).to_have_text(NOTICE)
    expect(page.locator("#package-medications")).to_be_visible()
    assert Disclosure.objects.count() == 0  # nothing sent yet
    page.click("#send")
    expect(page.locator("#disclosed")).to_contain_text("Disclosed to Dr. Maya Lee")
    assert Disclosure.objects.get().categories == ["medications"]

    # revoke the consent (aloud, recorded by the physician)
    page.goto(f"/patients/{patient.pk}/chart/privacy/")
    expect(page.locator(f"#disclosure-{Disclosure.objects.get().pk}")).to_contain_text(
        "Dr. Maya Lee"
    )
    page.locator(f"#consent-{consent.pk} details summary").click()
    page.select_option(f"#rv-method-{consent.pk}", "verbal")
    page.click(f"#revoke-{consent.pk} button[type=submit]")
    expect(page.locator("#status-consents")).to_contain_text("revoked")
    expect(page.locator(f"#consent-{consent.pk} .consent-status")).to_have_text("Revoked")

    # the next disclosure is refused, in words, beside the form, with what was typed kept
    page.locator("#disclose-box summary").click()
    page.fill("#ds-rname", "Dr. Maya Lee")
    page.fill("#ds-rorg", "Main Street Family Medicine")
    page.check("#ds-cat-medications")
    page.click("#disclose-form button[type=submit]")
    summary = page.locator("#status-disclose")
    expect(summary).to_contain_text("Not disclosed: nothing was sent")
    expect(summary).to_contain_text("the patient revoked it")
    expect(summary).not_to_contain_text("no_valid_consent")
    expect(page.locator("#ds-rname")).to_have_value("Dr. Maya Lee")
    assert Disclosure.objects.count() == 1
