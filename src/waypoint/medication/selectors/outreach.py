"""Who needs a call: people who missed 1, 2 or 3+ days in a row, injections due, and
implants due for removal (6 months after insertion)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max

from waypoint.audit import services as audit
from waypoint.clinical.medications import MEDICATIONS, SCHEDULES
from waypoint.core.selectors import site_today
from waypoint.patients import access

from ..coverage import covered_through, last_covered_days, last_reassessed_days, missed_days_after
from ..models import DoseEvent, Implant
from .window import window_orders

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.core.models import Site


def missed_outreach(actor: Actor, site: Site) -> dict:
    """People at the site with an active daily order who have missed 1, 2, or 3+
    consecutive days before today (no dose, no take-home, no reassessment since)."""
    actor.require("outreach.view")
    org = actor.organization_id
    day = site_today(site)
    orders = list(
        window_orders(org, site, day).filter(
            schedule="daily", family__in=("methadone", "buprenorphine")
        )
    )
    keys = [(o.patient_id, o.family) for o in orders]
    last_covered = last_covered_days(org, keys, day)
    reassessed = last_reassessed_days(org, keys)
    groups: dict[str, list] = {"1": [], "2": [], "3+": []}
    for o in orders:
        key = (o.patient_id, o.family)
        n = missed_days_after(o, day, last_covered.get(key), reassessed.get(key))
        last = covered_through(last_covered.get(key), reassessed.get(key), day)
        if n:
            groups["3+" if n >= 3 else str(n)].append(
                {"order": o, "patient": o.patient, "missed_days": n, "last_covered": last}
            )
    for name, rows in groups.items():
        rows.sort(key=lambda r: (-r["missed_days"], r["patient"].last_name_key))
        groups[name] = access.mask_rows(actor, rows)  # restricted records masked
    with transaction.atomic():
        audit.record(
            actor,
            "list",
            "missed_dose",
            "",
            patients=[r["patient"].pk for g in groups.values() for r in g],
            detail={
                "view": "outreach",
                "site": site.code,
                "results": [r["patient"].pk for g in groups.values() for r in g][:500],
            },
        )
    return {"site": site, "day": day, "groups": groups}


def injections_due(actor: Actor, site: Site, *, within_days: int = 7) -> dict:
    """Active injectable orders at the site with their next due date (last injection plus
    the interval, or the order's start), and implants in place whose removal is due
    (``kind`` ``implant_removal``: 6 calendar months after insertion), overdue first."""
    actor.require("outreach.view")
    org = actor.organization_id
    day = site_today(site)
    orders = [o for o in window_orders(org, site, day) if MEDICATIONS[o.medication].injectable]
    last = {
        r["order_id"]: r["m"]
        for r in DoseEvent.objects.filter(order__in=orders)
        .values("order_id")
        .annotate(m=Max("local_day"))
    }
    rows: list[dict[str, Any]] = []
    for o in orders:
        interval = SCHEDULES[o.schedule][1] or 28
        due = last[o.pk] + dt.timedelta(interval) if o.pk in last else o.start_date
        if due <= day + dt.timedelta(within_days):
            rows.append(
                {
                    "kind": "injection",
                    "order": o,
                    "patient": o.patient,
                    "last": last.get(o.pk),
                    "due": due,
                    "overdue_days": max(0, (day - due).days),
                }
            )
    implants = Implant.objects.filter(
        organization_id=org,
        site=site,
        removed_on__isnull=True,
        removal_due_on__lte=day + dt.timedelta(within_days),
    ).select_related("order", "patient")
    for imp in implants:
        rows.append(
            {
                "kind": "implant_removal",
                "order": imp.order,
                "patient": imp.patient,
                "implant": imp,
                "last": imp.inserted_on,
                "due": imp.removal_due_on,
                "overdue_days": max(0, (day - imp.removal_due_on).days),
            }
        )
    rows.sort(key=lambda r: (r["due"], r["patient"].last_name_key))
    rows = access.mask_rows(actor, rows)  # restricted records masked
    with transaction.atomic():
        audit.record(
            actor,
            "list",
            "medication_order",
            "",
            patients=[r["patient"].pk for r in rows],
            detail={
                "view": "injections_due",
                "site": site.code,
                "results": [r["patient"].pk for r in rows][:500],
            },
        )
    return {"site": site, "day": day, "rows": rows}
