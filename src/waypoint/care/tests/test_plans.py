"""Treatment plans: drafts, signatures, versions, review dates; every refusal is a 4xx with
a stable code and writes nothing; another organization's plans are 404."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.care.models import PlanReviewInterval, TreatmentPlan
from waypoint.care.plans import selectors as plan_selectors


def today_kc() -> dt.date:
    return timezone.now().astimezone(ZoneInfo("America/Chicago")).date()


def d(days: int) -> str:
    """A KC-local date ``days`` from today (negative: in the past)."""
    return (today_kc() + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def patient(make_patient):
    return make_patient()


@pytest.fixture
def episode(api, patient):
    s, b = api.post(
        f"/patients/{patient.pk}/episodes",
        "counselor",
        {"level_of_care": "intensive_outpatient", "admitted_on": d(-10)},
    )
    assert s == 201, b
    return b["id"]


def body(users, target=None, responsible=None, **extra):
    return {
        "problems": [
            {
                "text": "Opioid use disorder, severe",
                "goals": [
                    {
                        "text": "Stop using illicit opioids",
                        "objectives": [
                            {"text": "Three negative urine tests", "target_date": target or d(30)}
                        ],
                        "interventions": [
                            {
                                "text": "Individual counseling",
                                "responsible": responsible or users["counselor"].pk,
                                "frequency": "weekly",
                            }
                        ],
                    }
                ],
            }
        ]
    } | extra


def create(api, episode, users, role="counselor", **kw):
    return api.post(f"/episodes/{episode}/treatment-plans", role, body(users, **kw))


def writes() -> tuple[int, int]:
    return TreatmentPlan.objects.count(), AuditEvent.objects.count()


def test_create_sign_revise_and_read(api, episode, users):
    s, b = create(api, episode, users)
    assert s == 201, b
    pid = b["id"]
    assert b["version"] == 1 and b["status"] == "draft" and b["previous"] is None
    assert b["level_of_care"] == "intensive_outpatient"
    assert b["plan_date"] == d(0) and b["review_due_on"] == d(30)
    assert b["review_overdue"] is False
    assert b["problems"][0]["goals"][0]["objectives"][0]["target_date"] == d(30)

    # a draft may be edited
    s, b = api.call("PUT", f"/treatment-plans/{pid}", "physician", body(users, target=d(20)))
    assert s == 200, b
    assert b["problems"][0]["goals"][0]["objectives"][0]["target_date"] == d(20)

    s, b = api.post(f"/treatment-plans/{pid}/sign", "counselor", {"signer": "clinician"})
    assert s == 200, b
    assert b["status"] == "awaiting_signature"
    assert b["clinician_signature"]["signed_by"] == users["counselor"].pk
    assert b["clinician_signature"]["signed_at"]

    n = writes()
    s, b = api.post(f"/treatment-plans/{pid}/sign", "physician", {"signer": "clinician"})
    assert (s, b["code"]) == (409, "already_signed") and writes() == n
    s, b = api.call("PUT", f"/treatment-plans/{pid}", "counselor", body(users))
    assert (s, b["code"]) == (409, "plan_signed") and writes() == n

    s, b = api.post(
        f"/treatment-plans/{pid}/sign", "counselor", {"signer": "patient", "witness": "J. Doe"}
    )
    assert s == 200, b
    assert b["status"] == "signed"
    assert b["patient_signature"]["witness"] == "J. Doe"
    assert b["patient_signature"]["recorded_by"] == users["counselor"].pk

    s, b = api.post(f"/treatment-plans/{pid}/revise", "physician", {})
    assert s == 201, b
    new = b["id"]
    assert b["version"] == 2 and b["previous"] == pid and b["status"] == "draft"
    assert b["clinician_signature"]["signed_at"] is None
    assert b["patient_signature"]["signed_at"] is None
    assert b["problems"][0]["text"] == "Opioid use disorder, severe"

    s, b = api.get(f"/treatment-plans/{pid}", "nurse")
    assert s == 200 and b["status"] == "superseded"
    assert b["clinician_signature"]["signed_at"]  # the old version keeps its signatures
    n = writes()
    for call in (
        lambda: api.call("PUT", f"/treatment-plans/{pid}", "counselor", body(users)),
        lambda: api.post(f"/treatment-plans/{pid}/sign", "counselor", {"signer": "patient"}),
        lambda: api.post(f"/treatment-plans/{pid}/revise", "counselor", {}),
    ):
        s, b = call()
        assert s == 409 and b["code"] in ("plan_superseded", "plan_signed"), b
    assert writes() == n

    s, b = api.get(f"/episodes/{episode}/treatment-plans", "nurse")
    assert s == 200 and [p["version"] for p in b] == [2, 1]
    assert [p["id"] for p in b] == [new, pid]


def test_refusals_write_nothing(api, episode, users, other_org_api, patient):
    n = writes()
    s, b = create(api, episode, users, target=d(-1))
    assert (s, b["code"]) == (422, "target_before_plan_date")
    s, b = create(api, episode, users, responsible=999999)
    assert (s, b["code"]) == (422, "unknown_staff")
    s, b = create(api, episode, users, plan_date=d(1))
    assert (s, b["code"]) == (422, "date_in_future")
    s, b = create(api, episode, users, plan_date=d(-20))
    assert (s, b["code"]) == (422, "date_before_admission")
    bad = body(users)
    bad["problems"][0]["problem_id"] = 424242
    s, b = api.post(f"/episodes/{episode}/treatment-plans", "counselor", bad)
    assert (s, b["code"]) == (422, "unknown_problem")
    s, b = api.post(f"/episodes/{episode}/treatment-plans", "counselor", {"problems": "x"})
    assert s == 422
    s, b = api.post(f"/episodes/{episode}/treatment-plans", "counselor", raw="{nope")
    assert s in (400, 422)
    s, b = create(api, episode, users, role="nurse")
    assert (s, b["code"]) == (403, "forbidden")
    s, b = create(api, 999999, users)
    assert s == 404
    assert writes() == n

    s, b = create(api, episode, users)
    assert s == 201
    pid = b["id"]
    n = writes()
    s, b = create(api, episode, users)
    assert (s, b["code"]) == (409, "plan_exists")
    s, b = api.post(f"/treatment-plans/{pid}/revise", "counselor", {})
    assert (s, b["code"]) == (409, "plan_not_signed")
    s, b = api.post(f"/treatment-plans/{pid}/sign", "counselor", {"signer": "someone"})
    assert s == 422
    # another organization: 404 for every route
    assert other_org_api.get(f"/treatment-plans/{pid}", "admin")[0] == 404
    assert other_org_api.get(f"/episodes/{episode}/treatment-plans", "admin")[0] == 404
    s, _ = other_org_api.post(f"/treatment-plans/{pid}/sign", "admin", {"signer": "clinician"})
    assert s == 404
    assert other_org_api.post(f"/treatment-plans/{pid}/revise", "admin", {})[0] == 404
    s, _ = other_org_api.post(f"/episodes/{episode}/treatment-plans", "admin", body(users))
    assert s == 404
    assert api.get(f"/treatment-plans/{pid}", "intake")[0] == 403
    assert writes() == n

    # discharged episode
    s, b = api.post(
        f"/episodes/{episode}/discharge", "counselor", {"on": d(0), "reason": "completed"}
    )
    assert s == 200, b
    n = writes()
    s, b = api.post(f"/treatment-plans/{pid}/sign", "counselor", {"signer": "clinician"})
    assert (s, b["code"]) == (409, "episode_discharged")
    s, b = api.call("PUT", f"/treatment-plans/{pid}", "counselor", body(users))
    assert (s, b["code"]) == (409, "episode_discharged")
    TreatmentPlan.objects.all().delete()
    n = writes()
    s, b = create(api, episode, users)
    assert (s, b["code"]) == (409, "episode_discharged")
    assert writes() == n


def test_review_date_override_and_overdue(api, episode, users, org, site):
    PlanReviewInterval.objects.create(organization=org, level="intensive_outpatient", days=21)
    s, b = create(api, episode, users, plan_date=d(-8))
    assert s == 201, b
    assert b["review_due_on"] == d(13) and b["review_overdue"] is False
    TreatmentPlan.objects.filter(pk=b["id"]).update(review_due_on=today_kc())
    assert plan_selectors.plans_review_overdue(org.pk, site) == []  # due today: not overdue
    TreatmentPlan.objects.filter(pk=b["id"]).update(review_due_on=today_kc() - dt.timedelta(days=1))
    rows = plan_selectors.plans_review_overdue(org.pk, site)
    assert [p.pk for p in rows] == [b["id"]]
    s, b = api.get(f"/treatment-plans/{b['id']}", "counselor")
    assert b["review_overdue"] is True


def test_chart_section_and_pages(client, users, api, episode, patient):
    client.force_login(users["counselor"])
    r = client.get(f"/patients/{patient.pk}/chart/care/")
    assert r.status_code == 200
    assert b"Treatment plan" in r.content and b"no-plan" in r.content
    r = client.get(f"/care/episodes/{episode}/plan/new/")
    assert r.status_code == 200
    r = client.post(
        f"/care/episodes/{episode}/plan/new/",
        {
            "plan_date": d(0),
            "problem_text": ["Opioid use disorder"],
            "problem_link": [""],
            "goal_text": ["Stay abstinent"],
            "objective_text": ["Negative tests"],
            "objective_target": [d(20)],
            "intervention_text": ["Counseling"],
            "intervention_staff": [str(users["counselor"].pk)],
            "intervention_frequency": ["weekly"],
        },
    )
    assert r.status_code == 302, r.content[:500]
    plan = TreatmentPlan.objects.get()
    r = client.post(f"/care/plans/{plan.pk}/sign/", {"signer": "clinician"})
    assert r.status_code == 200 and b"as the clinician?" in r.content  # asks to confirm
    plan.refresh_from_db()
    assert plan.clinician_signed_at is None
    r = client.post(f"/care/plans/{plan.pk}/sign/", {"signer": "clinician", "confirm": "1"})
    assert r.status_code == 302
    plan.refresh_from_db()
    assert plan.clinician_signed_by_id == users["counselor"].pk
    r = client.get(f"/patients/{patient.pk}/chart/care/")
    assert b"Opioid use disorder" in r.content and b"Signed by the clinician" in r.content
    r = client.get(f"/care/plans/{plan.pk}/edit/")  # signed: the chart with a reason
    assert r.status_code == 409 and b"revise it to make changes" in r.content
    client.force_login(users["nurse"])
    assert client.get(f"/care/episodes/{episode}/plan/new/").status_code == 403
    r = client.get(f"/patients/{patient.pk}/chart/care/")
    assert b"Opioid use disorder" in r.content


def test_census_board_flags_an_overdue_plan_review(client, api, episode, users, site):
    s, b = create(api, episode, users, plan_date=d(-8))
    client.force_login(users["counselor"])
    assert b"plan review overdue" not in client.get("/care/census/?site=KC").content
    overdue_since = today_kc() - dt.timedelta(days=1)
    TreatmentPlan.objects.filter(pk=b["id"]).update(review_due_on=overdue_since)
    page = client.get("/care/census/?site=KC").content.decode()
    assert f"plan review overdue since {overdue_since.isoformat()}" in page
