"""Issue 20 "Done when": every resource type round-trips. A transaction Bundle is
imported (POST /fhir/r4/), each resource is served back by GET at the location the
transaction-response gave, validates with fhir.resources R4B (and carries the Part 2
labels: conftest ``validate``), and equals what went in for the fields both sides have."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .bundles import transaction
from .conftest import validate

pytestmark = pytest.mark.django_db

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


@pytest.mark.skip(reason="Consent import waits for fhirpriv's consent_from_fhir (wip-fhirpriv)")
def test_consent_round_trip():
    raise AssertionError("not built yet")
