"""Outreach tasks: opening one (shared by every part: recovery events, check-ins asking
for help, missed aftercare appointments)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.core.errors import DomainError

from ..models import OUTREACH_REASONS, OutreachTask
from ..selectors.outreach import care_site

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.core.models import Site
    from waypoint.patients.models import Patient


def task_open(
    actor: Actor,
    patient: Patient,
    reason: str,
    due_in: dt.timedelta,
    *,
    detail: str = "",
    source: Any = None,
    site: Site | None = None,
) -> OutreachTask:
    """Open an outreach task for ``patient``, due ``due_in`` from now, at ``site`` or the
    site that follows the person (their open or latest episode's), else the actor's own
    site. Call inside the caller's transaction: the task and its audit event are written
    with the event that opened it."""
    if reason not in dict(OUTREACH_REASONS):
        raise DomainError("invalid_input", f"unknown outreach reason {reason!r}")
    site = site or care_site(actor.organization_id, patient.pk) or actor.user.site
    if site is None:
        raise DomainError(
            "no_site", "The person has no episode and you have no site: choose a site.", 422
        )
    now = timezone.now()
    task = OutreachTask.objects.create(
        organization_id=actor.organization_id,
        site=site,
        patient=patient,
        reason=reason,
        detail=detail[:500],
        source_type=source._meta.model_name if source is not None else "",
        source_id=source.pk if source is not None else None,
        due_at=now + due_in,
        opened_at=now,
        opened_by=actor.user if actor.user.is_active and actor.role else None,
    )
    audit.record(
        actor,
        "create",
        "outreach_task",
        task.pk,
        patient_id=patient.pk,
        detail={"reason": reason, "due_at": task.due_at.isoformat(), "site": site.code},
    )
    return task
