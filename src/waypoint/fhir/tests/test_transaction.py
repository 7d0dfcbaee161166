"""POST /fhir/r4/: a transaction Bundle in, a transaction-response out, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome

from waypoint.audit.models import AuditEvent
from waypoint.fhir.models import OutsideRecord
from waypoint.patients.models import Patient

from .bundles import transaction, uuid

pytestmark = pytest.mark.django_db

SYNTHEA = Path(__file__).resolve().parents[4] / ".." / "shared" / "data" / "fhir" / "synthea"
SHERMAN = SYNTHEA / "Sherman_McGlynn_8ef2ef98-48c5-427e-80d4-5e8f30ac8bf5.json"


def post(client, token: str | None, body, query: str = ""):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    resp = client.post(
        "/fhir/r4/" + query, data=raw, content_type="application/fhir+json", **headers
    )
    return resp.status_code, resp.json()


def codes(outcome: dict) -> list[str]:
    OperationOutcome.model_validate(outcome)
    return [i["details"]["coding"][0]["code"] for i in outcome["issue"]]


def counts() -> tuple[int, int, int]:
    return Patient.objects.count(), OutsideRecord.objects.count(), AuditEvent.objects.count()


def test_a_transaction_imports_and_answers_a_transaction_response(client, tokens):
    status, body = post(client, tokens["intake"], transaction())
    assert status == 200, body
    Bundle.model_validate(body)
    assert body["type"] == "transaction-response"
    assert [e["response"]["status"] for e in body["entry"]] == ["201 Created"] * 6
    locations = [e["response"]["location"] for e in body["entry"]]
    assert locations[0].startswith("Patient/")
    assert [loc.split("/")[0] for loc in locations[1:]] == [
        "Condition",
        "Observation",
        "MedicationRequest",
        "MedicationAdministration",
        "EpisodeOfCare",
    ]
    patient = Patient.objects.get(pk=int(locations[0].split("/")[1]))
    assert (patient.first_name, patient.last_name, str(patient.date_of_birth)) == (
        "Lena",
        "Okafor",
        "1979-06-02",
    )
    assert (patient.phone, patient.city, patient.state, patient.zip_code) == (
        "555-201-3344",
        "Salem",
        "MA",
        "01970",
    )
    request = OutsideRecord.objects.get(resource_type="MedicationRequest")
    assert request.resource["reasonReference"] == [{"reference": locations[1]}]
    assert request.resource["requester"] == {"display": "Dr. Ames"}  # not ours: display only
    assert request.code == "1819"
    # one audit event for the patient's new outside records, beside the registration
    event = AuditEvent.objects.get(object_type="fhir.import")
    assert event.action == "create"
    assert event.detail["created"] == {
        "Condition": 1,
        "EpisodeOfCare": 1,
        "MedicationAdministration": 1,
        "MedicationRequest": 1,
        "Observation": 1,
    }
    # the same bundle again: found, nothing written
    before = counts()
    status, body = post(client, tokens["intake"], transaction())
    assert status == 200
    assert [e["response"]["status"] for e in body["entry"]] == ["200 OK"] * 6
    assert [e["response"]["location"] for e in body["entry"]] == locations
    assert counts() == before


def test_records_for_a_patient_already_here(client, tokens, make_patient):
    p = make_patient()
    bundle = transaction(with_patient=False)
    for e in bundle["entry"]:
        field = "patient" if e["resource"]["resourceType"] == "EpisodeOfCare" else "subject"
        e["resource"][field] = {"reference": f"Patient/{p.pk}"}
    status, body = post(client, tokens["admin"], bundle)
    assert status == 200, body
    assert set(OutsideRecord.objects.values_list("patient_id", flat=True)) == {p.pk}


def test_a_bad_resource_refuses_the_whole_bundle_naming_it(client, tokens):
    bundle = transaction()
    bundle["entry"][2]["resource"]["valueQuantity"]["value"] = "tall"  # Observation
    del bundle["entry"][4]["resource"]["medicationCodeableConcept"]  # MedicationAdministration
    before = counts()
    status, body = post(client, tokens["intake"], bundle)
    assert status == 422
    assert codes(body) == ["fhir_invalid_resource"] * 3
    assert body["issue"][1]["expression"] == ["Bundle.entry[2]"]
    assert body["issue"][2]["expression"] == ["Bundle.entry[4]"]
    assert "valueQuantity" in body["issue"][1]["diagnostics"]
    assert "medication" in body["issue"][2]["diagnostics"]
    assert counts() == before


def test_a_dangling_urn_uuid_refuses_the_bundle(client, tokens):
    bundle = transaction()
    bundle["entry"][3]["resource"]["reasonReference"] = [{"reference": uuid(99)}]
    bundle["entry"][1]["resource"]["subject"] = {"reference": uuid(98)}
    before = counts()
    status, body = post(client, tokens["intake"], bundle)
    assert status == 422
    assert codes(body) == ["fhir_unresolved_reference"] * 3
    assert uuid(98) in body["issue"][1]["diagnostics"]
    assert uuid(99) in body["issue"][2]["diagnostics"]
    assert counts() == before


def test_a_patient_of_another_organization_is_unresolved(client, tokens, other_org_api):
    from waypoint.core.models import Organization

    other = Organization.objects.get(slug="other-clinic")
    from waypoint.core.models import User

    intake = User.objects.get(username="o_intake")
    from waypoint.core.actor import Actor
    from waypoint.patients.schemas import PatientIn
    from waypoint.patients.services import patient_register

    theirs = patient_register(
        Actor(user=intake),
        PatientIn(first_name="Ida", last_name="Moss", date_of_birth="1970-01-01", site="KC"),
    )
    assert theirs.organization_id == other.pk
    bundle = transaction(with_patient=False)
    for e in bundle["entry"]:
        field = "patient" if e["resource"]["resourceType"] == "EpisodeOfCare" else "subject"
        e["resource"][field] = {"reference": f"Patient/{theirs.pk}"}
    status, body = post(client, tokens["intake"], bundle)
    assert status == 422
    assert set(codes(body)) == {"fhir_unresolved_reference"}
    assert OutsideRecord.objects.count() == 0


@pytest.mark.parametrize(
    "body,status,code",
    [
        (b"{not json", 400, "fhir_invalid_resource"),
        ({"resourceType": "Patient", "birthDate": "1980-01-01"}, 422, "fhir_not_a_transaction"),
        (
            {"resourceType": "Bundle", "type": "collection", "entry": []},
            422,
            "fhir_not_a_transaction",
        ),
        (
            {"resourceType": "Bundle", "type": "transaction", "entry": [{"fullUrl": 5}]},
            422,
            "fhir_invalid_resource",
        ),
        ([1, 2], 400, "fhir_invalid_resource"),
    ],
)
def test_not_a_transaction_is_refused(client, tokens, body, status, code):
    before = counts()
    got, outcome = post(client, tokens["intake"], body)
    assert (got, codes(outcome)[0]) == (status, code)
    assert counts() == before


def test_who_may_import(client, tokens):
    status, body = post(client, None, transaction())
    assert (status, codes(body)[0]) == (401, "unauthenticated")
    for role in ("nurse", "physician", "counselor", "auditor", "incentives", "privacy_officer"):
        status, body = post(client, tokens[role], transaction())
        assert (status, codes(body)[0]) == (403, "forbidden"), role
    assert Patient.objects.count() == 0
    resp = client.get("/fhir/r4/", HTTP_AUTHORIZATION=f"Bearer {tokens['intake']}")
    assert resp.status_code == 405
    assert codes(resp.json()) == ["method_not_allowed"]


def test_unsupported_types_refuse_unless_skipped(client, tokens):
    bundle = transaction()
    bundle["entry"].append(
        {
            "fullUrl": uuid(40),
            "resource": {"resourceType": "Organization", "name": "Elsewhere Clinic"},
            "request": {"method": "POST", "url": "Organization"},
        }
    )
    bundle["entry"].append(
        {
            "fullUrl": uuid(41),
            "resource": {
                "resourceType": "Encounter",
                "status": "finished",
                "class": {"code": "AMB"},
                "subject": {"reference": uuid(1)},
            },
            "request": {"method": "POST", "url": "Encounter"},
        }
    )
    bundle["entry"][1]["resource"]["encounter"] = {"reference": uuid(41)}
    status, body = post(client, tokens["intake"], bundle)
    assert status == 422
    assert codes(body) == ["fhir_unsupported_type"] * 3
    assert [i.get("expression") for i in body["issue"][1:]] == [
        ["Bundle.entry[6]"],
        ["Bundle.entry[7]"],
    ]
    assert counts() == (0, 0, 0)
    status, body = post(client, tokens["intake"], bundle, "?unsupported=skip")
    assert status == 200, body
    Bundle.model_validate(body)
    skipped = body["entry"][6:]
    assert [e["response"]["status"] for e in skipped] == ["200 OK", "200 OK"]
    assert [e["response"]["outcome"]["issue"][0]["severity"] for e in skipped] == [
        "information"
    ] * 2
    assert OutsideRecord.objects.count() == 5
    cond = OutsideRecord.objects.get(resource_type="Condition")
    assert "encounter" not in cond.resource  # an entry not kept, without a display: gone
    status, body = post(client, tokens["intake"], bundle, "?unsupported=maybe")
    assert (status, codes(body)[0]) == (400, "invalid_search")


def test_sherman_mcglynn_over_django_upload_limit_imports(client, tokens, settings):
    raw = SHERMAN.read_bytes()
    assert len(raw) > 2_621_440  # Django's default DATA_UPLOAD_MAX_MEMORY_SIZE
    status, body = post(client, tokens["intake"], raw, "?unsupported=skip")
    assert status == 200, body
    assert Patient.objects.count() == 1
    assert OutsideRecord.objects.filter(resource_type="Observation").count() == 188
    assert len(body["entry"]) == 716
    settings.WAYPOINT_FHIR_MAX_BUNDLE_BYTES = len(raw) - 1
    before = counts()
    status, body = post(client, tokens["intake"], raw, "?unsupported=skip")
    assert (status, codes(body)[0]) == (413, "fhir_bundle_too_large")
    assert counts() == before


def test_a_possible_duplicate_not_imported_before_refuses(client, tokens, make_patient):
    make_patient(first="Lena", last="Okafor", dob="1979-06-02")
    before = counts()
    status, body = post(client, tokens["intake"], transaction())
    assert status == 409
    assert codes(body)[0] == "possible_duplicate"
    assert counts() == before


def test_an_outside_recipient_cannot_import(client, users):
    from waypoint.core.actor import Actor
    from waypoint.privacy.schemas import RecipientTokenIn
    from waypoint.privacy.services import recipients

    po = Actor(user=users["privacy_officer"], client_address="127.0.0.1")
    _, raw = recipients.recipient_token_issue(
        po,
        RecipientTokenIn(
            recipient_name="Dr. Lee", recipient_organization="Harbor Health", purpose="treatment"
        ),
    )
    before = counts()
    status, body = post(client, raw, transaction())
    assert (status, codes(body)[0]) == (403, "forbidden")
    assert counts() == before
