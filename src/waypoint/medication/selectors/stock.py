"""The controlled-substance ledger: expected stock, today's movements, recent counts. The
ledger is its entries (received, take-home, wasted, kits given) and the doses given at the
window, each its own dispensing record."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet, Sum

from waypoint.clinical.medications import MEDICATIONS
from waypoint.core.selectors import site_today

from ..models import DoseEvent, StockCount, StockEntry

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.core.models import Site


def _doses(organization_id: int, site: Site, medication: str) -> QuerySet[DoseEvent]:
    """The doses of ``medication`` given at ``site``'s window: each is its own dispensing
    record, so the ledger has no entry of its own for it (``StockEntry``). No doses for a
    medication whose doses do not draw on the ledger (naloxone counts its kits given)."""
    med = MEDICATIONS.get(medication)
    if med is None or not med.controlled_ledger:
        return DoseEvent.objects.none()
    return DoseEvent.objects.filter(
        organization_id=organization_id, site=site, order__medication=medication
    )


def _sum(queryset: QuerySet[Any], field: str) -> Decimal:
    return Decimal(queryset.aggregate(s=Sum(field))["s"] or 0)


def stock_expected(organization_id: int, site: Site, medication: str = "methadone") -> Decimal:
    """What the count should find: everything received, less everything that left (the
    ledger's entries, signed), less the doses given at the window."""
    entries = StockEntry.objects.filter(
        organization_id=organization_id, site=site, medication=medication
    )
    doses = _doses(organization_id, site, medication)
    total = _sum(entries, "quantity_mg") - _sum(doses, "dose_mg")
    return total.quantize(Decimal("0.01"))


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
    dispensed = _sum(_doses(org, site, medication).filter(local_day=day), "dose_mg")
    if dispensed:
        today["dispensed"] = -dispensed
    today = dict(sorted(today.items()))  # by kind, as the ledger's rows were grouped
    counts = list(
        StockCount.objects.filter(
            organization_id=org, site=site, medication=medication
        ).select_related("by", "witness")[:14]
    )
    entries = list(
        StockEntry.objects.filter(organization_id=org, site=site, medication=medication)
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
