"""Recovery events through the API: the lost-tolerance decision end to end (discharges,
releases, tests and check-ins), the overdose-risk flag and the outreach task it opens,
refusals that write nothing, organization scoping and roles; the person's recovery
summary."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from waypoint.assessments.models import Flag
from waypoint.audit.models import AuditEvent
from waypoint.care.episodes import services as episodes
from waypoint.recovery.models import (
    AftercareItem,
    AftercarePlan,
    CheckIn,
    NaloxoneKit,
    OutreachTask,
    RecoveryEvent,
)

pytestmark = pytest.mark.django_db

KC = ZoneInfo("America/Chicago")


def today() -> dt.date:
    return timezone.now().astimezone(KC).date()


def ago(days: int) -> dt.date:
    return today() - dt.timedelta(days)


@pytest.fixture
def patient(make_patient):
    return make_patient()


def stay(actor, patient, level: str, admitted: int, discharged: int):
    """An episode at ``level`` from ``admitted`` days ago, discharged ``discharged`` days
    ago."""
    ep = episodes.episode_admit(actor("counselor"), patient.pk, level, ago(admitted))
    return episodes.episode_discharge(actor("counselor"), ep.pk, ago(discharged), "completed")


def record(api, patient, role="nurse", **body):
    body = {"kind": "return_to_use", "on": today().isoformat()} | body
    return api.post(f"/patients/{patient.pk}/recovery-events", role, body)


def test_return_to_use_after_residential_discharge_flags_and_opens_a_task_due_in_72h(
    api, actor, patient
):
    stay(actor, patient, "residential", admitted=40, discharged=10)
    before = timezone.now()
    status, body = record(api, patient, substances=["fentanyl"], note="at a friend's")
    after = timezone.now()
    assert status == 201, body
    assert body["kind"] == "return_to_use" and body["substances"] == ["fentanyl"]
    assert body["lost_tolerance"] is True
    assert "discharge from residential care" in body["lost_tolerance_reason"]
    assert body["flag"]["kind"] == "overdose_risk"
    assert "residential" in body["flag"]["reason"]
    task = body["outreach_task"]
    assert task["reason"] == "return_to_use" and task["status"] == "open"
    assert task["site"] == "KC"
    due = dt.datetime.fromisoformat(task["due_at"])
    assert before + dt.timedelta(hours=72) <= due <= after + dt.timedelta(hours=72)
    flag = Flag.objects.get(patient=patient)
    assert flag.source_type == "recoveryevent" and flag.source_id == body["id"]
    t = OutreachTask.objects.get(patient=patient)
    assert t.source_type == "recoveryevent" and t.source_id == body["id"]
    actions = set(
        AuditEvent.objects.filter(patient_id=patient.pk).values_list("object_type", flat=True)
    )
    assert {"recovery_event", "flag", "outreach_task"} <= actions


def test_withdrawal_management_discharge_also_counts(api, actor, patient):
    stay(actor, patient, "withdrawal_management", admitted=12, discharged=5)
    status, body = record(api, patient)
    assert status == 201 and body["lost_tolerance"] is True
    assert "withdrawal management" in body["lost_tolerance_reason"]


def test_outpatient_discharge_is_no_lost_tolerance_but_the_task_opens(api, actor, patient):
    stay(actor, patient, "outpatient", admitted=40, discharged=10)
    status, body = record(api, patient)
    assert status == 201
    assert body["lost_tolerance"] is False and body["lost_tolerance_reason"] == ""
    assert body["flag"] is None
    assert not Flag.objects.filter(patient=patient).exists()
    # the contract: every return to use or overdose opens an outreach task
    assert body["outreach_task"]["reason"] == "return_to_use"


def test_the_level_that_ended_at_discharge_decides(api, actor, patient):
    ep = episodes.episode_admit(actor("counselor"), patient.pk, "residential", ago(40))
    episodes.episode_transition(actor("counselor"), ep.pk, "intensive_outpatient", ago(20))
    episodes.episode_discharge(actor("counselor"), ep.pk, ago(10), "completed")
    status, body = record(api, patient)
    assert status == 201 and body["lost_tolerance"] is False


def test_a_use_after_the_discharge_means_tolerance_is_back(api, actor, patient):
    stay(actor, patient, "residential", admitted=40, discharged=10)
    assert record(api, patient, on=ago(5).isoformat())[1]["lost_tolerance"] is True
    status, body = record(api, patient, on=ago(2).isoformat())
    assert status == 201 and body["lost_tolerance"] is False and body["flag"] is None
    assert Flag.objects.filter(patient=patient).count() == 1
    assert OutreachTask.objects.filter(patient=patient).count() == 2


def test_overdose_after_release_flags_and_task_due_in_24h(api, patient):
    status, body = record(api, patient, kind="release_from_incarceration", on=ago(3).isoformat())
    assert status == 201
    assert body["lost_tolerance"] is False and body["flag"] is None
    assert body["outreach_task"] is None  # a release is no use: no task
    before = timezone.now()
    status, body = record(api, patient, kind="overdose", substances=["fentanyl", "xylazine"])
    assert status == 201
    assert body["lost_tolerance"] is True and "release from incarceration" in body["flag"]["reason"]
    due = dt.datetime.fromisoformat(body["outreach_task"]["due_at"])
    assert body["outreach_task"]["reason"] == "overdose"
    assert before + dt.timedelta(hours=24) <= due <= timezone.now() + dt.timedelta(hours=24)


def test_hospital_discharge_counts_as_a_period_end(api, patient):
    record(api, patient, kind="hospital_discharge", on=ago(1).isoformat())
    assert record(api, patient)[1]["lost_tolerance"] is True


def test_naloxone_used_is_recorded_without_flag_or_task(api, patient):
    status, body = record(api, patient, kind="naloxone_used")
    assert status == 201 and body["kind"] == "naloxone_used"
    assert body["flag"] is None and body["outreach_task"] is None
    assert not OutreachTask.objects.exists()


def _test(actor, patient, days_ago: int, result: str):
    from waypoint.labs import services as labs

    at = timezone.now() - dt.timedelta(days=days_ago)
    return labs.drug_test_record(
        actor("nurse"), patient.pk, collected_at=at, observed=True, results={"fentanyl": result}
    )


@pytest.mark.parametrize(("positive", "negative", "lost"), [(9, 1, True), (8, 2, False)])
def test_days_of_abstinence_by_drug_tests(api, actor, patient, positive, negative, lost):
    """A positive test ``positive`` days ago, a negative one ``negative`` days ago: 8 days
    shown (the setting is 7) is lost tolerance, 6 is not."""
    _test(actor, patient, positive, "positive")
    _test(actor, patient, negative, "negative")
    status, body = record(api, patient)
    assert status == 201 and body["lost_tolerance"] is lost
    if lost:
        assert "days of abstinence" in body["lost_tolerance_reason"]
    assert (body["flag"] is not None) is lost


def _check_in(patient, days_ago: int, days_since_use: int | None):
    return CheckIn.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        source="phone",
        craving=2,
        days_since_use=days_since_use,
        phq2_q1=0,
        phq2_q2=0,
        phq2_total=0,
        submitted_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def test_days_of_abstinence_by_check_ins(api, patient):
    _check_in(patient, 1, 10)  # last use 11 days ago, abstinent yesterday: 10 days
    status, body = record(api, patient)
    assert status == 201 and body["lost_tolerance"] is True


def test_a_check_in_without_days_since_use_shows_nothing(api, patient):
    _check_in(patient, 20, 0)  # used 20 days ago
    _check_in(patient, 1, None)  # did not say
    assert record(api, patient)[1]["lost_tolerance"] is False


def _nothing_written(patient, audit_count):
    assert not RecoveryEvent.objects.exists()
    assert not OutreachTask.objects.exists()
    assert not Flag.objects.exists()
    assert AuditEvent.objects.count() == audit_count


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"kind": "relapse"}, "unknown_event_kind"),
        ({"on": "FUTURE"}, "date_in_future"),
        ({"on": "1970-01-01"}, "date_before_birth"),
        ({"substances": ["fentanyl", "moonshine"]}, "unknown_substance"),
        ({"note": "x" * 1001}, "invalid_input"),
        ({"on": "2026-02-30"}, "invalid_input"),
        ({"on": None}, "invalid_input"),
        ({"substances": "fentanyl"}, "invalid_input"),
        ({"extra": 1}, "invalid_input"),
    ],
)
def test_refusals_write_nothing(api, actor, patient, body, code):
    stay(actor, patient, "residential", admitted=40, discharged=10)
    if body.get("on") == "FUTURE":
        body = {"on": (today() + dt.timedelta(days=1)).isoformat()}
    count = AuditEvent.objects.count()
    status, answer = record(api, patient, **body)
    assert status == 422, answer
    assert answer["code"] == code
    _nothing_written(patient, count)


def test_another_organizations_patient_is_404(api, other_org_api, patient):
    status, body = record(other_org_api, patient)
    assert status == 404
    assert other_org_api.get(f"/patients/{patient.pk}/recovery", "nurse")[0] == 404
    assert not RecoveryEvent.objects.exists()


@pytest.mark.parametrize("role", ["admin", "intake", "incentives", "auditor", "privacy_officer"])
def test_roles_without_recovery_record_are_403(api, patient, role):
    status, body = record(api, patient, role=role)
    assert status == 403 and body["code"] == "forbidden"
    assert not RecoveryEvent.objects.exists()


@pytest.mark.parametrize("role", ["physician", "nurse", "counselor"])
def test_roles_with_recovery_record(api, patient, role):
    assert record(api, patient, role=role)[0] == 201


def test_the_recovery_summary(api, actor, patient, users):
    assert api.get(f"/patients/{patient.pk}/recovery", "counselor")[1] == {
        "patient": patient.pk,
        "last_use_on": None,
        "days_abstinent": None,
        "check_ins": [],
        "naloxone_kits": [],
        "aftercare_plan": None,
        "events": [],
    }
    stay(actor, patient, "residential", admitted=40, discharged=10)
    record(api, patient, on=ago(4).isoformat(), substances=["heroin"])
    _check_in(patient, 0, 3)  # today: 3 days since use
    org = patient.organization_id
    NaloxoneKit.objects.create(
        organization_id=org,
        patient=patient,
        given_on=ago(4),
        quantity=2,
        formulation="nasal_4mg",
        trained=True,
        given_by=users["nurse"],
        recorded_at=timezone.now(),
    )
    for n in (1, 2):
        plan = AftercarePlan.objects.create(
            organization_id=org,
            patient=patient,
            written_by=users["counselor"],
            written_at=timezone.now() - dt.timedelta(days=3 - n),
            note=f"plan {n}",
        )
    AftercareItem.objects.create(organization_id=org, plan=plan, kind="mutual_help", detail="NA")
    count = AuditEvent.objects.filter(object_type="recovery").count()
    status, body = api.get(f"/patients/{patient.pk}/recovery", "counselor")
    assert status == 200
    assert set(body) == {
        "patient",
        "last_use_on",
        "days_abstinent",
        "check_ins",
        "naloxone_kits",
        "aftercare_plan",
        "events",
    }
    # the event 4 days ago and the check-in's 3 days since use: the check-in is the latest
    assert body["last_use_on"] == ago(3).isoformat() and body["days_abstinent"] == 3
    assert [e["kind"] for e in body["events"]] == ["return_to_use"]
    assert body["events"][0]["lost_tolerance"] is True
    assert body["check_ins"][0]["days_since_use"] == 3
    assert body["naloxone_kits"][0]["quantity"] == 2
    assert body["aftercare_plan"]["note"] == "plan 2"
    assert [i["kind"] for i in body["aftercare_plan"]["items"]] == ["mutual_help"]
    assert AuditEvent.objects.filter(object_type="recovery").count() == count + 1


def test_a_positive_test_resets_the_days_abstinent(api, actor, patient):
    record(api, patient, on=ago(20).isoformat())
    assert api.get(f"/patients/{patient.pk}/recovery", "nurse")[1]["days_abstinent"] == 20
    _test(actor, patient, 0, "positive")
    body = api.get(f"/patients/{patient.pk}/recovery", "nurse")[1]
    assert body["last_use_on"] == today().isoformat() and body["days_abstinent"] == 0


@pytest.mark.parametrize("role", ["intake", "incentives", "auditor"])
def test_the_summary_needs_recovery_view(api, patient, role):
    assert api.get(f"/patients/{patient.pk}/recovery", role)[0] == 403


def test_every_answer_matches_its_published_schema(api, actor, client, patient, users):
    from waypoint.core.tests.openapi_answers import assert_documented

    doc = client.get("/api/v1/openapi.json").json()
    assert {
        "/api/v1/patients/{patient_id}/recovery-events",
        "/api/v1/patients/{patient_id}/recovery",
        "/api/v1/sites/{code}/outreach-tasks",
        "/api/v1/outreach-tasks/{task_id}",
        "/api/v1/outreach-tasks/{task_id}/attempts",
        "/api/v1/outreach-tasks/{task_id}/close",
    } <= set(doc["paths"])
    stay(actor, patient, "residential", admitted=40, discharged=10)
    s, event = record(api, patient)
    assert_documented(doc, "POST", "/api/v1/patients/{patient_id}/recovery-events", 201, event)
    s, none = record(api, patient, kind="hospital_discharge")
    assert_documented(doc, "POST", "/api/v1/patients/{patient_id}/recovery-events", 201, none)
    _check_in(patient, 0, 2)
    AftercareItem.objects.create(
        organization_id=patient.organization_id,
        plan=AftercarePlan.objects.create(
            organization_id=patient.organization_id,
            patient=patient,
            written_by=users["counselor"],
            written_at=timezone.now(),
        ),
        kind="housing",
        detail="Sober living",
        next_date=today(),
    )
    s, summary = api.get(f"/patients/{patient.pk}/recovery", "nurse")
    assert_documented(doc, "GET", "/api/v1/patients/{patient_id}/recovery", 200, summary)
    task = event["outreach_task"]["id"]
    s, tasks = api.get("/sites/KC/outreach-tasks", "nurse")
    assert_documented(doc, "GET", "/api/v1/sites/{code}/outreach-tasks", 200, tasks)
    s, attempt = api.post(f"/outreach-tasks/{task}/attempts", "nurse", {"outcome": "reached"})
    assert_documented(doc, "POST", "/api/v1/outreach-tasks/{task_id}/attempts", 201, attempt)
    s, closed = api.post(f"/outreach-tasks/{task}/close", "nurse", {"reason": "engaged"})
    assert_documented(doc, "POST", "/api/v1/outreach-tasks/{task_id}/close", 200, closed)
    s, detail = api.get(f"/outreach-tasks/{task}", "nurse")
    assert_documented(doc, "GET", "/api/v1/outreach-tasks/{task_id}", 200, detail)
