"""FHIR search (issue 20 item 1): patient, date with prefixes, code, name, _id, paging
with Bundle.link and total, _include of the patient, one audit event per answer, and
400 OperationOutcomes for bad parameters (never a 500)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone

from waypoint.audit.models import AuditEvent

from .conftest import code_of

pytestmark = pytest.mark.django_db


def ids(body) -> list[str]:
    return [e["resource"]["id"] for e in body.get("entry", []) if e["search"]["mode"] == "match"]


def test_patient_by_name_and_identifier(fhir, chart):
    ana, ben = chart["ana"], chart["ben"]
    s, body = fhir.get("Patient", name="rey")
    assert s == 200, body
    assert (body["type"], body["total"], ids(body)) == ("searchset", 1, [str(ana.pk)])
    s, body = fhir.get("Patient", name="Ben Oka")
    assert ids(body) == [str(ben.pk)]
    s, body = fhir.get("Patient", identifier=f"urn:waypoint:mrn|{ben.mrn}")
    assert ids(body) == [str(ben.pk)]
    s, body = fhir.get("Patient", birthdate="lt1980-01-01")
    assert ids(body) == [str(ben.pk)]
    s, body = fhir.get("Patient", _id=f"{ana.pk},{ben.pk}")
    assert body["total"] == 2


def test_a_search_is_one_audit_event_naming_the_patients_shown(fhir, chart):
    before = AuditEvent.objects.count()
    s, body = fhir.get("Patient", _id=f"{chart['ana'].pk},{chart['ben'].pk}")
    assert s == 200 and body["total"] == 2
    assert AuditEvent.objects.count() == before + 1
    ev = AuditEvent.objects.latest("id")
    assert (ev.action, ev.object_type) == ("read", "fhir.Patient")
    named = set(ev.patient_links.values_list("patient_id", flat=True)) | {ev.patient_id}
    assert {chart["ana"].pk, chart["ben"].pk} <= named


def test_condition_by_patient_and_code(fhir, chart):
    ana = chart["ana"]
    s, body = fhir.get("Condition", patient=ana.pk)
    assert set(ids(body)) == {f"oud-{chart['dsm'].pk}", f"problem-{chart['problem'].pk}"}
    s, body = fhir.get(
        "Condition", subject=f"Patient/{ana.pk}", code="http://hl7.org/fhir/sid/icd-10-cm|F11.20"
    )
    assert ids(body) == [f"oud-{chart['dsm'].pk}"]
    s, body = fhir.get("Condition", patient=ana.pk, code="http://snomed.info/sct|F11.20")
    assert body["total"] == 0 and "entry" not in body
    s, body = fhir.get("Condition", patient=chart["ben"].pk)
    assert body["total"] == 0


def test_date_prefixes(fhir, records):
    ana = records["ana"]
    cows_day = timezone.localtime(records["cows"].administered_at).date()
    s, body = fhir.get("Observation", patient=ana.pk, code="cows,phq9")
    assert body["total"] == 2
    for date, expected in (
        (f"ge{records['phq'].administered_at.isoformat()}", {"phq"}),
        (f"lt{records['phq'].administered_at.isoformat()}", {"cows"}),
        (f"le{records['phq'].administered_at.isoformat()}", {"cows", "phq"}),
        (f"gt{records['cows'].administered_at.isoformat()}", {"phq"}),
        (f"eq{records['cows'].administered_at.isoformat()}", {"cows"}),
        (f"ne{records['cows'].administered_at.isoformat()}", {"phq"}),
    ):
        s, body = fhir.get("Observation", patient=ana.pk, code="cows,phq9", date=date)
        assert s == 200, body
        want = {f"assessment-{records[k].pk}" for k in expected}
        assert set(ids(body)) == want, date
    # two bounds: both must hold (from the COWS's day to just before the PHQ-9)
    s, body = fhir.get(
        "Observation",
        patient=ana.pk,
        code="cows,phq9",
        date=[f"ge{cows_day.isoformat()}", f"lt{records['phq'].administered_at.isoformat()}"],
    )
    assert ids(body) == [f"assessment-{records['cows'].pk}"]


def test_paging_links_and_total(fhir, records):
    ana = records["ana"]
    s, first = fhir.get("Observation", patient=ana.pk, _count=2)
    total = first["total"]
    assert total == 5  # COWS, PHQ-9, three drug-test results
    seen = ids(first)
    relations = {link["relation"]: link["url"] for link in first["link"]}
    assert set(relations) == {"self", "next"}
    url = relations["next"]
    while url:
        query = dict(parse_qs(urlparse(url).query).items())
        s, page = fhir.get("Observation", **query)
        assert s == 200 and page["total"] == total
        seen += ids(page)
        rel = {link["relation"]: link["url"] for link in page["link"]}
        assert "previous" in rel
        url = rel.get("next")
    assert len(seen) == len(set(seen)) == total


def test_include_patient(fhir, records):
    ana = records["ana"]
    s, body = fhir.get("EpisodeOfCare", patient=ana.pk, _include="EpisodeOfCare:patient")
    assert s == 200, body
    modes = [(e["resource"]["resourceType"], e["search"]["mode"]) for e in body["entry"]]
    assert modes == [("EpisodeOfCare", "match"), ("Patient", "include")]
    assert body["total"] == 1


def test_each_type_searches_by_patient(fhir, records):
    ana = records["ana"]
    for resource_type in ("MedicationRequest", "MedicationAdministration", "EpisodeOfCare"):
        s, body = fhir.get(resource_type, patient=ana.pk)
        assert (s, body["total"]) == (200, 1), resource_type
    s, body = fhir.get("MedicationRequest", patient=ana.pk, code="6813")
    assert body["total"] == 1
    s, body = fhir.get("MedicationRequest", patient=ana.pk, code="1819")
    assert body["total"] == 0


def test_a_role_sees_only_the_providers_it_may_read(fhir, records):
    """An intake worker may read assessments but not drug tests (if the matrix says so)."""
    from waypoint.core.permissions import allowed

    role = next(
        (
            r
            for r in ("intake", "counselor")
            if allowed(r, "assessment.view") and not allowed(r, "drugtest.view")
        ),
        None,
    )
    if role is None:
        pytest.skip("no role reads assessments but not drug tests")
    s, body = fhir.get("Observation", patient=records["ana"].pk, role=role)
    assert body["total"] == 2


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        ("Observation", {}, 400, "patient_required"),
        ("Observation", {"patient": "abc"}, 400, "invalid_search"),
        ("Observation", {"patient": "Patient/"}, 400, "invalid_search"),
        ("Observation", {"patient": "1", "date": "2026-13-45"}, 400, "invalid_search"),
        ("Observation", {"patient": "1", "date": "xx2026-01-01"}, 400, "invalid_search"),
        ("Observation", {"patient": "1", "date": "2026-01-01T10:00"}, 400, "invalid_search"),
        ("Observation", {"patient": "1", "code": "a|b|"}, 400, "invalid_search"),
        ("Observation", {"patient": "1", "_count": "0"}, 400, "invalid_page"),
        ("Observation", {"patient": "1", "_count": "-1"}, 400, "invalid_page"),
        ("Observation", {"patient": "1", "_count": "9999999999"}, 400, "invalid_page"),
        ("Observation", {"patient": "1", "_offset": "x"}, 400, "invalid_page"),
        (
            "Observation",
            {"patient": "1", "_include": "Observation:performer"},
            400,
            "invalid_search",
        ),
        ("Observation", {"patient": "1", "_sort": "date"}, 400, "unknown_parameter"),
        ("Observation", {"patient": "1", "name": "Ana"}, 400, "unknown_parameter"),
        ("Observation", {"patient": "1", "patient\x00": "1"}, 400, "unknown_parameter"),
        ("Observation", {"patient": "1" * 300}, 400, "invalid_search"),
        ("Observation", {"patient": ",".join(["1"] * 60)}, 400, "invalid_search"),
        ("Patient", {"name": ""}, 400, "invalid_search"),
        ("Patient", {"name": "a\x01b"}, 400, "invalid_search"),
        ("Patient", {"_include": "Patient:patient"}, 400, "invalid_search"),
        ("Patient", {"_format": "xml"}, 400, "invalid_search"),
        ("Bogus", {}, 404, "unsupported_type"),
    ],
)
def test_bad_parameters_are_outcomes_and_write_nothing(fhir, chart, path, params, status, code):
    before = AuditEvent.objects.count()
    s, body = fhir.get(path, **params)
    assert (s, code_of(body)) == (status, code), body
    assert AuditEvent.objects.count() == before


def test_post_and_no_token(fhir, client, chart):
    s, body = fhir.get("Patient", role=None)
    assert (s, code_of(body)) == (401, "unauthenticated")
    resp = client.post(
        "/fhir/r4/Patient", {}, HTTP_AUTHORIZATION="Bearer " + fhir.tokens["physician"]
    )
    assert resp.status_code == 405
    assert resp.json()["resourceType"] == "OperationOutcome"


def test_metadata_names_what_is_served(fhir):
    s, body = fhir.get("metadata", role=None)
    assert s == 200
    from fhir.resources.R4B.capabilitystatement import CapabilityStatement

    CapabilityStatement.model_validate(body)
    served = {r["type"]: r for r in body["rest"][0]["resource"]}
    assert {
        "Patient",
        "Condition",
        "Observation",
        "MedicationRequest",
        "MedicationAdministration",
        "EpisodeOfCare",
    } <= set(served)
    assert {p["name"] for p in served["Patient"]["searchParam"]} >= {"name", "_id", "identifier"}
    assert {p["name"] for p in served["Observation"]["searchParam"]} >= {"patient", "date", "code"}


SEARCHABLE = ["Patient", "Condition", "Observation", "MedicationRequest", "EpisodeOfCare"]
NAMES = ["patient", "subject", "date", "code", "name", "_id", "_count", "_offset", "_include"]


def test_fuzzed_parameters_never_answer_500(fhir, chart):
    """Random values of the known parameters (and random names) answer 200 or a 4xx
    OperationOutcome that validates, never a server error."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    values = st.one_of(
        st.text(max_size=30),
        st.sampled_from(["ge2026-01-01", "Patient/1", "1,2", "x|y", "-1", "0", "lt", "|"]),
    )

    @settings(
        max_examples=80,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        resource_type=st.sampled_from(SEARCHABLE),
        params=st.dictionaries(
            st.one_of(st.sampled_from(NAMES), st.text(min_size=1, max_size=8)),
            values,
            max_size=4,
        ),
    )
    def check(resource_type, params):
        status, body = fhir.get(resource_type, **params)
        assert status in (200, 400, 403, 404), (status, body)

    check()
