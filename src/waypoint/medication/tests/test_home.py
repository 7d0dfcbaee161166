"""The home page's medication panels (medication/selectors/home.py): the nurse's window,
the physician's orders and the director's numbers — what each shows, that another site's
and another organization's patients never appear, that a role without the permission
never sees the panel, and the audit event naming the patients shown."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.care.episodes import services as episodes
from waypoint.core.actor import Actor
from waypoint.medication import services
from waypoint.medication.models import MedicationOrder

pytestmark = pytest.mark.django_db
OTP = "opioid_treatment_program"


def _today(site) -> dt.date:
    return timezone.now().astimezone(site.tz).date()


def _home(client, user) -> str:
    client.logout()
    client.force_login(user)
    resp = client.get("/")
    assert resp.status_code == 200
    return resp.content.decode()


def _section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def world(users, make_patient, site, site2, other_org):
    """At KC: Abbott due, Baker dosed, Castillo missed 4 days, Diaz a buprenorphine
    induction without a COWS, Evans admitted to the OTP without an order. At DEN: Ford
    due. In another organization: Gray due."""
    from waypoint.core import services as core
    from waypoint.patients import services as patients
    from waypoint.patients.schemas import PatientIn

    today = _today(site)
    doc, nurse, counselor = (Actor(user=users[r]) for r in ("physician", "nurse", "counselor"))
    people = {}
    for first, last, s in (
        ("Al", "Abbott", site),
        ("Bo", "Baker", site),
        ("Cy", "Castillo", site),
        ("Di", "Diaz", site),
        ("Ed", "Evans", site),
        ("Fi", "Ford", site2),
    ):
        p = (
            make_patient(first, last)
            if s == site
            else patients.patient_register(
                Actor(user=users["intake"]),
                PatientIn(
                    first_name=first, last_name=last, date_of_birth="1990-02-02", site=s.code
                ),
            )
        )
        episodes.episode_admit(counselor, p.pk, OTP, _today(s))
        people[last] = p
    orders = {}
    for last, mg in (("Abbott", 40), ("Baker", 30), ("Castillo", 50), ("Ford", 45)):
        orders[last] = services.order_create(
            doc,
            people[last].pk,
            medication="methadone",
            dose_mg=Decimal(mg),
            start_date=_today(people[last].site),
        )
    orders["Diaz"] = services.order_create(
        doc,
        people["Diaz"].pk,
        medication="buprenorphine",
        dose_mg=Decimal(4),
        start_date=today,
        induction="standard",
    )
    services.dose_record(nurse, orders["Baker"].pk, Decimal(30))
    MedicationOrder.objects.filter(pk=orders["Castillo"].pk).update(
        start_date=today - dt.timedelta(days=4)
    )
    # another organization, same site code and a patient due today
    o_site = core.site_create(other_org, "KC", "Other KC", "America/Chicago")
    o_users = {
        r: core.user_create(f"x_{r}", r, o_site, "pw-Long-enough-1", check_password=False)
        for r in ("intake", "counselor", "physician")
    }
    gray = patients.patient_register(
        Actor(user=o_users["intake"]),
        PatientIn(first_name="Gus", last_name="Gray", date_of_birth="1980-01-01", site="KC"),
    )
    episodes.episode_admit(Actor(user=o_users["counselor"]), gray.pk, OTP, today)
    services.order_create(
        Actor(user=o_users["physician"]),
        gray.pk,
        medication="methadone",
        dose_mg=Decimal(40),
        start_date=today,
    )
    return people, orders


def test_the_nurse_sees_todays_window_at_her_site(client, users, world, site):
    people, _ = world
    html = _home(client, users["nurse"])
    panel = _section(html, "home-window")
    assert 'id="home-due-count">3<' in panel  # Abbott, Castillo, Diaz (not Baker: dosed)
    assert 'id="home-dosed-count">1<' in panel
    due = panel.split('id="home-due"')[1]
    assert f'href="/dosing/?site={site.code}&amp;patient={people["Abbott"].pk}"' in due
    assert "Baker" not in due
    for elsewhere in ("Ford", "Gray"):  # another site, another organization
        assert elsewhere not in html
    exceptions = panel.split('id="home-exceptions"')[1].split("</ul>")[0]
    assert "Castillo, Cy" in exceptions and "missed 4 days" in exceptions
    assert "Abbott" not in exceptions
    cows = panel.split('id="home-cows-due"')[1].split("</ul>")[0]
    assert "Diaz, Di" in cows and "no COWS in the window" in cows
    assert f"/patients/{people['Diaz'].pk}/assessments/cows/" in cows
    assert 'id="home-cows-count">1<' in panel


def test_a_cows_at_the_threshold_takes_the_induction_off_the_list(client, users, world, actor):
    from waypoint.assessments import services as assessments
    from waypoint.assessments.tests.test_api import COWS_ZERO

    people, _ = world
    items = dict(COWS_ZERO)
    items.update(resting_pulse=2, sweating=2, restlessness=3, gi_upset=2)  # 9: at least 8
    assessments.assessment_record(actor("nurse"), people["Diaz"].pk, "cows", items)
    panel = _section(_home(client, users["nurse"]), "home-window")
    assert 'id="home-cows-count">0<' in panel and "home-cows-due" not in panel


def test_the_nurse_home_is_audited_naming_the_patients_shown(client, users, world):
    people, _ = world
    _home(client, users["nurse"])
    ev = AuditEvent.objects.filter(detail__view="home_nurse").latest("seq")
    assert ev.actor_id == users["nurse"].pk and ev.action == "list"
    named = set(ev.patient_links.values_list("patient_id", flat=True))
    assert {people["Abbott"].pk, people["Castillo"].pk, people["Diaz"].pk} <= named
    assert people["Ford"].pk not in named and people["Baker"].pk not in named


def test_the_physician_sees_orders_to_write_reassess_and_inductions(client, users, world):
    people, _ = world
    html = _home(client, users["physician"])
    panel = _section(html, "home-orders")
    no_order = panel.split('id="home-no-order"')[1].split("</ul>")[0]
    assert "Evans, Ed" in no_order and f"/patients/{people['Evans'].pk}/" in no_order
    assert "Abbott" not in no_order
    reassess = panel.split('id="home-reassess"')[1].split("</ul>")[0]
    assert "Castillo, Cy" in reassess and "missed 4 days" in reassess
    inductions = panel.split('id="home-inductions"')[1].split("</ul>")[0]
    assert "Diaz, Di" in inductions and "standard induction" in inductions
    assert "Castillo" not in inductions  # started four days ago
    for elsewhere in ("Ford", "Gray"):
        assert elsewhere not in html
    ev = AuditEvent.objects.filter(detail__view="home_physician").latest("seq")
    assert people["Evans"].pk in set(ev.patient_links.values_list("patient_id", flat=True))


def test_a_reassessment_takes_the_order_off_both_lists(client, users, world, actor):
    people, orders = world
    services.order_reassess(actor("physician"), orders["Castillo"].pk, note="seen today")
    assert 'id="home-reassess"' not in _section(_home(client, users["physician"]), "home-orders")
    panel = _section(_home(client, users["nurse"]), "home-window")
    assert 'id="home-exception-count">0<' in panel


def test_the_director_sees_the_program_numbers_and_the_dashboard_link(client, users, world):
    html = _home(client, users["admin"])
    panel = _section(html, "home-program")
    assert 'id="home-in-care">6<' in panel  # five at KC, one at DEN; never the other org's
    assert 'id="home-in-otp">6<' in panel
    assert 'id="home-admissions">6<' in panel
    assert 'id="home-doses-today">1<' in panel
    assert 'href="/dashboard/"' in panel
    assert "Abbott" not in html  # numbers only: no patient named
    assert 'id="home-window"' not in html and 'id="home-orders"' not in html


def test_roles_without_the_permission_never_see_the_medication_panels(client, users, world):
    for role in ("counselor", "intake", "incentives", "auditor", "privacy_officer"):
        html = _home(client, users[role])
        for panel in ("home-window", "home-orders", "home-program"):
            assert f'id="{panel}"' not in html, (role, panel)
