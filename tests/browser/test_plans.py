"""Treatment plans in a browser: a counselor writes a draft plan from the chart, then signs
it as the clinician; the draft can no longer be edited and can be revised."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from waypoint.care.episodes import services
from waypoint.care.models import TreatmentPlan
from waypoint.core.actor import Actor

pytestmark = pytest.mark.browser


def test_write_and_sign_a_plan(users, make_patient, site, signed_in):
    patient = make_patient("Sage", "Okafor")
    today = timezone.now().astimezone(site.tz).date()
    services.episode_admit(
        Actor(user=users["counselor"]), patient.pk, "residential", today - dt.timedelta(days=3)
    )
    page = signed_in("t_counselor")
    page.goto(f"/patients/{patient.pk}/chart/care/")
    section = page.locator("#plan")
    expect(section).to_contain_text("No treatment plan for this episode yet")
    page.click("#plan-new")

    page.fill("#pt1", "Opioid use disorder, severe")
    page.fill("#gt1", "Stop using illicit opioids")
    page.fill("#ot1", "Three negative urine tests")
    page.fill("#od1", (today + dt.timedelta(days=30)).isoformat())
    page.fill("#it1", "Individual counseling")
    page.select_option("#is1", str(users["counselor"].pk))
    page.fill("#if1", "weekly")
    page.click("#plan-save")

    expect(page.locator("#plan-status")).to_have_text("Draft, not signed")
    expect(section).to_contain_text("Opioid use disorder, severe")
    expect(section).to_contain_text(f"review due {(today + dt.timedelta(days=14)).isoformat()}")
    page.click("#sign-clinician")
    expect(page.locator("#confirm-question")).to_contain_text("as the clinician?")
    page.click("#confirm-yes")
    expect(page.locator("#plan-signatures")).to_contain_text("Signed by the clinician")
    expect(page.locator("#plan-edit")).to_have_count(0)
    expect(page.locator("#plan-revise")).to_be_visible()

    plan = TreatmentPlan.objects.get(patient=patient)
    assert plan.clinician_signed_by_id == users["counselor"].pk
    assert plan.version == 1 and plan.review_due_on == today + dt.timedelta(days=14)
