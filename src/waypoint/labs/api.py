"""Drug testing API: record and correct tests, a person's tests, random picks, requests."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import AwareDatetime, Field

from waypoint.core.actor import api_actor
from waypoint.core.schemas import Bool, IsoDate, PatientId, SiteCode, StrictSchema, text
from waypoint.core.selectors import site_by_code

from . import selectors, services
from .models import DrugTest

patients_router = Router(tags=["drug tests"])
tests_router = Router(tags=["drug tests"])
sites_router = Router(tags=["drug tests"])

Results = Annotated[
    dict[Annotated[str, text(40, 1)], Annotated[str, text(20, 1)]], Field(max_length=20)
]


class DrugTestIn(StrictSchema):
    collected_at: AwareDatetime
    observed: Bool
    results: Results
    specimen: Annotated[str, text(12, 1)] = "urine"
    method: Annotated[str, text(16, 1)] = "point_of_care"
    reference: Annotated[str, text(80)] = ""
    note: Annotated[str, text(500)] = ""
    reason: Annotated[str, text(12, 1)] | None = None


class CorrectionIn(StrictSchema):
    results: Results
    reason: Annotated[str, text(500, 1)]


class RequestIn(StrictSchema):
    due_on: IsoDate


class PickIn(StrictSchema):
    day: IsoDate | None = None


class ResultOut(Schema):
    analyte: str
    result: str
    meaning: str


class CorrectionOut(Schema):
    changes: dict
    reason: str
    at: dt.datetime


class DrugTestOut(Schema):
    id: int
    patient: PatientId
    site: SiteCode
    collected_at: dt.datetime
    local_day: dt.date
    specimen: str
    method: str
    observed: bool
    reason: str
    confirmed: bool
    results: dict[str, str]
    readings: list[ResultOut]
    medications: list[str]
    expected: list[str]
    uses: list[str]
    possible_diversion: list[str]
    corrections: list[CorrectionOut]
    note: str

    @staticmethod
    def resolve_results(obj: DrugTest) -> dict[str, str]:
        return {r.analyte: r.result for r in obj.results.all()}

    @staticmethod
    def resolve_readings(obj: DrugTest) -> list:
        return list(obj.results.all())

    @staticmethod
    def resolve_corrections(obj: DrugTest) -> list:
        return list(obj.corrections.all())


class RequestOut(Schema):
    id: int
    patient: PatientId
    site: SiteCode
    due_on: dt.date
    reason: str
    status: str


class BehindOut(Schema):
    patient: int
    name: str
    days_enrolled: int
    tests: int  # random tests: only these count toward the minimum
    all_tests: int
    required: int
    last_test: dt.date | None


def _fresh(test_id: int) -> DrugTest:
    return (
        DrugTest.objects.select_related("site")
        .prefetch_related("results", "corrections")
        .get(pk=test_id)
    )


@patients_router.post("/{id:patient_id}/drug-tests", response={201: DrugTestOut})
def drug_test_create(request: HttpRequest, patient_id: int, payload: DrugTestIn):
    """Record a collected test (nurse, physician, incentives coordinator). Each result is
    read against the person's active medications: an expected medication is not use; a
    prescribed medication not found raises a diversion-concern flag. ``reason`` says why it
    was taken (``random``, ``scheduled``, ``clinical``, ``admission``, ``contingency``);
    without it, a pending test request of that day gives it, else ``unspecified``. Only
    random tests count toward the 8 a year. 422 ``unknown_analyte``, ``invalid_result``,
    ``no_results``, ``time_in_future``, ``strip_analyte``, ``unknown_test_reason``."""
    test = services.drug_test_record(api_actor(request), patient_id, **payload.model_dump())
    return Status(201, _fresh(test.pk))


@patients_router.get("/{id:patient_id}/drug-tests", response=list[DrugTestOut])
def drug_test_list(request: HttpRequest, patient_id: int):
    """A person's tests, newest first."""
    return selectors.drug_tests_for_patient(api_actor(request), patient_id)


@patients_router.post("/{id:patient_id}/test-requests", response={201: RequestOut})
def test_request_create(request: HttpRequest, patient_id: int, payload: RequestIn):
    """Ask for a test on a day. 409 ``already_requested``; 422 ``date_in_past``."""
    req = services.test_request_create(api_actor(request), patient_id, payload.due_on)
    return Status(201, req)


@tests_router.get("/{id:test_id}", response=DrugTestOut)
def drug_test_get(request: HttpRequest, test_id: int):
    return selectors.drug_test_get(api_actor(request), test_id)


@tests_router.post("/{id:test_id}/corrections", response=DrugTestOut)
def drug_test_correct(request: HttpRequest, test_id: int, payload: CorrectionIn):
    """Correct results (physician, nurse), keeping the old values; awards that followed the
    test are reversed and re-applied. 422 ``reason_required``, ``nothing_changed``."""
    test = services.drug_test_correct(api_actor(request), test_id, payload.results, payload.reason)
    return _fresh(test.pk)


@sites_router.post("/{code}/random-tests", response={201: list[RequestOut]})
def random_pick(request: HttpRequest, code: str, payload: PickIn):
    """Pick the site's random tests for a day (default today): everyone behind the yearly
    minimum and a random share of the others. Returns the people newly picked."""
    return Status(201, services.random_tests_pick(api_actor(request), code, payload.day))


@sites_router.get("/{code}/tests-due", response=list[RequestOut])
def tests_due(request: HttpRequest, code: str, on: IsoDate | None = None):
    actor = api_actor(request)
    return selectors.tests_due(actor, site_by_code(actor.organization_id, code), on)


@sites_router.get("/{code}/random-testing/behind", response=list[BehindOut])
def behind(request: HttpRequest, code: str):
    """People in treatment at the site with fewer random tests in the last 365 days than
    the pro-rated minimum of 8 a year (``tests``: random tests, the ones that count;
    ``all_tests``: every test)."""
    return [
        {
            "patient": r["patient"].pk,
            "name": f"{r['patient'].first_name} {r['patient'].last_name}",
            **{k: r[k] for k in ("days_enrolled", "tests", "all_tests", "required", "last_test")},
        }
        for r in selectors.behind(api_actor(request), code)
    ]
