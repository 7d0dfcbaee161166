"""Outside records (issue 20 item 3): what the import kept from another system, served as
it came in (references already rewritten to Waypoint's ids), under prefix ``x`` of its
type. Each type reads under the permission and Part 2 category of its native kind."""

from __future__ import annotations

import copy
from typing import Any, cast

from django.db.models import Q, QuerySet

from ..models import OutsideRecord
from ..registry import Provider
from .base import ModelProvider

# resource type -> (the staff permission that reads it, its Part 2 category)
KINDS = {
    "Condition": ("assessment.view", "diagnosis"),
    "Observation": ("assessment.view", "assessments"),
    "MedicationRequest": ("medication.view", "medications"),
    "MedicationAdministration": ("medication.view", "medications"),
    "EpisodeOfCare": ("episode.view", "treatment_plan"),
}


class OutsideProvider(ModelProvider):
    prefix = "x"
    date_field = "effective"
    order = ("-effective", "-pk")

    def __init__(self, resource_type: str) -> None:
        self.resource_type = resource_type
        self.permission, self.category = KINDS[resource_type]

    def rows(self, organization_id: int) -> QuerySet[OutsideRecord]:
        return OutsideRecord.objects.filter(
            organization_id=organization_id, resource_type=self.resource_type
        )

    def code_q(self, system: str | None, code: str) -> Q | None:
        return Q(code=code) if system is None else Q(code=code, code_system=system)

    def resource(self, row: OutsideRecord) -> dict[str, Any]:
        body = copy.deepcopy(row.resource)
        body.pop("resourceType", None)
        body.pop("id", None)
        return body


def providers() -> list[Provider]:
    # cast: ModelProvider declares its names as class variables, the Protocol as attributes
    return [cast(Provider, OutsideProvider(t)) for t in KINDS]
