"""Reads of inquiries and the walk-in queue, scoped to the organization and audited."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.core.errors import NotFound
from waypoint.patients import access

from .models import OPEN_STATUSES, Inquiry

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.core.models import Site


def site_day_bounds(site: Site, day: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    """Start and end (UTC-aware) of ``day`` — today by default — in the site's time zone."""
    tz = site.tz
    day = day or timezone.now().astimezone(tz).date()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def walk_in_queue(actor: Actor, site: Site) -> list[Inquiry]:
    """Today's open walk-ins at ``site`` (and open ones from earlier still waiting): the
    urgent (withdrawal now, pregnant, recent overdose) first, then longest waiting first.
    Each row gets ``waiting_minutes``."""
    actor.require("inquiry.view")
    start, _end = site_day_bounds(site)
    urgent = Q(withdrawal_now=True) | Q(pregnant=True) | Q(overdose_last_year=True)
    rows = list(
        Inquiry.objects.filter(
            organization_id=actor.organization_id,
            site=site,
            channel="walk_in",
            status__in=OPEN_STATUSES,
            arrived_at__gte=start - dt.timedelta(days=1),
        )
        .annotate(
            urgent_rank=Case(
                When(urgent, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("urgent_rank", "arrived_at")
        .select_related("patient")
    )
    now = timezone.now()
    for r in rows:
        r.waiting_minutes = int((now - r.arrived_at).total_seconds() // 60)
        hours, minutes = divmod(r.waiting_minutes, 60)
        r.waiting_label = f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
    # A linked restricted record the actor may not open shows masked (patients.access).
    rows = access.mask_rows(actor, rows)
    with transaction.atomic():
        audit.record(
            actor,
            "list",
            "inquiry",
            "",
            patients=[r.patient_id for r in rows if r.patient_id],
            detail={"view": "walk_in_queue", "site": site.code, "count": len(rows)},
        )
    return rows


def inquiries_list(
    actor: Actor, *, site: Site | None = None, status: str | None = None, limit: int = 100
) -> list[Inquiry]:
    actor.require("inquiry.view")
    qs = Inquiry.objects.filter(organization_id=actor.organization_id).select_related("site")
    if site is not None:
        qs = qs.filter(site=site)
    if status:
        qs = qs.filter(status=status)
    rows = list(qs.order_by("-arrived_at")[:limit])
    with transaction.atomic():
        audit.record(actor, "list", "inquiry", "", detail={"count": len(rows)})
    return rows


def inquiry_get(actor: Actor, inquiry_id: int) -> Inquiry:
    actor.require("inquiry.view")
    inq = (
        Inquiry.objects.select_related("site", "patient")
        .filter(pk=inquiry_id, organization_id=actor.organization_id)
        .first()
    )
    if inq is None:
        raise NotFound("inquiry")
    with transaction.atomic():
        audit.record(actor, "read", "inquiry", inq.pk, patient_id=inq.patient_id)
    return inq
