"""Treatment plans API: draft, edit, sign, revise, read. Mounted at the API root."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status

from waypoint.core.actor import api_actor
from waypoint.core.schemas import PatientId

from . import selectors, services
from .schemas import PlanIn, ReviseIn, SignIn

router = Router(tags=["treatment plans"])


class SignatureOut(Schema):
    signed_at: dt.datetime | None
    signed_by: int | None = None
    recorded_by: int | None = None
    witness: str = ""


class PlanOut(Schema):
    id: int
    episode: int
    patient: PatientId
    version: int
    previous: int | None
    status: str
    plan_date: dt.date
    level_of_care: str
    review_due_on: dt.date
    review_overdue: bool
    problems: list[dict]
    clinician_signature: SignatureOut
    patient_signature: SignatureOut
    created_at: dt.datetime

    @staticmethod
    def resolve_episode(obj) -> int:
        return obj.episode_id

    @staticmethod
    def resolve_previous(obj) -> int | None:
        return obj.previous_id

    @staticmethod
    def resolve_review_overdue(obj) -> bool:
        return selectors.is_overdue(obj)

    @staticmethod
    def resolve_problems(obj) -> list[dict]:
        return obj.content.get("problems", [])

    @staticmethod
    def resolve_clinician_signature(obj) -> dict:
        return {"signed_at": obj.clinician_signed_at, "signed_by": obj.clinician_signed_by_id}

    @staticmethod
    def resolve_patient_signature(obj) -> dict:
        return {
            "signed_at": obj.patient_signed_at,
            "recorded_by": obj.patient_signature_recorded_by_id,
            "witness": obj.patient_signature_witness,
        }


def _fresh(request: HttpRequest, plan_id: int):
    return selectors.plan_written(api_actor(request), plan_id)


@router.post("/episodes/{id:episode_id}/treatment-plans", response={201: PlanOut})
def create_plan(request: HttpRequest, episode_id: int, payload: PlanIn):
    """Create the first version of the episode's plan as a draft. 409 ``episode_discharged``,
    ``plan_exists``; 422 ``target_before_plan_date``, ``unknown_staff``, ``unknown_problem``,
    ``date_in_future``, ``date_before_admission``."""
    plan = services.plan_create(api_actor(request), episode_id, payload)
    return Status(201, _fresh(request, plan.pk))


@router.get("/episodes/{id:episode_id}/treatment-plans", response=list[PlanOut])
def list_plans(request: HttpRequest, episode_id: int):
    """Every version of the episode's plan, newest first."""
    return selectors.plans_for_episode(api_actor(request), episode_id)


@router.get("/treatment-plans/{id:plan_id}", response=PlanOut)
def get_plan(request: HttpRequest, plan_id: int):
    return selectors.plan_get(api_actor(request), plan_id)


@router.put("/treatment-plans/{id:plan_id}", response=PlanOut)
def update_plan(request: HttpRequest, plan_id: int, payload: PlanIn):
    """Replace an unsigned draft's content. 409 ``plan_signed`` (revise instead),
    ``plan_superseded``, ``episode_discharged``; 422 as for create."""
    plan = services.plan_update(api_actor(request), plan_id, payload)
    return _fresh(request, plan.pk)


@router.post("/treatment-plans/{id:plan_id}/sign", response=PlanOut)
def sign_plan(request: HttpRequest, plan_id: int, payload: SignIn):
    """Record the clinician's signature (the caller) or the patient's (recorded by the
    caller, with ``witness``, the caller's name by default). 409 ``already_signed``,
    ``plan_superseded``, ``episode_discharged``."""
    plan = services.plan_sign(api_actor(request), plan_id, payload.signer, payload.witness)
    return _fresh(request, plan.pk)


@router.post("/treatment-plans/{id:plan_id}/revise", response={201: PlanOut})
def revise_plan(request: HttpRequest, plan_id: int, payload: ReviseIn):
    """The next version (unsigned) of a signed plan; the old one is kept read-only. Body
    ``{}`` copies the content; ``{"plan": {...}}`` gives the new content. 409 ``plan_not_signed``,
    ``plan_superseded``, ``episode_discharged``."""
    plan = services.plan_revise(api_actor(request), plan_id, payload.plan)
    return Status(201, _fresh(request, plan.pk))
