"""The continuum of care in a browser: a counselor admits a patient from the chart, moves
them to another level of care, discharges them with a TEDS reason; the census shows them
while they are in care."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from waypoint.care.models import Episode, LevelOfCareStay

pytestmark = pytest.mark.browser


def test_admit_transition_discharge(users, make_patient, site, signed_in):
    patient = make_patient("Rowan", "Ellery")
    today = timezone.now().astimezone(site.tz).date()
    page = signed_in("t_counselor")
    page.goto(f"/patients/{patient.pk}/chart/care/")
    section = page.locator("#episode")
    expect(section).to_contain_text("No open episode of care")

    page.select_option("#ad-level", "residential")
    page.fill("#ad-on", (today - dt.timedelta(days=12)).isoformat())
    page.select_option("#ad-sub", "fentanyl")
    page.select_option("#ad-ref", "health_care_provider")
    page.click("#admit-form button[type=submit]")
    expect(page.locator("#current-level")).to_have_text("Residential / inpatient")
    expect(section).to_contain_text("12 days")

    # the census lists them under residential
    page.click("nav >> text=Census")
    expect(page.locator("#level-residential")).to_contain_text("Ellery, Rowan")
    page.click("#level-residential >> text=Ellery, Rowan")

    page.select_option("#tr-to", "intensive_outpatient")
    page.fill("#tr-on", (today - dt.timedelta(days=2)).isoformat())
    page.click("#transition-form button[type=submit]")
    expect(page.locator("#current-level")).to_have_text("Intensive outpatient (9-19 hours a week)")
    expect(page.locator("#episode-history")).to_contain_text("Residential / inpatient")

    page.select_option("#dc-reason", "completed")
    page.fill("#dc-on", today.isoformat())
    page.click("#discharge-form button[type=submit]")
    page.click("#confirm-yes")  # the confirmation page says who, why and when
    expect(section).to_contain_text("No open episode of care")
    expect(page.locator("#episode-history")).to_contain_text("treatment completed")

    ep = Episode.objects.get(patient=patient)
    assert (ep.discharged_on, ep.discharge_reason, ep.primary_substance) == (
        today,
        "completed",
        "fentanyl",
    )
    assert list(
        LevelOfCareStay.objects.filter(episode=ep).values_list("level", "started_on", "ended_on")
    ) == [
        ("residential", today - dt.timedelta(days=12), today - dt.timedelta(days=2)),
        ("intensive_outpatient", today - dt.timedelta(days=2), today),
    ]
