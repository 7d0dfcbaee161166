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
        if token:
            headers["HTTP_AUTHORIZATION"] = "Bearer " + token
        elif role:
            headers["HTTP_AUTHORIZATION"] = "Bearer " + self.tokens[role]
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


COWS = dict.fromkeys(
    [
        "resting_pulse",
        "sweating",
        "restlessness",
        "pupil_size",
        "bone_joint_aches",
        "runny_nose_tearing",
        "gi_upset",
        "tremor",
        "yawning",
        "anxiety_irritability",
        "gooseflesh",
    ],
    1,
) | {"gooseflesh": 0}


@pytest.fixture
def records(chart, actor, api):
    """``chart`` plus Ana's COWS (5 days ago) and PHQ-9 (2 days ago), a drug test, an OTP
    episode, a methadone order (through the API, as the physician writes it) and one dose
    at the window (through the API, as the nurse gives it)."""
    from waypoint.assessments import services
    from waypoint.care.episodes import services as episodes
    from waypoint.core.selectors import site_today
    from waypoint.labs import services as labs

    ana = chart["ana"]
    now = timezone.now()
    cows = services.assessment_record(
        actor("nurse"), ana.pk, "cows", COWS, now - dt.timedelta(days=5)
    )
    phq = services.assessment_record(
        actor("counselor"),
        ana.pk,
        "phq9",
        {f"q{i}": 1 for i in range(1, 10)} | {"q9": 0},
        now - dt.timedelta(days=2),
    )
    episode = episodes.episode_admit(
        actor("counselor"), ana.pk, "opioid_treatment_program", (now - dt.timedelta(days=30)).date()
    )
    test = labs.drug_test_record(
        actor("nurse"),
        ana.pk,
        collected_at=now - dt.timedelta(days=1),
        observed=True,
        results={"fentanyl": "positive", "methadone": "positive", "cocaine": "negative"},
    )
    s, order = api.post(
        f"/patients/{ana.pk}/medication-orders",
        "physician",
        # the site's day, not UTC's: after 00:00 UTC the two differ
        {"medication": "methadone", "dose_mg": 30, "start_date": site_today(ana.site).isoformat()},
    )
    assert s == 201, order
    s, dose = api.post(
        "/doses",
        "nurse",
        {"order": order["id"], "dose_mg": 30, "idempotency_key": "fhir-dose-0001"},
    )
    assert s == 201, dose
    return chart | {
        "cows": cows,
        "phq": phq,
        "episode": episode,
        "test": test,
        "order": order,
        "dose": dose,
    }
