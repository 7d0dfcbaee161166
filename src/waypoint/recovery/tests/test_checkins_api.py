"""Check-in links and check-ins by phone through the API: shapes, every answer's limits,
refusals that write nothing, organization scoping and least privilege, the outreach task a
request for help opens (contract: "Recovery, aftercare and overdose prevention")."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine

from waypoint.audit.models import AuditEvent
from waypoint.recovery.models import CheckIn, CheckInLink, OutreachTask

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 15, 14, 30, tzinfo=dt.UTC)
BODY = {"craving": 3, "phq2_q1": 1, "phq2_q2": 0, "need_help": False}


@pytest.fixture
def patient(make_patient):
    return make_patient()


def _links(patient) -> int:
    return CheckInLink.objects.filter(patient=patient).count()


def test_a_link_is_made_with_its_url_shown_once_and_only_its_hash_kept(api, patient):
    with time_machine.travel(NOW, tick=False):
        status, body = api.post(f"/patients/{patient.pk}/check-in-links", "nurse", {})
    assert status == 201, body
    assert set(body) == {"url", "expires_at"}
    assert body["url"].startswith("http://testserver/check-in/")
    secret = body["url"].removeprefix("http://testserver/check-in/").rstrip("/")
    assert len(secret) >= 43  # 32 random bytes, base64url
    link = CheckInLink.objects.get(patient=patient)
    assert link.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(list(CheckInLink.objects.values()))
    assert dt.datetime.fromisoformat(body["expires_at"]) == NOW + dt.timedelta(days=14)
    assert link.expires_at == NOW + dt.timedelta(days=14)
    event = AuditEvent.objects.get(object_type="check_in_link", action="create")
    assert event.patient_id == patient.pk and secret not in str(event.detail)


@pytest.mark.parametrize("days,ok", [(0, False), (1, True), (90, True), (91, False), (-1, False)])
def test_link_expiry_bounds(api, patient, days, ok):
    status, body = api.post(
        f"/patients/{patient.pk}/check-in-links", "counselor", {"expires_in_days": days}
    )
    if ok:
        assert status == 201, body
        assert _links(patient) == 1
    else:
        assert (status, body["code"]) == (422, "invalid_input")
        assert _links(patient) == 0


@pytest.mark.parametrize("bad", ["14", 14.5, True, None])
def test_link_expiry_must_be_a_whole_number(api, patient, bad):
    status, body = api.post(
        f"/patients/{patient.pk}/check-in-links", "nurse", {"expires_in_days": bad}
    )
    if bad is None:  # null is "the default"
        assert status == 201
    else:
        assert (status, body["code"]) == (422, "invalid_input")


@pytest.mark.parametrize("role", ["admin", "intake", "incentives", "auditor", "privacy_officer"])
def test_roles_without_checkin_manage_are_refused(api, patient, role):
    for path, body in (("check-in-links", {}), ("check-ins", BODY)):
        status, _ = api.post(f"/patients/{patient.pk}/{path}", role, body)
        assert status == 403, (role, path)
    assert _links(patient) == 0 and not CheckIn.objects.exists()


def test_another_organization_s_patient_is_404(other_org_api, patient):
    for path, body in (("check-in-links", {}), ("check-ins", BODY)):
        status, body = other_org_api.post(f"/patients/{patient.pk}/{path}", "nurse", body)
        assert status == 404, path
    assert _links(patient) == 0 and not CheckIn.objects.exists()


def test_a_phone_check_in_is_recorded_by_the_staff_member(api, patient, users):
    status, body = api.post(
        f"/patients/{patient.pk}/check-ins",
        "counselor",
        {**BODY, "days_since_use": 12, "meetings": 3},
    )
    assert status == 201, body
    row = CheckIn.objects.get(pk=body["id"])
    assert (row.source, row.recorded_by, row.link) == ("phone", users["counselor"], None)
    assert body["patient"] == patient.pk and body["source"] == "phone"
    assert (body["phq2_total"], body["phq2_positive"]) == (1, False)
    assert (body["days_since_use"], body["meetings"]) == (12, 3)
    assert AuditEvent.objects.filter(
        object_type="check_in", object_id=str(row.pk), action="create", patient_id=patient.pk
    ).exists()
    assert not OutreachTask.objects.exists()


@pytest.mark.parametrize(
    "field,value,ok",
    [
        ("craving", -1, False),
        ("craving", 0, True),
        ("craving", 10, True),
        ("craving", 11, False),
        ("phq2_q1", -1, False),
        ("phq2_q1", 0, True),
        ("phq2_q1", 3, True),
        ("phq2_q1", 4, False),
        ("phq2_q2", -1, False),
        ("phq2_q2", 0, True),
        ("phq2_q2", 3, True),
        ("phq2_q2", 4, False),
        ("days_since_use", -1, False),
        ("days_since_use", 0, True),
        ("days_since_use", 36500, True),
        ("days_since_use", 36501, False),
        ("meetings", -1, False),
        ("meetings", 0, True),
        ("meetings", 50, True),
        ("meetings", 51, False),
        ("craving", "5", False),
        ("craving", 2.5, False),
        ("need_help", "yes", False),
        ("need_help", 1, False),
    ],
)
def test_every_answer_on_both_sides_of_its_limits(api, patient, field, value, ok):
    status, body = api.post(f"/patients/{patient.pk}/check-ins", "nurse", {**BODY, field: value})
    if ok:
        assert status == 201, body
        assert body[field] == value
    else:
        assert (status, body["code"]) == (422, "invalid_input"), body
        assert not CheckIn.objects.exists()
        assert not AuditEvent.objects.filter(object_type="check_in").exists()


@pytest.mark.parametrize("missing", ["craving", "phq2_q1", "phq2_q2", "need_help"])
def test_required_answers(api, patient, missing):
    body = {k: v for k, v in BODY.items() if k != missing}
    status, answer = api.post(f"/patients/{patient.pk}/check-ins", "nurse", body)
    assert (status, answer["code"]) == (422, "invalid_input")
    assert not CheckIn.objects.exists()


def test_unknown_fields_are_refused(api, patient):
    status, body = api.post(f"/patients/{patient.pk}/check-ins", "nurse", {**BODY, "mood": 3})
    assert (status, body["code"]) == (422, "invalid_input")


def test_asking_for_help_opens_a_task_due_within_the_hour(api, patient, site):
    with time_machine.travel(NOW, tick=False):
        status, body = api.post(
            f"/patients/{patient.pk}/check-ins", "nurse", {**BODY, "need_help": True}
        )
    assert status == 201, body
    task = OutreachTask.objects.get(patient=patient)
    assert (task.reason, task.status, task.site) == ("need_help", "open", site)
    assert task.due_at == NOW + dt.timedelta(hours=1)
    assert (task.source_type, task.source_id) == ("checkin", body["id"])


def test_a_positive_phq2_by_phone_suggests_a_phq9_without_a_task(api, patient):
    status, body = api.post(
        f"/patients/{patient.pk}/check-ins", "nurse", {**BODY, "phq2_q1": 2, "phq2_q2": 1}
    )
    assert status == 201
    assert (body["phq2_total"], body["phq2_positive"]) == (3, True)
    assert not OutreachTask.objects.exists()
