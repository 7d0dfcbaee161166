"""Reading the audit trail (auditor and admin only). Reading it is itself audited."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet

from waypoint.core.errors import NotFound

from . import services, subjects
from .models import AuditEvent, AuditEventPatient

if TYPE_CHECKING:
    from waypoint.core.actor import Actor


def events_naming(organization_id: int, patient_id: int) -> QuerySet:
    """The ids of every event that touched or showed the patient: their own reads and
    writes and every search, board and list that named them ("who saw this person's
    record"), one indexed query on the link table. Events written before the links existed
    are linked by audit migration 0004."""
    return AuditEventPatient.objects.filter(
        organization_id=organization_id, patient_id=patient_id
    ).values("event_id")


def audit_events(
    actor: Actor, *, patient_id: int | None = None, limit: int = 200, offset: int = 0
) -> tuple[int, list[AuditEvent]]:
    actor.require("audit.view")
    qs: QuerySet[AuditEvent] = AuditEvent.objects.filter(organization_id=actor.organization_id)
    if patient_id is not None:
        if not subjects.patient_exists(actor.organization_id, patient_id):
            raise NotFound("patient")
        qs = qs.filter(pk__in=events_naming(actor.organization_id, patient_id))
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
