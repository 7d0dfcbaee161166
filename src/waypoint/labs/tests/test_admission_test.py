"""An admission drug test is expected at admission to an opioid treatment program (issue 14
rule 11): entering the level asks for one, due from that day until a test is recorded,
shown on the dosing window and the chart; the test recorded answers it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from waypoint.audit.models import AuditEvent
from waypoint.care.episodes import services as care
from waypoint.labs.models import TestRequest as Requested
from waypoint.medication.selectors import PENDING_TEST_CHECKS
from waypoint.medication.tests import conftest as medication

pytestmark = pytest.mark.django_db

patient, ago = medication.patient, medication.ago


def pending(patient, day) -> bool:
    return any(f(patient.organization_id, patient.pk, day) for f in PENDING_TEST_CHECKS)


def test_admission_to_an_otp_asks_for_a_test_due_until_one_is_recorded(
    api, actor, patient, client, users
):
    n = AuditEvent.objects.filter(object_type="test_request").count()
    care.episode_admit(actor("counselor"), patient.pk, "opioid_treatment_program", ago(3))
    req = Requested.objects.get(patient=patient)
    assert (req.reason, req.status, req.due_on) == ("admission", "pending", ago(3))
    assert AuditEvent.objects.filter(object_type="test_request").count() == n + 1
    # still due three days later, on the window and the chart
    assert pending(patient, ago(0)) and not pending(patient, ago(4))
    client.force_login(users["nurse"], backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(f"/patients/{patient.pk}/chart/drug-tests/").content.decode()
    assert 'id="admission-test-due"' in page and ago(3).isoformat() in page
    # a test without a stated reason answers it: an admission test, the request collected
    body = {
        "collected_at": timezone.now().isoformat(),
        "observed": True,
        "results": {"fentanyl": "positive", "opiates": "negative"},
    }
    s, b = api.post(f"/patients/{patient.pk}/drug-tests", "nurse", body)
    assert s == 201 and b["reason"] == "admission"
    req.refresh_from_db()
    assert req.status == "collected" and not pending(patient, ago(0))
    page = client.get(f"/patients/{patient.pk}/chart/drug-tests/").content.decode()
    assert 'id="admission-test-due"' not in page


def test_a_transition_into_an_otp_asks_for_one_and_other_levels_do_not(actor, patient):
    ep = care.episode_admit(actor("counselor"), patient.pk, "outpatient", ago(20))
    assert not Requested.objects.exists()
    care.episode_transition(actor("counselor"), ep.pk, "intensive_outpatient", ago(10))
    assert not Requested.objects.exists()
    care.episode_transition(actor("counselor"), ep.pk, "opioid_treatment_program", ago(2))
    assert list(Requested.objects.values_list("reason", "due_on")) == [("admission", ago(2))]


def test_a_request_already_made_that_day_stands(api, actor, patient):
    s, b = api.post(
        f"/patients/{patient.pk}/test-requests", "nurse", {"due_on": ago(0).isoformat()}
    )
    assert s == 201
    care.episode_admit(actor("counselor"), patient.pk, "opioid_treatment_program", ago(0))
    assert list(Requested.objects.values_list("reason", flat=True)) == ["clinician"]


def test_a_test_recorded_on_the_admission_day_before_the_request_is_not_needed_twice(
    api, actor, patient
):
    """A pending admission request from an earlier day is answered by today's test; a later
    admission (another episode) asks again."""
    ep = care.episode_admit(actor("counselor"), patient.pk, "opioid_treatment_program", ago(30))
    body = {
        "collected_at": (timezone.now() - dt.timedelta(days=25)).isoformat(),
        "observed": False,
        "results": {"fentanyl": "negative", "opiates": "negative"},
    }
    s, b = api.post(f"/patients/{patient.pk}/drug-tests", "nurse", body)
    assert s == 201 and b["reason"] == "admission"
    care.episode_discharge(actor("counselor"), ep.pk, ago(5), "dropped_out")
    care.episode_admit(actor("counselor"), patient.pk, "opioid_treatment_program", ago(1))
    assert sorted(Requested.objects.values_list("status", "due_on")) == [
        ("collected", ago(30)),
        ("pending", ago(1)),
    ]
