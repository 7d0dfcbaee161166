"""Issue 20 "Done when": every resource type round-trips. A transaction Bundle is
imported (POST /fhir/r4/), each resource is served back by GET at the location the
transaction-response gave, validates with fhir.resources R4B (and carries the Part 2
labels: conftest ``validate``), and equals what went in for the fields both sides have."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from .bundles import transaction
from .conftest import validate

pytestmark = pytest.mark.django_db

EXAMPLES = (
    Path(__file__).resolve().parents[4] / ".." / "shared" / "data" / "fhir" / "hl7-r4-examples"
)

# what the server rewrites or adds: ids, labels; references are checked on their own
SERVER_FIELDS = {"id", "meta"}


def common(sent: Any, served: Any, where: str = "") -> None:
    """``served`` equals ``sent`` wherever both have a value: dicts on their shared keys,
    lists item by item (the same length), anything else exactly."""
    if isinstance(sent, dict) and isinstance(served, dict):
        shared = set(sent) & set(served)
        assert shared or not sent, f"{where}: nothing in common: {sent} / {served}"
        for key in shared:
            common(sent[key], served[key], f"{where}.{key}")
    elif isinstance(sent, list) and isinstance(served, list):
        assert len(sent) == len(served), f"{where}: {sent} / {served}"
        for i, (a, b) in enumerate(zip(sent, served, strict=True)):
            common(a, b, f"{where}[{i}]")
    else:
        assert sent == served, f"{where}: sent {sent!r}, served {served!r}"


def _import(client, tokens) -> tuple[dict, list[str]]:
    bundle = transaction()
    resp = client.post(
        "/fhir/r4/",
        data=json.dumps(bundle),
        content_type="application/fhir+json",
        HTTP_AUTHORIZATION=f"Bearer {tokens['intake']}",
    )
    assert resp.status_code == 200, resp.content
    return bundle, [e["response"]["location"] for e in resp.json()["entry"]]


def _without_references(resource: dict[str, Any]) -> dict[str, Any]:
    from waypoint.fhir.importing.references import rewrite

    return rewrite(resource, lambda ref: None)


@pytest.mark.parametrize(
    "resource_type",
    [
        "Patient",
        "Condition",
        "Observation",
        "MedicationRequest",
        "MedicationAdministration",
        "EpisodeOfCare",
    ],
)
def test_round_trip(client, tokens, fhir, resource_type):
    bundle, locations = _import(client, tokens)
    patient_location = locations[0]
    position = next(
        i for i, e in enumerate(bundle["entry"]) if e["resource"]["resourceType"] == resource_type
    )
    sent = bundle["entry"][position]["resource"]
    status, served = fhir.get(locations[position], role="physician")
    assert status == 200, served
    validate(served)  # R4B, and the Part 2 labels
    assert served["resourceType"] == resource_type
    assert served["id"] == locations[position].split("/")[1]
    if resource_type == "Patient":
        # Waypoint's own patient: what it keeps of the demographics comes back
        common({k: v for k, v in sent.items() if k not in SERVER_FIELDS}, served)
        return
    # an outside record: everything but the references comes back exactly
    assert _without_references(
        {k: v for k, v in served.items() if k not in SERVER_FIELDS}
    ) == _without_references({k: v for k, v in sent.items() if k not in SERVER_FIELDS})
    # and the references name Waypoint's records
    field = "patient" if resource_type == "EpisodeOfCare" else "subject"
    assert served[field] == {"reference": patient_location}
    if resource_type == "MedicationRequest":
        assert served["reasonReference"] == [{"reference": locations[1]}]
        status, reason = fhir.get(locations[1], role="physician")
        assert status == 200 and reason["code"] == bundle["entry"][1]["resource"]["code"]
        assert served["requester"] == {"display": "Dr. Ames"}


def test_imported_records_are_found_by_search(client, tokens, fhir):
    bundle, locations = _import(client, tokens)
    patient_id = locations[0].split("/")[1]
    status, found = fhir.get("Condition", patient=patient_id, code="http://snomed.info/sct|5602001")
    assert status == 200, found
    assert [e["resource"]["id"] for e in found["entry"]] == [locations[1].split("/")[1]]
    status, found = fhir.get("Observation", patient=patient_id, date="ge2020-05-30")
    assert [e["resource"]["id"] for e in found["entry"]] == [locations[2].split("/")[1]]
    status, found = fhir.get("Observation", patient=patient_id, date="lt2020-05-30")
    assert found["total"] == 0


def test_another_organization_does_not_see_them(client, tokens, fhir, other_org_api):
    _, locations = _import(client, tokens)
    status, body = fhir.get(locations[1], token=other_org_api.tokens["physician"], role=None)
    assert status == 404


def test_consent_round_trip(client, tokens, fhir, api, make_patient):
    """A Part 2 consent served by Waypoint, imported for another patient in a transaction,
    served again: the same consent (privacy's consent_from_fhir reads it)."""
    from waypoint.privacy.models import Consent

    from .bundles import PATIENT_URL, patient

    ana = make_patient()
    signed = (dt.date.today() - dt.timedelta(days=20)).isoformat()
    status, made = api.post(
        f"/patients/{ana.pk}/consents",
        "physician",
        {
            "recipient": {"name": "Dr. Maya Lee", "organization": "Main Street Family Medicine"},
            "purpose": "treatment",
            "categories": ["diagnosis", "medications"],
            "expires_on": (dt.date.today() + dt.timedelta(days=300)).isoformat(),
            "signed_on": signed,
            "signature_method": "electronic",
        },
    )
    assert status == 201, made
    status, original = fhir.get(f"Consent/consent-{made['id']}")
    assert status == 200, original
    sent = {k: v for k, v in original.items() if k not in SERVER_FIELDS}
    sent["patient"] = {"reference": PATIENT_URL}
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": PATIENT_URL,
                "resource": patient(),
                "request": {"method": "POST", "url": "Patient"},
            },
            {
                "fullUrl": "urn:uuid:5d1c3f0e-3c2a-4f4e-9a53-2a4cf1d0c001",
                "resource": sent,
                "request": {"method": "POST", "url": "Consent"},
            },
        ],
    }
    resp = client.post(
        "/fhir/r4/",
        data=json.dumps(bundle),
        content_type="application/fhir+json",
        HTTP_AUTHORIZATION=f"Bearer {tokens['intake']}",
    )
    assert resp.status_code == 200, resp.content
    locations = [e["response"]["location"] for e in resp.json()["entry"]]
    assert locations[1].startswith("Consent/consent-")
    status, served = fhir.get(locations[1])
    assert status == 200, served
    validate(served)
    assert served["patient"] == {"reference": locations[0]}
    assert _without_references(
        {k: v for k, v in served.items() if k not in SERVER_FIELDS}
    ) == _without_references({k: v for k, v in sent.items() if k not in SERVER_FIELDS})
    assert Consent.objects.count() == 2
    # again: the same consent found, none recorded
    resp = client.post(
        "/fhir/r4/",
        data=json.dumps(bundle),
        content_type="application/fhir+json",
        HTTP_AUTHORIZATION=f"Bearer {tokens['intake']}",
    )
    assert [e["response"]["status"] for e in resp.json()["entry"]] == ["200 OK"] * 2
    assert Consent.objects.count() == 2


def test_a_consent_that_is_not_part2_refuses_the_bundle(client, tokens):
    from waypoint.privacy.models import Consent

    from .bundles import PATIENT_URL, patient

    example = json.loads((EXAMPLES / "Consent-consent-example-notOrg.json").read_bytes())
    example.pop("id")
    example["patient"] = {"reference": PATIENT_URL}
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": PATIENT_URL,
                "resource": patient(),
                "request": {"method": "POST", "url": "Patient"},
            },
            {
                "fullUrl": "urn:uuid:5d1c3f0e-3c2a-4f4e-9a53-2a4cf1d0c002",
                "resource": example,
                "request": {"method": "POST", "url": "Consent"},
            },
        ],
    }
    resp = client.post(
        "/fhir/r4/",
        data=json.dumps(bundle),
        content_type="application/fhir+json",
        HTTP_AUTHORIZATION=f"Bearer {tokens['intake']}",
    )
    assert resp.status_code == 422
    body = resp.json()
    assert [i["details"]["coding"][0]["code"] for i in body["issue"]] == ["consent_not_part2"] * 2
    assert body["issue"][1]["expression"] == ["Bundle.entry[1]"]
    assert "Part 2" in body["issue"][1]["diagnostics"]
    assert Consent.objects.count() == 0
