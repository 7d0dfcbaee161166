"""GET /api/v1/audit-events?patient= (auditor and admin only)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from waypoint.core.actor import api_actor
from waypoint.core.schemas import OptionalPatientId, RecordId

from .selectors import audit_events

router = Router(tags=["audit"])


class AuditQuery(Schema):
    patient: RecordId | None = None
    limit: int = Field(100, ge=1, le=1000)
    # Bounded: an offset past what the database's integers hold was a 500, not an answer.
    offset: int = Field(0, ge=0, le=10**9)


class AuditEventOut(Schema):
    id: int
    chain: int  # the site's id, 0 for the organization's own chain (docs/AUDIT.md)
    seq: int  # within the chain
    at: dt.datetime
    actor: str
    role: str
    patient: OptionalPatientId
    action: str
    object_type: str
    object_id: str
    purpose: str
    channel: str
    client_address: str
    detail: dict
    hash: str

    @staticmethod
    def resolve_actor(obj) -> str:
        return obj.actor_username

    @staticmethod
    def resolve_role(obj) -> str:
        return obj.actor_role


class AuditPage(Schema):
    total: int
    events: list[AuditEventOut]


@router.get("", response=AuditPage)
def list_events(request: HttpRequest, params: Query[AuditQuery]):
    """Newest first. Filter by ``patient`` id; ``limit`` 1-1000, ``offset``."""
    total, rows = audit_events(
        api_actor(request),
        patient_id=params.patient,
        limit=params.limit,
        offset=params.offset,
    )
    return {"total": total, "events": rows}
