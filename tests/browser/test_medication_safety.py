"""Medication safety in a browser (issue 14): at the dosing window a nurse sees, before
pressing anything, a refused injection (too soon after the last one) and a refused
lofexidine dose (held after the low blood pressure she records on the window) explained
in words, with what unlocks each; a prescriber typing an order on the chart sees the
conflict with the person's methadone as he types (the same-host check script), and
nothing is written by either."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from waypoint.care.episodes import services as episodes
from waypoint.core.actor import Actor
from waypoint.medication import services
from waypoint.medication.models import DoseEvent, MedicationOrder, StockEntry, VitalSigns

pytestmark = pytest.mark.browser
OTP = "opioid_treatment_program"


def _admitted(users, make_patient, first, last, today):
    p = make_patient(first, last)
    episodes.episode_admit(Actor(user=users["counselor"]), p.pk, OTP, today - dt.timedelta(60))
    return p


def _past_dose(order, days_ago: int, nurse) -> None:
    at = timezone.now() - dt.timedelta(days=days_ago)
    DoseEvent.objects.create(
        organization_id=order.organization_id,
        patient_id=order.patient_id,
        order=order,
        site=order.site,
        family=order.family,
        dose_mg=order.dose_mg,
        local_day=at.astimezone(order.site.tz).date(),
        administered_at=at,
        recorded_at=at,
        administered_by=nurse,
    )


def test_nurse_sees_a_refused_injection_and_a_held_lofexidine_dose(
    users, make_patient, site, signed_in
):
    today = timezone.now().astimezone(site.tz).date()
    doc = Actor(user=users["physician"])
    inj = _admitted(users, make_patient, "Ines", "Morales", today)
    order = services.order_create(
        doc,
        inj.pk,
        medication="buprenorphine_extended_release",
        dose_mg=Decimal(300),
        schedule="monthly",
        start_date=today,
    )
    MedicationOrder.objects.filter(pk=order.pk).update(start_date=today - dt.timedelta(20))
    _past_dose(order, 20, users["nurse"])  # the last Sublocade injection, 20 days ago
    lof = _admitted(users, make_patient, "Luis", "Ferreira", today)
    services.order_create(
        doc, lof.pk, medication="lofexidine", dose_mg=Decimal("0.54"), start_date=today
    )
    before = (DoseEvent.objects.count(), StockEntry.objects.count())

    page = signed_in("t_nurse")
    page.goto("/dosing/")
    # the injection: refused before the press, in words, with what unlocks it
    page.fill("#q", inj.mrn)
    page.press("#q", "Enter")
    expect(page.locator("#panel-name")).to_have_text("Ines Morales")
    refusal = page.locator(f"#refusal-{order.pk}")
    expect(refusal).to_contain_text("The last injection was 20 days ago")
    expect(refusal).to_contain_text("injections must be at least 26 days apart")
    expect(refusal).to_contain_text("To unlock: Wait until the date given")
    expect(page.locator("#dose-panel button.give")).to_have_count(0)

    # lofexidine: due, until the nurse records a low blood pressure on the window
    page.fill("#q", lof.mrn)
    page.press("#q", "Enter")
    expect(page.locator("#panel-name")).to_have_text("Luis Ferreira")
    expect(page.locator("#dose-panel button.give")).to_have_count(1)
    page.fill("#v-sys", "84")
    page.fill("#v-dia", "52")
    page.fill("#v-pulse", "58")
    page.click("#vitals-form button[type=submit]")
    expect(page.locator("#status-vitals")).to_contain_text(
        "Vital signs recorded: BP 84/52, pulse 58"
    )
    held = page.locator("#dose-panel .refusal")
    expect(held).to_contain_text("Hold lofexidine: blood pressure 84/52")
    expect(held).to_contain_text("(hold below 90/60)")
    expect(held).to_contain_text("To unlock: Record new vital signs on this window")
    expect(page.locator("#dose-panel button.give")).to_have_count(0)
    expect(page.locator("#vitals-recent")).to_contain_text("BP 84/52")

    assert (DoseEvent.objects.count(), StockEntry.objects.count()) == before
    assert VitalSigns.objects.filter(patient=lof).count() == 1


def test_prescriber_sees_the_order_checks_as_he_types(users, make_patient, site, signed_in):
    today = timezone.now().astimezone(site.tz).date()
    person = _admitted(users, make_patient, "Omar", "Haddad", today)
    services.order_create(
        Actor(user=users["physician"]),
        person.pk,
        medication="methadone",
        dose_mg=Decimal(60),
        start_date=today,
    )
    page = signed_in("t_physician")
    page.goto(f"/patients/{person.pk}/chart/medication/")
    page.click("details:has(#order-form) > summary")  # closed: an order is active
    page.select_option("#o-med", "buprenorphine")
    page.fill("#o-dose", "28")
    check = page.locator("#order-check")
    expect(check).to_contain_text("Signing would be refused")
    expect(check.locator('[data-code="conflicting_medication"]')).to_contain_text(
        "methadone and buprenorphine are never both open-ended"
    )
    expect(check.locator('[data-code="high_dose_not_acknowledged"]')).to_have_count(1)
    page.check("#o-hd")  # acknowledging the high dose leaves the conflict
    expect(check.locator('[data-code="high_dose_not_acknowledged"]')).to_have_count(0)
    expect(check.locator('[data-code="conflicting_medication"]')).to_have_count(1)
    page.select_option("#o-med", "naloxone")
    page.fill("#o-dose", "4")
    expect(check).to_contain_text("No rule refuses this order.")
    assert MedicationOrder.objects.filter(patient=person).count() == 1
