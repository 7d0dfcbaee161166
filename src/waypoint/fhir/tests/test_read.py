"""FHIR read (issue 20 item 1): Patient and Condition, labels, audit, refusals."""

from __future__ import annotations

import pytest

from waypoint.audit.models import AuditEvent

from .conftest import code_of

pytestmark = pytest.mark.django_db


def test_patient_read_is_labelled_audited_and_valid(fhir, chart):
    ana = chart["ana"]
    before = AuditEvent.objects.count()
    status, body = fhir.get(f"Patient/{ana.pk}")
    assert status == 200, body
    assert body["id"] == str(ana.pk)
    assert body["identifier"] == [{"system": "urn:waypoint:mrn", "value": ana.mrn}]
    assert body["name"][0] == {"use": "official", "family": "Reyes", "given": ["Ana"]}
    assert body["birthDate"] == "1988-04-12"
    assert AuditEvent.objects.count() == before + 1
    ev = AuditEvent.objects.latest("id")
    assert (ev.action, ev.object_type, ev.object_id) == ("read", "fhir.Patient", str(ana.pk))


def test_oud_condition_from_latest_dsm5(fhir, chart):
    status, body = fhir.get(f"Condition/oud-{chart['dsm'].pk}")
    assert status == 200, body
    assert body["code"]["coding"][0]["code"] == "F11.20"
    assert body["subject"] == {"reference": f"Patient/{chart['ana'].pk}"}


def test_problem_condition(fhir, chart):
    status, body = fhir.get(f"Condition/problem-{chart['problem'].pk}")
    assert status == 200, body
    assert body["code"]["coding"] == [
        {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "F32.A"}
    ]
    assert body["clinicalStatus"]["coding"][0]["code"] == "active"


@pytest.mark.parametrize(
    "path",
    ["Patient/999999", "Patient/abc", "Condition/oud-999999", "Condition/nope-1", "Condition/1"],
)
def test_unknown_ids_are_404(fhir, chart, path):
    before = AuditEvent.objects.count()
    status, body = fhir.get(path)
    assert (status, code_of(body)) == (404, "not_found")
    assert AuditEvent.objects.count() == before


def test_no_token_is_401(fhir, chart):
    status, body = fhir.get(f"Patient/{chart['ana'].pk}", role=None)
    assert (status, code_of(body)) == (401, "unauthenticated")
    status, body = fhir.get(f"Patient/{chart['ana'].pk}", token="wp_notatoken")
    assert (status, code_of(body)) == (401, "unauthenticated")


def test_other_organization_is_404(fhir, chart, other_org_api):
    status, body = fhir.get(f"Patient/{chart['ana'].pk}", token=other_org_api.tokens["physician"])
    assert (status, code_of(body)) == (404, "not_found")


def test_role_without_permission_is_403(fhir, chart):
    from waypoint.core.permissions import allowed

    assert not allowed("incentives", "assessment.view")
    status, body = fhir.get(f"Condition/problem-{chart['problem'].pk}", role="incentives")
    assert (status, code_of(body)) == (403, "forbidden")


def test_unknown_type_is_404(fhir, chart):
    status, body = fhir.get("Claim/1")
    assert (status, code_of(body)) == (404, "unsupported_type")
