"""Continuum-of-care API: admit, move between levels of care, discharge, and read."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status

from waypoint.core.actor import api_actor
from waypoint.core.schemas import PatientId, SiteCode

from . import selectors, services
from .schemas import DischargeIn, EpisodeIn, TransitionIn

patients_router = Router(tags=["episodes"])
router = Router(tags=["episodes"])


class StayOut(Schema):
    id: int
    level: str
    started_on: dt.date
    ended_on: dt.date | None


class LengthOfStayOut(Schema):
    total_days: int
    by_level: dict[str, int]
    current_level_days: int | None


class EpisodeOut(Schema):
    id: int
    patient: PatientId
    site: SiteCode
    status: str
    level_of_care: str
    admitted_on: dt.date
    referral_source: str
    primary_substance: str
    other_substances: list[str]
    recommended_level: str
    level_reason: str
    discharged_on: dt.date | None
    discharge_reason: str
    stays: list[StayOut]
    length_of_stay: LengthOfStayOut

    @staticmethod
    def resolve_status(obj) -> str:
        return "open" if obj.discharged_on is None else "discharged"

    @staticmethod
    def resolve_level_of_care(obj) -> str:
        stays = list(obj.stays.all())
        return stays[-1].level if stays else ""

    @staticmethod
    def resolve_stays(obj) -> list:
        return list(obj.stays.all())

    @staticmethod
    def resolve_length_of_stay(obj):
        return selectors.los_for(obj)


def _fresh(request: HttpRequest, episode_id: int):
    return selectors.episode_written(api_actor(request), episode_id)


@patients_router.post("/{id:patient_id}/episodes", response={201: EpisodeOut})
def admit(request: HttpRequest, patient_id: int, payload: EpisodeIn):
    """Open an episode of care at ``level_of_care`` on ``admitted_on`` (not after the site's
    today). ``level_reason`` says why when the level is not the latest level-of-care
    recommendation: kept with the episode, never required here (the contract's body is
    enough; the staff page asks for it). The patient's open inquiries are closed as
    admitted. 409 ``episode_already_open``; 422 ``unknown_level_of_care``,
    ``date_in_future``, ``unknown_site``, ``unknown_referral_source``,
    ``unknown_substance``."""
    ep = services.episode_admit(
        api_actor(request),
        patient_id,
        payload.level_of_care,
        payload.admitted_on,
        site=payload.site,
        referral_source=payload.referral_source,
        primary_substance=payload.primary_substance,
        other_substances=payload.other_substances,
        level_reason=payload.level_reason,
        reason_required=False,
    )
    return Status(201, _fresh(request, ep.pk))


@patients_router.get("/{id:patient_id}/episodes", response=list[EpisodeOut])
def list_episodes(request: HttpRequest, patient_id: int):
    return selectors.episodes_for_patient(api_actor(request), patient_id)


@router.get("/{id:episode_id}", response=EpisodeOut)
def get_episode(request: HttpRequest, episode_id: int):
    return selectors.episode_get(api_actor(request), episode_id)


@router.post("/{id:episode_id}/transitions", response={201: EpisodeOut})
def transition(request: HttpRequest, episode_id: int, payload: TransitionIn):
    """Move to level ``to`` on ``on``. 409 ``episode_discharged`` / ``same_level_of_care``;
    422 ``unknown_level_of_care``, ``date_in_future``, ``date_before_admission``,
    ``date_before_current_level``."""
    stay = services.episode_transition(api_actor(request), episode_id, payload.to, payload.on)
    return Status(201, _fresh(request, stay.episode_id))


@router.post("/{id:episode_id}/discharge", response=EpisodeOut)
def discharge(request: HttpRequest, episode_id: int, payload: DischargeIn):
    """Discharge on ``on`` with a TEDS ``reason``. 409 ``episode_discharged``; 422
    ``unknown_discharge_reason``, ``date_in_future``, ``date_before_admission``."""
    ep = services.episode_discharge(api_actor(request), episode_id, payload.on, payload.reason)
    return _fresh(request, ep.pk)
