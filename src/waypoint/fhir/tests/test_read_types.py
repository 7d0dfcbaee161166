"""FHIR read of every native type (issue 20 item 1): each validates with R4B (the Fhir
client's ``validate``), carries Part 2 labels, and says what the record says."""

from __future__ import annotations

import pytest

from .conftest import code_of

pytestmark = pytest.mark.django_db


def entries(body):
    return [e["resource"] for e in body["entry"]]


def test_survey_observations(fhir, records):
    ana = records["ana"]
    s, cows = fhir.get(f"Observation/assessment-{records['cows'].pk}")
    assert s == 200, cows
    assert cows["valueInteger"] == 10
    assert cows["code"]["coding"] == [{"system": "urn:waypoint:instrument", "code": "cows"}]
    assert len(cows["component"]) == 11
    s, phq = fhir.get(f"Observation/assessment-{records['phq'].pk}")
    assert phq["code"]["coding"][0]["code"] == "44261-6"
    assert phq["valueInteger"] == 8
    assert phq["subject"]["reference"] == f"Patient/{ana.pk}"


def test_drug_test_observations_one_per_analyte(fhir, records):
    s, body = fhir.get("Observation", patient=records["ana"].pk, code="fentanyl,cocaine")
    assert s == 200, body
    got = {r["code"]["coding"][0]["code"]: r for r in entries(body)}
    assert set(got) == {"fentanyl", "cocaine"}
    assert got["fentanyl"]["interpretation"][0]["coding"][0]["code"] == "POS"
    assert got["cocaine"]["interpretation"][0]["coding"][0]["code"] == "NEG"
    assert all(r["category"][0]["coding"][0]["code"] == "laboratory" for r in got.values())


def test_medication_request_and_administration(fhir, records):
    order_id = records["order"]["id"]
    s, req = fhir.get(f"MedicationRequest/order-{order_id}")
    assert s == 200, req
    assert {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "6813"} in req[
        "medicationCodeableConcept"
    ]["coding"]
    assert req["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] == 30
    s, given = fhir.get(f"MedicationAdministration/dose-{records['dose']['id']}")
    assert s == 200, given
    assert given["request"] == {"reference": f"MedicationRequest/order-{order_id}"}
    assert given["dosage"]["dose"]["value"] == 30


def test_episode_of_care(fhir, records):
    s, ep = fhir.get(f"EpisodeOfCare/episode-{records['episode'].pk}")
    assert s == 200, ep
    assert ep["status"] == "active"
    assert ep["type"][0]["coding"][0]["code"] == "opioid_treatment_program"
    assert ep["statusHistory"][0]["status"] == "active"
    assert ep["patient"]["reference"] == f"Patient/{records['ana'].pk}"


def test_nurse_cannot_read_what_the_role_may_not(fhir, records):
    from waypoint.core.permissions import allowed

    role = next(r for r in ("incentives", "intake") if not allowed(r, "medication.view"))
    s, body = fhir.get(f"MedicationRequest/order-{records['order']['id']}", role=role)
    assert (s, code_of(body)) == (403, "forbidden")
