"""Each role's home page in a browser (issue 19): the person signs in through the real form
(password, then the authenticator's code), the home shows that role's work, and one action
taken from it completes without leaving the flow — the nurse gives a dose, the counselor
records attendance, the physician signs an order, intake admits a walk-in, the coordinator
redeems a reward; the director's home shows the program's numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from conftest import PASSWORD
from django.utils import timezone
from playwright.sync_api import expect

from waypoint.care.episodes import services as episodes
from waypoint.care.models import SessionAttendee
from waypoint.care.sessions import services as sessions
from waypoint.care.sessions.schemas import SessionIn
from waypoint.core.actor import Actor
from waypoint.incentives import services as incentives
from waypoint.incentives.models import Redemption
from waypoint.intake import services as intake
from waypoint.intake.schemas import InquiryIn, MakePatientIn
from waypoint.labs import services as labs
from waypoint.medication import services as medication
from waypoint.medication.models import DoseEvent, MedicationOrder

pytestmark = pytest.mark.browser
OTP = "opioid_treatment_program"


def _today(site) -> dt.date:
    return timezone.now().astimezone(site.tz).date()


def test_nurse_doses_from_the_home_page(users, make_patient, site, login):
    people = [make_patient("Al", "Abbott"), make_patient("Bo", "Baker")]
    for p, mg in zip(people, (40, 35), strict=True):
        episodes.episode_admit(Actor(user=users["counselor"]), p.pk, OTP, _today(site))
        medication.order_create(
            Actor(user=users["physician"]),
            p.pk,
            medication="methadone",
            dose_mg=Decimal(mg),
            start_date=_today(site),
        )
    page = login("t_nurse")
    expect(page.locator("#home-window h2")).to_have_text(f"Today's window at {site.code}")
    expect(page.locator("#home-due-count")).to_have_text("2")
    page.click("#home-due >> text=Abbott, Al")
    expect(page.locator("#panel-name")).to_have_text("Al Abbott")  # the window, selected
    page.click("#dose-panel button.give")
    expect(page.locator(".messages")).to_contain_text("Given: 40 mg methadone")
    assert DoseEvent.objects.filter(patient=people[0]).count() == 1
    page.click("header .brand")  # home again: the count moved
    expect(page.locator("#home-due-count")).to_have_text("1")
    expect(page.locator("#home-dosed-count")).to_have_text("1")
    expect(page.locator("#home-due")).not_to_contain_text("Abbott")


def test_counselor_records_attendance_on_the_home_page(users, make_patient, site, login):
    c = Actor(user=users["counselor"])
    people = [make_patient("Al", "Abbott"), make_patient("Bo", "Baker")]
    for p in people:
        episodes.episode_admit(c, p.pk, "intensive_outpatient", _today(site) - dt.timedelta(30))
    day_start = dt.datetime.combine(_today(site), dt.time(0, 0), tzinfo=site.tz)
    group = sessions.session_schedule(
        c,
        SessionIn(
            kind="group",
            site=site.code,
            counselor=users["counselor"].pk,
            starts_at=max(day_start, timezone.now() - dt.timedelta(minutes=30)),
            duration_minutes=60,
            title="Relapse prevention",
            patients=[p.pk for p in people],
        ),
    )[0]
    page = login("t_counselor")
    expect(page.locator("#home-sessions")).to_contain_text("2 attendances to record")
    expect(page.locator("#home-caseload")).to_contain_text("Abbott, Al")
    row = f"#home-att-{group.pk}-{people[1].pk}"
    page.select_option(f"{row} select", "absent")
    page.click(f"{row} button[type=submit]")
    expect(page.locator("#home-sessions")).to_contain_text("Attendance saved for Bo Baker: absent.")
    assert page.url.split("#")[0].endswith("/")  # still the home page
    expect(page.locator(f"{row} .att-status")).to_have_text("Absent")
    expect(page.locator(f"{row} select")).to_have_count(0)
    expect(page.locator("#home-sessions")).to_contain_text("1 attendance to record")
    att = SessionAttendee.objects.get(session=group, patient=people[1])
    assert (att.status, att.minutes) == ("absent", None)


def test_physician_signs_an_order_from_the_home_page(users, make_patient, site, login):
    person = make_patient("Ed", "Evans")
    episodes.episode_admit(Actor(user=users["intake"]), person.pk, OTP, _today(site))
    page = login("t_physician")
    expect(page.locator("#home-no-order-count")).to_have_text("1")
    page.click("#home-no-order >> text=Evans, Ed")
    page.select_option("#o-med", "methadone")
    page.fill("#o-dose", "30")
    page.fill("#o-sign-pw", PASSWORD)
    page.click("#order-sign")
    expect(page.locator("#active-orders")).to_contain_text("30 mg")
    assert MedicationOrder.objects.filter(patient=person, stopped_at__isnull=True).count() == 1
    page.click("header .brand")
    expect(page.locator("#home-no-order-count")).to_have_text("0")
    expect(page.locator("#home-inductions")).to_contain_text("Evans, Ed")


def test_intake_admits_a_walk_in_from_the_home_page(users, actor, site, login):
    inq = intake.inquiry_create(
        actor("intake"),
        InquiryIn(site=site.code, channel="walk_in", name="Morgan Vale", withdrawal_now=True),
    )
    _, person = intake.inquiry_make_patient(
        actor("intake"),
        inq.pk,
        MakePatientIn(first_name="Morgan", last_name="Vale", date_of_birth="1991-03-04"),
    )
    page = login("t_intake")
    expect(page.locator("#home-walk-ins h2")).to_contain_text("1 waiting, 1 urgent")
    page.click(f"#home-walk-in-{inq.pk} >> text=Admit")
    page.select_option("#ad-level", OTP)
    page.click("#admit-form button[type=submit]")
    expect(page.locator("#current-level")).to_contain_text("Opioid treatment program")
    page.click("header .brand")
    expect(page.locator("#home-walk-ins h2")).to_contain_text("0 waiting")
    expect(page.locator("#home-admissions-today")).to_contain_text("Vale, Morgan")
    assert person.episodes.filter(discharged_on__isnull=True).count() == 1


def test_coordinator_redeems_from_the_home_page(users, make_patient, site, login):
    coordinator = Actor(user=users["incentives"])
    person = make_patient("Rosa", "Delgado")
    medication.order_create(
        Actor(user=users["physician"]),
        person.pk,
        medication="methadone",
        dose_mg=Decimal(60),
        start_date=_today(site),
    )
    plan = incentives.plan_create(coordinator, person.pk, start_on=_today(site))
    incentives.reward_create(coordinator, site.code, "Transit card", "transport", 200)
    labs.drug_test_record(
        coordinator,
        person.pk,
        collected_at=timezone.now(),
        observed=True,
        results=dict.fromkeys(plan.targets, "negative"),
    )
    page = login("t_incentives")
    expect(page.locator("#home-tests-count")).to_have_text("1")
    expect(page.locator("#home-can-redeem")).to_contain_text("balance $2.50")
    page.click("#home-can-redeem >> text=Delgado, Rosa")
    page.select_option("#rd-reward", label="Transit card — $2.00")
    page.check("#rd-present")
    page.click("#redeem-form button[type=submit]")
    page.click("#confirm-yes")
    expect(page.locator("#status-incentives")).to_contain_text("the balance is now $0.50")
    assert Redemption.objects.filter(patient=person).count() == 1
    page.click("header .brand")
    expect(page.locator("#home-redemptions-count")).to_have_text("1")
    expect(page.locator("#home-redemptions")).to_contain_text("Transit card")


def test_director_home_shows_the_program_numbers(users, make_patient, site, login):
    for first, last in (("Al", "Abbott"), ("Bo", "Baker")):
        p = make_patient(first, last)
        episodes.episode_admit(Actor(user=users["counselor"]), p.pk, OTP, _today(site))
    page = login("t_admin")
    expect(page.locator("#home-program h2")).to_have_text("The program today")
    expect(page.locator("#home-in-care")).to_have_text("2")
    expect(page.locator("#home-in-otp")).to_have_text("2")
    expect(page.locator("#home-admissions")).to_have_text("2")
    expect(page.locator("#home-dashboard-link")).to_have_attribute("href", "/dashboard/")
    expect(page.locator("#home-window")).to_have_count(0)


def test_role_homes_with_their_rows_fit_a_phone(users, make_patient, actor, site, signed_in):
    """At 390 px the homes with rows in them (the nurse's due list, the counselor's roster
    forms, the walk-in queue) do not scroll sideways (tests/browser/test_phone_width.py)."""
    from tests.browser.test_phone_width import OVERFLOW, PHONE

    c = Actor(user=users["counselor"])
    person = make_patient("Maximiliana", "Castellano-Villanueva")
    episodes.episode_admit(c, person.pk, OTP, _today(site) - dt.timedelta(days=30))
    medication.order_create(
        Actor(user=users["physician"]),
        person.pk,
        medication="methadone",
        dose_mg=Decimal(40),
        start_date=_today(site),
    )
    day_start = dt.datetime.combine(_today(site), dt.time(0, 0), tzinfo=site.tz)
    sessions.session_schedule(
        c,
        SessionIn(
            kind="group",
            site=site.code,
            counselor=users["counselor"].pk,
            starts_at=max(day_start, timezone.now() - dt.timedelta(minutes=30)),
            duration_minutes=60,
            title="Relapse prevention and coping skills",
            patients=[person.pk],
        ),
    )
    intake.inquiry_create(
        actor("intake"),
        InquiryIn(site=site.code, channel="walk_in", name="Alexandria Featherstonehaugh"),
    )
    for username, panel in (
        ("t_nurse", "#home-window"),
        ("t_counselor", "#home-sessions"),
        ("t_intake", "#home-walk-ins"),
        ("t_physician", "#home-orders"),
    ):
        page = signed_in(username)
        page.set_viewport_size(PHONE)
        page.goto("/")
        expect(page.locator(panel)).to_be_visible()
        got = page.evaluate(OVERFLOW)
        assert got["scroll"] <= got["width"] and not got["out"], (username, got)
