"""Reading the audit trail (auditor and admin only). Reading it is itself audited."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet

from waypoint.core.errors import NotFound

from . import services, subjects
from .models import AuditEvent

if TYPE_CHECKING:
    from waypoint.core.actor import Actor


def audit_events(
    actor: Actor, *, patient_id: int | None = None, limit: int = 200, offset: int = 0
) -> tuple[int, list[AuditEvent]]:
    actor.require("audit.view")
    qs: QuerySet[AuditEvent] = AuditEvent.objects.filter(organization_id=actor.organization_id)
    if patient_id is not None:
        if not subjects.patient_exists(actor.organization_id, patient_id):
            raise NotFound("patient")
        qs = qs.filter(patient_id=patient_id)
    total = qs.count()
    rows = list(qs.select_related("patient").order_by("-seq")[offset : offset + limit])
    with transaction.atomic():
        services.record(
            actor,
            "read",
            "audit_trail",
            patient_id or "",
            patient_id=patient_id,
            detail={"events_shown": len(rows)},
        )
    return total, rows
