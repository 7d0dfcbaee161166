"""Assessment API: instruments, risk factors, problems, level of care and flags."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from waypoint.core.actor import api_actor
from waypoint.core.schemas import IsoDate, PatientId, StrictSchema, text
from waypoint.core.selectors import site_by_code

from . import selectors, services

patients_router = Router(tags=["assessments"])
router = Router(tags=["assessments"])


class AssessmentIn(StrictSchema):
    instrument: Annotated[str, text(30, 1)]
    items: dict[str, Any]
    administered_at: dt.datetime | None = None


class AssessmentOut(Schema):
    id: int
    patient: PatientId
    instrument: str
    total: int
    severity: str
    flags: list[str]
    icd10: str | None
    details: dict
    items: dict
    administered_at: dt.datetime
    administered_by: str

    @staticmethod
    def resolve_icd10(obj) -> str | None:
        return obj.details.get("icd10")

    @staticmethod
    def resolve_administered_by(obj) -> str:
        return obj.administered_by.username


class RiskIn(StrictSchema):
    factors: dict[str, bool]
    infection_testing_offered: bool = False
    infection_testing_accepted: bool | None = None
    notes: Annotated[str, text(2000)] = ""


class RiskOut(Schema):
    id: int
    factors: dict
    infection_testing_offered: bool
    infection_testing_accepted: bool | None
    infection_testing_indicated: bool
    recorded_at: dt.datetime

    @staticmethod
    def resolve_infection_testing_indicated(obj) -> bool:
        from waypoint.clinical.risk import infection_testing_indicated

        return infection_testing_indicated(obj.factors)


class ProblemIn(StrictSchema):
    condition: Annotated[str, text(30, 1)]
    description: Annotated[str, text(200)] = ""
    icd10: Annotated[str, text(10)] = ""
    onset: IsoDate | None = None


class ProblemOut(Schema):
    id: int
    condition: str
    description: str
    icd10: str
    status: str
    onset: dt.date | None
    noted_at: dt.datetime


class LocIn(StrictSchema):
    ratings: dict[str, Any]
    overdose_last_year: bool = False
    pregnant: bool = False


class LocOut(Schema):
    id: int
    patient: PatientId
    ratings: dict
    dsm5_severity: str
    cows_total: int | None
    recommended_level: str
    reasons: list[str]
    medication_recommended: bool
    provisional: bool
    decision: str
    decided_level: str
    override_reason: str


class DecisionIn(StrictSchema):
    accept: bool
    level: Annotated[str, text(30)] | None = None
    reason: Annotated[str, text(2000)] = ""


class FlagOut(Schema):
    id: int
    kind: str
    reason: str
    raised_at: dt.datetime
    acknowledged_at: dt.datetime | None
    acknowledgement_note: str


class OpenFlagOut(Schema):
    id: int
    kind: str
    kind_label: str
    reason: str
    raised_at: dt.datetime
    patient: int
    mrn: str
    site: str

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_patient(obj) -> int:
        return obj.patient_id

    @staticmethod
    def resolve_mrn(obj) -> str:
        return obj.patient.mrn

    @staticmethod
    def resolve_site(obj) -> str:
        return obj.patient.site.code


class AckIn(StrictSchema):
    note: Annotated[str, text(2000)] = ""


@patients_router.post("/{id:patient_id}/assessments", response={201: AssessmentOut})
def record_assessment(request: HttpRequest, patient_id: int, payload: AssessmentIn):
    """Score an instrument (``cows``, ``dsm5_oud``, ``phq9``, ``gad7``). The server computes
    every score; 422 ``item_out_of_range`` / ``missing_item`` / ``unknown_item`` /
    ``unknown_instrument`` store nothing."""
    a = services.assessment_record(
        api_actor(request), patient_id, payload.instrument, payload.items, payload.administered_at
    )
    return Status(201, a)


@patients_router.get("/{id:patient_id}/assessments", response=list[AssessmentOut])
def list_assessments(request: HttpRequest, patient_id: int, instrument: str | None = None):
    return selectors.assessments_list(api_actor(request), patient_id, instrument)


@patients_router.post("/{id:patient_id}/risk-factors", response={201: RiskOut})
def record_risk(request: HttpRequest, patient_id: int, payload: RiskIn):
    screen = services.risk_screen_record(
        api_actor(request),
        patient_id,
        payload.factors,
        infection_testing_offered=payload.infection_testing_offered,
        infection_testing_accepted=payload.infection_testing_accepted,
        notes=payload.notes,
    )
    return Status(201, screen)


@patients_router.post("/{id:patient_id}/problems", response={201: ProblemOut})
def add_problem(request: HttpRequest, patient_id: int, payload: ProblemIn):
    problem = services.problem_add(
        api_actor(request),
        patient_id,
        payload.condition,
        description=payload.description,
        icd10=payload.icd10,
        onset=payload.onset,
    )
    return Status(201, problem)


@router.post("/problems/{id:problem_id}/resolve", response=ProblemOut)
def resolve_problem(request: HttpRequest, problem_id: int):
    return services.problem_resolve(api_actor(request), problem_id)


@patients_router.post("/{id:patient_id}/level-of-care-assessments", response={201: LocOut})
def assess_level(request: HttpRequest, patient_id: int, payload: LocIn):
    """Six dimension ratings (``d1_intoxication_withdrawal`` … ``d6_recovery_environment``,
    each 0-4) → a recommended level with reasons, pending a clinician's decision."""
    la = services.level_of_care_assess(
        api_actor(request),
        patient_id,
        payload.ratings,
        overdose_last_year=payload.overdose_last_year,
        pregnant=payload.pregnant,
    )
    return Status(201, la)


@router.post("/level-of-care-assessments/{id:assessment_id}/decision", response=LocOut)
def decide_level(request: HttpRequest, assessment_id: int, payload: DecisionIn):
    """Accept (``{"accept": true}``) or override (``{"accept": false, "level", "reason"}``)."""
    return services.level_of_care_decide(
        api_actor(request),
        assessment_id,
        accept=payload.accept,
        level=payload.level,
        reason=payload.reason,
    )


@patients_router.get("/{id:patient_id}/flags", response=list[FlagOut])
def list_flags(request: HttpRequest, patient_id: int):
    return selectors.flags_list(api_actor(request), patient_id)


@router.post("/flags/{id:flag_id}/acknowledge", response=FlagOut)
def acknowledge_flag(request: HttpRequest, flag_id: int, payload: AckIn):
    return services.flag_acknowledge(api_actor(request), flag_id, payload.note)


@router.get("/safety-flags", response=list[OpenFlagOut])
def open_safety_flags(request: HttpRequest, site: str):
    """A site's open suicide-risk and overdose-risk flags, oldest first (the clinical
    lead's list). 422 ``unknown_site``; 403 without ``safety_flags.view``."""
    actor = api_actor(request)
    actor.require("safety_flags.view")
    return selectors.site_open_flags(actor, site_by_code(actor.organization_id, site[:20]))
