"""The controlled-substance ledger: expected stock, today's movements, recent counts."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Sum

from waypoint.core.selectors import site_today

from ..models import StockCount, StockEntry

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.core.models import Site


def stock_expected(organization_id: int, site: Site, medication: str = "methadone") -> Decimal:
    total = StockEntry.objects.filter(
        organization_id=organization_id, site=site, medication=medication
    ).aggregate(s=Sum("quantity_mg"))["s"]
    return Decimal(total or 0).quantize(Decimal("0.01"))


def stock_summary(actor: Actor, site: Site, medication: str = "methadone") -> dict:
    """Expected stock, today's movements by kind, and the recent counts with their
    differences (a difference is a discrepancy to explain)."""
    actor.require("stock.view")
    org = actor.organization_id
    day = site_today(site)
    today = {
        r["kind"]: r["s"]
        for r in StockEntry.objects.filter(
            organization_id=org, site=site, medication=medication, local_day=day
        )
        .values("kind")
        .annotate(s=Sum("quantity_mg"))
    }
    counts = list(
        StockCount.objects.filter(
            organization_id=org, site=site, medication=medication
        ).select_related("by", "witness")[:14]
    )
    entries = list(
        StockEntry.objects.filter(organization_id=org, site=site, medication=medication)
        .exclude(kind__in=("dispensed",))
        .select_related("by", "witness")
        .order_by("-at", "-id")[:20]
    )
    return {
        "site": site,
        "day": day,
        "medication": medication,
        "expected_mg": stock_expected(org, site, medication),
        "today": today,
        "counts": counts,
        "entries": entries,
        "counted_today": any(c.day == day for c in counts),
    }
