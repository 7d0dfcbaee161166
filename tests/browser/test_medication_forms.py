"""Issue 22 on the medication side, in a browser: a refused order keeps the typed dose with
the reason beside it, focused (item 1); signing asks for the prescriber's password (item 7);
the repeat dose of a buprenorphine induction at the window, with the latest COWS (item 6);
stopping an order asks to confirm (item 14); the window at phone width with the dose button
on the first screen (item 15); the due list refreshes itself (item 16)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from conftest import PASSWORD
from django.utils import timezone
from playwright.sync_api import expect

from waypoint.assessments.models import Assessment
from waypoint.care.episodes import services as episodes
from waypoint.core.actor import Actor
from waypoint.medication import services
from waypoint.medication.models import DoseEvent, MedicationOrder

pytestmark = pytest.mark.browser
OTP = "opioid_treatment_program"


def _today(site) -> dt.date:
    return timezone.now().astimezone(site.tz).date()


def _admitted(users, make_patient, first, last, site, n=0):
    p = make_patient(first, last, dob=(dt.date(1980, 1, 1) + dt.timedelta(days=n)).isoformat())
    episodes.episode_admit(Actor(user=users["counselor"]), p.pk, OTP, _today(site))
    return p


def _cows(users, patient, total=12):
    Assessment.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        instrument="cows",
        items={},
        total=total,
        severity="moderate",
        administered_at=timezone.now() - dt.timedelta(minutes=20),
        administered_by=users["nurse"],
    )


def test_a_refused_order_keeps_the_typed_dose_with_the_reason_beside_it(
    users, make_patient, site, signed_in
):
    person = _admitted(users, make_patient, "Dana", "Okafor", site)
    page = signed_in("t_physician")
    page.goto(f"/patients/{person.pk}/chart/medication/")
    expect(page.locator("#o-med")).to_have_value("")  # no medication chosen for the prescriber
    page.select_option("#o-med", "buprenorphine")
    page.fill("#o-dose", "240")
    page.fill("#o-instr", "Observe 15 minutes")
    page.press("#o-instr", "Tab")
    expect(page.locator("#order-check")).to_contain_text("between 0.5 and 32 mg")  # the live check
    page.wait_for_load_state("networkidle")
    page.fill("#o-sign-pw", PASSWORD)
    page.click("#order-sign")
    summary = page.locator("#status-order")
    expect(summary).to_contain_text("between 0.5 and 32 mg")
    expect(summary).not_to_contain_text("dose_out_of_range")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    # beside the form, which still holds what was typed (not a blank methadone form)
    expect(page.locator("#new-order #status-order + #order-form")).to_have_count(1)
    expect(page.locator("#o-med")).to_have_value("buprenorphine")
    expect(page.locator("#o-dose")).to_have_value("240")
    expect(page.locator("#o-instr")).to_have_value("Observe 15 minutes")
    expect(page.locator("#o-sign-pw")).to_have_value("")
    assert MedicationOrder.objects.filter(patient=person).count() == 0


def test_signing_asks_for_the_prescribers_password(users, make_patient, site, signed_in):
    person = _admitted(users, make_patient, "Iris", "Navarro", site)
    page = signed_in("t_physician")
    page.goto(f"/patients/{person.pk}/chart/medication/")
    pw = page.locator("#o-sign-pw")
    expect(pw).to_have_attribute("type", "password")
    expect(pw).to_have_attribute("required", "")
    page.select_option("#o-med", "methadone")
    page.fill("#o-dose", "30")
    page.press("#o-dose", "Tab")
    expect(page.locator("#order-check")).to_contain_text("No rule refuses this order.")
    page.wait_for_load_state("networkidle")
    page.fill("#o-sign-pw", "not-my-password")
    page.click("#order-sign")
    expect(page.locator("#status-order")).to_contain_text("not yours: the order is not signed")
    expect(page.locator("#o-dose")).to_have_value("30")
    assert MedicationOrder.objects.filter(patient=person).count() == 0
    page.wait_for_load_state("networkidle")
    page.fill("#o-sign-pw", PASSWORD)
    page.click("#order-sign")
    expect(page.locator("#status-medication")).to_contain_text(
        "Order signed: Methadone oral solution 30 mg"
    )
    assert MedicationOrder.objects.get(patient=person).prescriber == users["physician"]


def test_stopping_an_order_shows_what_will_happen_first(users, make_patient, site, signed_in):
    person = _admitted(users, make_patient, "Theo", "Brandt", site)
    order = services.order_create(
        Actor(user=users["physician"]),
        person.pk,
        medication="methadone",
        dose_mg=Decimal(40),
        start_date=_today(site),
        instructions="Take with water",
    )
    page = signed_in("t_physician")
    page.goto(f"/patients/{person.pk}/chart/medication/")
    expect(page.locator(".order-instructions")).to_contain_text("Take with water")
    page.locator(f"#chart-order-{order.pk} ~ tr details > summary").first.click()
    page.fill(f"#stop-{order.pk}-reason", "Moved to another program")
    page.locator(f"#chart-order-{order.pk} ~ tr .stop-form button").first.click()
    expect(page.locator("#confirm-question")).to_contain_text(
        "Stop methadone oral solution 40 mg for Theo Brandt?"
    )
    expect(page.locator("#confirm")).to_contain_text("Moved to another program")
    order.refresh_from_db()
    assert order.stopped_at is None
    page.click("#confirm-yes")
    expect(page.locator("#status-medication")).to_contain_text("Order stopped")
    expect(page.locator("#stopped-orders")).to_contain_text("Moved to another program")


def test_the_repeat_induction_dose_at_the_window(users, make_patient, site, signed_in):
    person = _admitted(users, make_patient, "Rosa", "Quintero", site)
    _cows(users, person, 12)
    order = services.order_create(
        Actor(user=users["physician"]),
        person.pk,
        medication="buprenorphine",
        dose_mg=Decimal(4),
        start_date=_today(site),
        induction="standard",
        repeat_dose_mg=Decimal(4),
        repeat_interval_hours=1,
        day_one_max_mg=Decimal(12),
    )
    page = signed_in("t_nurse")
    page.goto(f"/dosing/?patient={person.pk}")
    expect(page.locator("#latest-cows")).to_contain_text("Latest COWS: 12")
    expect(page.locator(f"#repeat-plan-{order.pk}")).to_contain_text(
        "may repeat 4 mg at least 1 h after the last dose, up to 12 mg"
    )
    page.click("#dose-panel button.give")
    expect(page.locator(".messages")).to_contain_text("Given: 4 mg buprenorphine")
    page.goto(f"/dosing/?patient={person.pk}")
    panel = page.locator("#dose-panel")
    expect(panel).to_contain_text("8 mg left today")
    expect(panel.locator('[data-code="repeat_dose_too_soon"]')).to_contain_text("not before")
    expect(panel.locator("button.give")).to_have_count(0)
    # an hour later (the first dose moved back; its site day stays today)
    DoseEvent.objects.filter(order=order).update(
        administered_at=timezone.now() - dt.timedelta(minutes=61)
    )
    page.reload()
    expect(panel.locator("button.give")).to_have_text("Give repeat 4 mg")
    page.click("#dose-panel button.give")
    expect(page.locator(".messages")).to_contain_text("Given: 4 mg buprenorphine")
    assert sorted(DoseEvent.objects.filter(order=order).values_list("slot", flat=True)) == [0, 1]


def test_the_window_on_a_phone(users, make_patient, site, signed_in):
    today = _today(site)
    people = [
        _admitted(users, make_patient, f"P{i:02d}", f"Longfamilyname{i:02d}", site, n=i)
        for i in range(30)
    ]
    for p in people:
        services.order_create(
            Actor(user=users["physician"]),
            p.pk,
            medication="methadone",
            dose_mg=Decimal(30),
            start_date=today,
        )
    chosen = people[-1]
    page = signed_in("t_nurse")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/dosing/?patient={chosen.pk}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways: {width} px wide"
    give = page.locator("#dose-panel button.give")
    expect(give).to_be_visible()
    box = give.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844, box  # on the first screen
    expect(page.locator("#due-list")).to_contain_text("Longfamilyname00")  # the list follows


def test_the_due_list_refreshes_itself(users, make_patient, site, signed_in):
    today = _today(site)
    people = [_admitted(users, make_patient, f"R{i}", f"Refresh{i}", site, n=i) for i in range(2)]
    orders = [
        services.order_create(
            Actor(user=users["physician"]),
            p.pk,
            medication="methadone",
            dose_mg=Decimal(30),
            start_date=today,
        )
        for p in people
    ]
    page = signed_in("t_nurse")
    page.clock.install()
    page.goto("/dosing/")
    expect(page.locator("#due-count")).to_have_text("2")
    page.evaluate("window.__same_page = true")
    # another nurse doses one of them
    services.dose_record(Actor(user=users["nurse"]), orders[0].pk, Decimal(30))
    page.clock.run_for(25_000)
    expect(page.locator("#due-count")).to_have_text("1")
    expect(page.locator("#due-list")).not_to_contain_text("Refresh0")
    assert page.evaluate("window.__same_page") is True  # no full reload
