"""Reads of inquiries and the walk-in queue, scoped to the organization and audited."""

from __future__ import annotations

import datetime as dt
import hashlib
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


def _queue_rows(actor: Actor, site: Site) -> list[Inquiry]:
    start, _end = site_day_bounds(site)
    urgent = Q(withdrawal_now=True) | Q(pregnant=True) | Q(overdose_last_year=True)
    rows: list[Inquiry] = list(
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
    return rows


def queue_version(rows: list[Inquiry]) -> str:
    """A short fingerprint of what the queue shows (who, in what order, status, patient
    link, urgency): the page's refresh asks with it and gets "unchanged" while it holds."""
    text = "|".join(
        f"{r.pk}:{r.status}:{r.patient_id}:{r.status_changed_at.isoformat()}:{int(r.urgent)}"
        for r in rows
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def walk_in_queue(actor: Actor, site: Site, *, unless_version: str = "") -> list[Inquiry] | None:
    """Today's open walk-ins at ``site`` (and open ones from earlier still waiting): the
    urgent (withdrawal now, pregnant, recent overdose) first, then longest waiting first.
    Each row gets ``waiting_minutes``. With ``unless_version`` (the page's refresh), None
    when the queue still has that version: nothing new is shown, so nothing is audited;
    otherwise one ``list`` audit event."""
    actor.require("inquiry.view")
    rows = _queue_rows(actor, site)
    if unless_version and queue_version(rows) == unless_version:
        return None
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


# How long after a walk-in or call its urgent facts stay on the chart's banner (judgment:
# withdrawal, pregnancy and a recent overdose are what the first days of care must not
# miss; the "From intake" section keeps them afterwards).
URGENT_BANNER_DAYS = 14


def patient_inquiries(organization_id: int, patient) -> list[Inquiry]:
    """The inquiries linked to a patient, newest first (the chart's "From intake"; the
    chart page's read is audited once for the whole chart)."""
    return list(
        Inquiry.objects.filter(organization_id=organization_id, patient=patient)
        .select_related("site")
        .order_by("-arrived_at", "-id")[:10]
    )


def urgent_recent(organization_id: int, patient) -> list[Inquiry]:
    """The patient's inquiries of the last ``URGENT_BANNER_DAYS`` days with urgent facts."""
    since = timezone.now() - dt.timedelta(days=URGENT_BANNER_DAYS)
    urgent = Q(withdrawal_now=True) | Q(pregnant=True) | Q(overdose_last_year=True)
    return list(
        Inquiry.objects.filter(
            urgent, organization_id=organization_id, patient=patient, arrived_at__gte=since
        ).order_by("-arrived_at", "-id")
    )


HOME_ROWS = 8


def home_queue(actor: Actor, site: Site | None) -> dict:
    """The home page's walk-in queue (registered in apps.py for intake): how many wait at
    the actor's site and the first ``HOME_ROWS``, urgent first, each with its next step
    (register the person, or admit the registered patient on the chart's episode
    section). One ``list`` audit event names the linked patients shown."""
    if site is None:
        return {"queue": None}
    actor.require("inquiry.view")
    from waypoint.patients.chart import chart_url

    rows = _queue_rows(actor, site)
    shown = access.mask_rows(actor, rows[:HOME_ROWS])
    for r in shown:
        r.admit_url = chart_url(r.patient_id, "episode") if r.patient_id else ""
    linked = sorted({r.patient_id for r in shown if r.patient_id})
    if linked:
        with transaction.atomic():
            audit.record(
                actor,
                "list",
                "inquiry",
                "",
                patients=linked,
                detail={"view": "home_walk_in_queue", "site": site.code, "count": len(rows)},
            )
    return {
        "queue": {
            "site": site,
            "rows": shown,
            "count": len(rows),
            "urgent": sum(1 for r in rows if r.urgent),
        }
    }
