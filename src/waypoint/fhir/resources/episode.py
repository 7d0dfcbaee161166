"""EpisodeOfCare (issue 20 item 1; prefix ``episode``): an episode of treatment from
admission to discharge, its current level of care as ``type`` and every level it passed
through as ``statusHistory`` (``codes.LEVEL_SYSTEM``, ``clinical.level_of_care``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from waypoint.care.models import Episode
from waypoint.clinical.level_of_care import LEVEL_LABELS, LEVELS

from .. import codes
from ..registry import Provider
from .base import ModelProvider, ref


def _level(level: str) -> dict[str, Any]:
    return {
        "coding": [{"system": codes.LEVEL_SYSTEM, "code": level}],
        "text": LEVEL_LABELS.get(level, level),
    }


def _period(start: Any, end: Any) -> dict[str, str]:
    period = {"start": start.isoformat()}
    if end is not None:
        period["end"] = end.isoformat()
    return period


class EpisodeProvider(ModelProvider):
    resource_type = "EpisodeOfCare"
    prefix = "episode"
    permission = "episode.view"
    category = "treatment_plan"
    date_field = "admitted_on"
    date_moments = False
    order = ("-admitted_on", "-pk")

    def rows(self, organization_id: int) -> QuerySet[Episode]:
        return Episode.objects.filter(organization_id=organization_id).prefetch_related("stays")

    def code_q(self, system: str | None, code: str) -> Q | None:
        if system in (None, codes.LEVEL_SYSTEM) and code in LEVELS:
            return Q(stays__level=code)
        return None

    def filtered(self, organization_id: int, q: Any) -> QuerySet[Any]:
        return super().filtered(organization_id, q).distinct()

    def resource(self, e: Episode) -> dict[str, Any]:
        stays = sorted(e.stays.all(), key=lambda s: (s.started_on, s.pk))
        body: dict[str, Any] = {
            "status": "finished" if e.discharged_on else "active",
            "patient": ref(e.patient_id),
            "period": _period(e.admitted_on, e.discharged_on),
        }
        if stays:
            current = stays[-1]
            body["type"] = [_level(current.level)]
            body["statusHistory"] = [
                {
                    "status": "finished" if s.ended_on or e.discharged_on else "active",
                    "period": _period(s.started_on, s.ended_on or e.discharged_on),
                }
                for s in stays
            ]
            # statusHistory carries no level in FHIR R4: each stay's level is in type too,
            # oldest first, the current one first of all
            body["type"] += [_level(s.level) for s in stays[:-1]]
        return body


def providers() -> list[Provider]:
    return [EpisodeProvider()]
