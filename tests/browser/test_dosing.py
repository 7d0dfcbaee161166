"""The dosing window in a browser: a physician signs a methadone order on the chart; a
nurse doses a queue of people one after the other — by MRN (as a scanned card types it),
by name, and from the "due" list — sees a refusal in words when a dose would be the
second of the day, and the counts move."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import PASSWORD
from django.utils import timezone
from playwright.sync_api import expect

from waypoint.care.episodes import services as episodes
from waypoint.core.actor import Actor
from waypoint.medication import services
from waypoint.medication.models import DoseEvent

pytestmark = pytest.mark.browser
OTP = "opioid_treatment_program"


def test_physician_orders_and_nurse_doses_a_queue(users, make_patient, site, signed_in):
    today = timezone.now().astimezone(site.tz).date()
    queue = [make_patient(f"Q{i}", n) for i, n in enumerate(["Abbott", "Baker", "Castillo"])]
    for p in queue:  # a dose needs an open episode of care
        episodes.episode_admit(Actor(user=users["counselor"]), p.pk, OTP, today)

    doc = signed_in("t_physician")
    doc.goto(f"/patients/{queue[0].pk}/chart/medication/")
    doc.select_option("#o-med", "methadone")
    doc.fill("#o-dose", "40")
    doc.fill("#o-start", today.isoformat())
    doc.fill("#o-sign-pw", PASSWORD)  # the prescriber's password signs the order
    doc.click("#order-sign")
    expect(doc.locator("#active-orders")).to_contain_text("40 mg")
    for p, mg in ((queue[1], 30), (queue[2], 45)):
        services.order_create(
            Actor(user=users["physician"]),
            p.pk,
            medication="methadone",
            dose_mg=Decimal(mg),
            start_date=today,
        )

    page = signed_in("t_nurse")
    page.click("nav >> text=Dosing")
    expect(page.locator("#due-count")).to_have_text("3")

    # 1. a scanned card: the MRN typed into the one field
    page.fill("#q", queue[0].mrn)
    page.press("#q", "Enter")
    expect(page.locator("#panel-name")).to_have_text("Q0 Abbott")
    page.click("#dose-panel button.give")
    expect(page.locator(".messages")).to_contain_text("Given: 40 mg methadone")
    expect(page.locator("#due-count")).to_have_text("2")
    expect(page.locator("#q")).to_be_focused()

    # a second nurse opens the same person's panel at the same time
    other = signed_in("t_nurse")
    other.goto(f"/dosing/?patient={queue[1].pk}")
    expect(other.locator("#dose-panel button.give")).to_have_count(1)

    # 2. by name
    page.fill("#q", "Baker")
    page.press("#q", "Enter")
    expect(page.locator("#dose-panel")).to_contain_text("30 mg methadone")
    page.click("#dose-panel button.give")
    expect(page.locator(".messages")).to_contain_text("Q1 Baker")

    # 3. from the due list
    page.click("#due-list >> text=Castillo, Q2")
    page.click("#dose-panel button.give")
    expect(page.locator(".messages")).to_contain_text("Given: 45 mg")
    expect(page.locator("#due-count")).to_have_text("0")
    expect(page.locator("#recent-doses")).to_contain_text("Abbott, Q0")

    # the first person comes back: already dosed, no button
    page.fill("#q", queue[0].mrn)
    page.press("#q", "Enter")
    expect(page.locator("#dose-panel")).to_contain_text("Given today")
    expect(page.locator("#dose-panel button.give")).to_have_count(0)

    # the second nurse's screen still shows the button: pressing it is refused in words
    other.click("#dose-panel button.give")
    expect(other.locator("#status-dose")).to_contain_text("Already given today")
    expect(other.locator("#status-dose")).to_be_focused()
    assert DoseEvent.objects.count() == 3
    assert sorted(DoseEvent.objects.values_list("dose_mg", flat=True)) == [30, 40, 45]


def test_a_busy_database_is_said_at_the_window_and_nothing_is_given(
    users, make_patient, site, signed_in, monkeypatch
):
    """SQLite's one writer held by a long import past the wait's bound (``core.errors.Busy``):
    the nurse's press is answered at the window in words, nothing is given, and the same
    press once the database is free gives the dose. A page that cannot write its audit
    event answers the 503 page, saying nothing was saved."""
    from waypoint.audit import services as audit_services
    from waypoint.core.errors import Busy
    from waypoint.medication.services import dosing

    today = timezone.now().astimezone(site.tz).date()
    p = make_patient("Bea", "Busy")
    episodes.episode_admit(Actor(user=users["counselor"]), p.pk, OTP, today)
    services.order_create(
        Actor(user=users["physician"]),
        p.pk,
        medication="methadone",
        dose_mg=Decimal(40),
        start_date=today,
    )

    def busy(*args, **kwargs):
        raise Busy(20.0)

    page = signed_in("t_nurse")
    page.goto(f"/dosing/?patient={p.pk}")
    expect(page.locator("#dose-panel button.give")).to_have_count(1)
    with monkeypatch.context() as m:
        m.setattr(dosing, "_dose_locked", busy)
        page.click("#dose-panel button.give")
        expect(page.locator("#status-dose")).to_contain_text("nothing was saved")
        assert DoseEvent.objects.count() == 0

        m.setattr(audit_services, "append", busy)
        answer = page.goto(f"/patients/{p.pk}/")
        assert answer is not None and answer.status == 503
        expect(page.locator("h1")).to_have_text("Busy: nothing was saved")

    page.goto(f"/dosing/?patient={p.pk}")
    page.click("#dose-panel button.give")
    expect(page.locator(".messages")).to_contain_text("Given: 40 mg methadone")
    assert DoseEvent.objects.count() == 1
