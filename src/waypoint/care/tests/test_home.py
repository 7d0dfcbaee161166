"""The home page's care panels (care/home.py): the counselor's sessions today with the
attendance recorded from the home page, the caseload with who falls below their level's
hours (trailing seven days) and plans due, the plans waiting for a clinician's signature,
and intake's admissions of the day — content, scoping and audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.care.episodes import services as episodes
from waypoint.care.models import SessionAttendee, TreatmentPlan
from waypoint.care.plans import services as plans
from waypoint.care.plans.schemas import PlanIn
from waypoint.care.sessions import services as sessions
from waypoint.care.sessions.schemas import SessionIn
from waypoint.core.actor import Actor

pytestmark = pytest.mark.django_db
IOP = "intensive_outpatient"


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


def _plan(users, site) -> PlanIn:
    return PlanIn.model_validate(
        {
            "problems": [
                {
                    "text": "Opioid use disorder, severe",
                    "goals": [
                        {
                            "text": "Stop using illicit opioids",
                            "objectives": [
                                {
                                    "text": "Three negative urine tests",
                                    "target_date": _today(site) + dt.timedelta(days=30),
                                }
                            ],
                            "interventions": [
                                {
                                    "text": "Individual counseling",
                                    "responsible": users["counselor"].pk,
                                    "frequency": "weekly",
                                }
                            ],
                        }
                    ],
                }
            ]
        }
    )


@pytest.fixture
def caseload(users, make_patient, site, site2):
    """The counselor's group started an hour ago (or at the day's start) with Abbott
    (in IOP for 30 days, no hours) and Baker (admitted yesterday); Cole is in care but
    never on the counselor's roster; Diaz is at DEN on the counselor's roster."""
    from waypoint.patients import services as patients
    from waypoint.patients.schemas import PatientIn

    c = Actor(user=users["counselor"])
    today = _today(site)
    people = {}
    for first, last, days in (("Al", "Abbott", 30), ("Bo", "Baker", 1), ("Cy", "Cole", 30)):
        p = make_patient(first, last)
        episodes.episode_admit(c, p.pk, IOP, today - dt.timedelta(days=days))
        people[last] = p
    diaz = patients.patient_register(
        Actor(user=users["intake"]),
        PatientIn(first_name="Di", last_name="Diaz", date_of_birth="1990-02-02", site=site2.code),
    )
    episodes.episode_admit(c, diaz.pk, IOP, _today(site2) - dt.timedelta(days=30))
    people["Diaz"] = diaz
    now = timezone.now()
    start = dt.datetime.combine(today, dt.time(0, 0), tzinfo=site.tz)
    group = sessions.session_schedule(
        c,
        SessionIn(
            kind="group",
            site=site.code,
            counselor=users["counselor"].pk,
            starts_at=max(start, now - dt.timedelta(hours=1)),
            duration_minutes=60,
            title="Relapse prevention",
            patients=[people["Abbott"].pk, people["Baker"].pk],
        ),
    )[0]
    sessions.session_schedule(
        c,
        SessionIn(
            kind="individual",
            site=site2.code,
            counselor=users["counselor"].pk,
            starts_at=now - dt.timedelta(days=3),
            duration_minutes=60,
            patients=[diaz.pk],
        ),
    )
    return people, group


def test_the_counselor_sees_her_sessions_and_caseload(client, users, caseload, site):
    people, group = caseload
    html = _home(client, users["counselor"])
    sessions_card = _section(html, "home-sessions")
    assert "Relapse prevention" in sessions_card and "2 attendances to record" in sessions_card
    assert f'id="home-att-{group.pk}-{people["Abbott"].pk}"' in sessions_card
    assert 'name="back" value="home"' in sessions_card
    card = _section(html, "home-caseload")
    assert "My caseload at KC <small>(2)</small>" in card
    assert "Abbott, Al" in card and "Baker, Bo" in card
    assert "Cole" not in html  # in care, never on her roster
    assert "Diaz" not in html  # on her roster, but in care at another site
    below = card.split('id="home-below"')[1].split("</ul>")[0]
    assert "Abbott, Al" in below and "9-19 hours a week" in below
    assert "Baker" not in below  # admitted yesterday: a partial week is not judged
    ev = AuditEvent.objects.filter(detail__view="home_counselor").latest("seq")
    named = set(ev.patient_links.values_list("patient_id", flat=True))
    assert named == {people["Abbott"].pk, people["Baker"].pk}


def test_attendance_recorded_from_the_home_page_comes_back_to_it(client, users, caseload):
    people, group = caseload
    _home(client, users["counselor"])
    resp = client.post(
        f"/care/sessions/{group.pk}/attendance/",
        {"patient": people["Abbott"].pk, "status": "attended", "minutes": "", "back": "home"},
    )
    assert resp.status_code == 302
    assert resp["Location"] == f"/#status-att-{group.pk}-{people['Abbott'].pk}"
    row = SessionAttendee.objects.get(session=group, patient=people["Abbott"])
    assert (row.status, row.minutes) == ("attended", 60)
    html = client.get("/").content.decode()
    assert "Attendance saved for Al Abbott: attended (60 min)." in html
    card = _section(html, "home-sessions")
    row = card.split(f'id="home-att-{group.pk}-{people["Abbott"].pk}"')[1].split("</tr>")[0]
    assert "Attended (60 min)" in row and "<select" not in row
    assert "1 attendance to record" in card
    # an hour attended in the trailing seven days is still below IOP's nine
    assert "Abbott, Al" in _section(html, "home-caseload").split('id="home-below"')[1]


def test_plans_due_for_review_and_unsigned(client, users, caseload, site):
    people, _ = caseload
    c = Actor(user=users["counselor"])
    ep = people["Abbott"].episodes.get()
    plan = plans.plan_create(c, ep.pk, _plan(users, site))
    TreatmentPlan.objects.filter(pk=plan.pk).update(
        review_due_on=_today(site) - dt.timedelta(days=1)
    )
    card = _section(_home(client, users["counselor"]), "home-caseload")
    row = card.split('id="home-plans"')[1].split("</ul>")[0]
    assert "Abbott, Al" in row and "review overdue" in row and "not signed by a clinician" in row
    assert f"/patients/{people['Abbott'].pk}/chart/care/#plan" in row

    doc = _section(_home(client, users["physician"]), "home-plans-to-sign")
    assert "Abbott, Al" in doc and "(1)" in doc
    plans.plan_sign(Actor(user=users["physician"]), plan.pk, "clinician")
    doc = _section(_home(client, users["physician"]), "home-plans-to-sign")
    assert "Abbott" not in doc and "No plan waits" in doc


def test_intake_sees_todays_admissions_at_her_site(client, users, caseload, make_patient, site):
    people, _ = caseload
    today_p = make_patient("Ed", "Evans")
    episodes.episode_admit(Actor(user=users["intake"]), today_p.pk, IOP, _today(site))
    card = _section(_home(client, users["intake"]), "home-admissions-today")
    assert "Evans, Ed" in card and "(1)" in card and "Intensive outpatient" in card
    assert "Abbott" not in card and "Baker" not in card  # admitted earlier
    ev = AuditEvent.objects.filter(detail__view="home_admissions").latest("seq")
    assert set(ev.patient_links.values_list("patient_id", flat=True)) == {today_p.pk}


def test_roles_without_the_permission_or_the_work_never_see_the_care_panels(
    client, users, caseload
):
    for role, absent in (
        ("nurse", ("home-sessions", "home-caseload", "home-plans-to-sign")),
        ("incentives", ("home-sessions", "home-caseload", "home-admissions-today")),
        ("auditor", ("home-sessions", "home-caseload", "home-admissions-today")),
        ("admin", ("home-sessions", "home-caseload", "home-admissions-today")),
        ("counselor", ("home-plans-to-sign", "home-admissions-today")),
    ):
        html = _home(client, users[role])
        for panel in absent:
            assert f'id="{panel}"' not in html, (role, panel)


def test_another_organizations_counselor_sees_none_of_it(client, caseload, other_org):
    from waypoint.core import services as core

    s = core.site_create(other_org, "KC", "Other KC", "America/Chicago")
    other = core.user_create(
        "x_counselor", "counselor", s, "pw-Long-enough-1", check_password=False
    )
    html = _home(client, other)
    for name in ("Abbott", "Baker", "Relapse prevention"):
        assert name not in html
