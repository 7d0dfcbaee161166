"""Fixtures of the FHIR tests: a GET with a role's token, and the R4B validation of every
resource an answer holds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

DSM_NAMES = [
    "more_than_intended",
    "unsuccessful_cut_down",
    "time_spent",
    "craving",
    "role_failure",
    "social_problems",
    "activities_given_up",
    "hazardous_use",
    "continued_despite_harm",
    "tolerance",
    "withdrawal",
]
PART2 = {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "42CFRPart2"}


def validate(resource: dict[str, Any]) -> None:
    """Validate ``resource`` with fhir.resources R4B (a Bundle: itself and every entry's
    resource on its own too), and check its Part 2 label."""
    model = get_fhir_model_class(resource["resourceType"])
    model.model_validate(resource)
    labels = resource["meta"]["security"]
    assert any(
        ext["valueCoding"] == PART2 for label in labels for ext in label.get("extension", [])
    ), resource
    for entry in resource.get("entry", []):
        validate(entry["resource"])


class Fhir:
    def __init__(self, client, tokens: dict[str, str]) -> None:
        self.client = client
        self.tokens = tokens

    def get(self, path: str, role: str | None = "physician", token: str | None = None, **params):
        headers = {}
        if token or role:
            headers["HTTP_AUTHORIZATION"] = "Bearer " + (token or self.tokens[role])
        resp = self.client.get("/fhir/r4/" + path, params, **headers)
        assert resp["Content-Type"].startswith("application/fhir+json"), resp.content
        body = resp.json()
        if resp.status_code == 200 and body["resourceType"] != "CapabilityStatement":
            validate(body)
        elif resp.status_code != 200:
            assert body["resourceType"] == "OperationOutcome", body
            get_fhir_model_class("OperationOutcome").model_validate(body)
        return resp.status_code, body


def code_of(body: dict[str, Any]) -> str:
    return body["issue"][0]["details"]["coding"][0]["code"]


@pytest.fixture
def fhir(client, tokens):
    return Fhir(client, tokens)


@pytest.fixture
def chart(actor, make_patient):
    """A patient with a DSM-5 OUD diagnosis (severe), a problem, and a second patient."""
    from waypoint.assessments import services

    ana = make_patient()
    ben = make_patient("Ben", "Okafor", "1975-02-03")
    doctor = actor("physician")
    when = timezone.now() - dt.timedelta(days=3)
    items = {n: i < 6 for i, n in enumerate(DSM_NAMES)}
    dsm = services.assessment_record(doctor, ana.pk, "dsm5_oud", items, when)
    problem = services.problem_add(doctor, ana.pk, "depression", icd10="F32.A")
    return {"ana": ana, "ben": ben, "dsm": dsm, "problem": problem}
