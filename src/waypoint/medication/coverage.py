"""Which days a person's daily medication was covered, and so how many were missed.

A day is covered by a dose given at the window or by a take-home bottle for that day. "The
last covered day" before a day is read here, for many people at once
(``last_covered_days``): the outreach list asks for everyone at a site in two queries, the
dosing window for one person. The dose itself reads the same fact inside its one statement
(``facts.day_facts``, the hot path); a test keeps the two equal on both databases.

A bottom-layer read: selectors and services both use it, and it imports neither.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Max

from waypoint.clinical import dosing

from .models import DoseEvent, MedicationOrder, TakeHomeBottle

Key = tuple[int, str]  # (patient_id, medication family)


def last_covered_days(
    organization_id: int, keys: Iterable[Key], before: dt.date
) -> dict[Key, dt.date]:
    """For each (patient, family) in ``keys``, the last day before ``before`` with a dose
    or a take-home bottle of that family. A key never covered is absent from the answer."""
    wanted = set(keys)
    if not wanted:
        return {}
    patients = {p for p, _ in wanted}
    families = {f for _, f in wanted}
    out: dict[Key, dt.date] = {}
    for model, day in ((DoseEvent, "local_day"), (TakeHomeBottle, "for_day")):
        rows = (
            model.objects.filter(
                organization_id=organization_id,
                patient_id__in=patients,
                family__in=families,
                **{f"{day}__lt": before},
            )
            .values("patient_id", "family")
            .annotate(last=Max(day))
            .order_by()
        )
        for r in rows:
            key = (r["patient_id"], r["family"])
            if key in wanted and (key not in out or r["last"] > out[key]):
                out[key] = r["last"]
    return out


def last_covered_day(
    organization_id: int, patient_id: int, family: str, before: dt.date
) -> dt.date | None:
    """The last day before ``before`` with a dose or a take-home bottle of ``family``."""
    key = (patient_id, family)
    return last_covered_days(organization_id, [key], before).get(key)


def covered_through(
    last_covered: dt.date | None, reassessed_on: dt.date | None, day: dt.date
) -> dt.date | None:
    """The last day before ``day`` counted as covered: the last dose or bottle, or a
    prescriber's later reassessment (dosing may resume on the day of it)."""
    if reassessed_on and (last_covered is None or reassessed_on > last_covered):
        return min(reassessed_on, day - dt.timedelta(1))
    return last_covered


def last_reassessed_days(organization_id: int, keys: Iterable[Key]) -> dict[Key, dt.date]:
    """For each (patient, family), the latest prescriber's reassessment on any of that
    family's orders (a reassessment written just before an order was rewritten still
    counts). A key never reassessed is absent."""
    wanted = set(keys)
    if not wanted:
        return {}
    rows = (
        MedicationOrder.objects.filter(
            organization_id=organization_id,
            patient_id__in={p for p, _ in wanted},
            family__in={f for _, f in wanted},
            last_reassessed_on__isnull=False,
        )
        .values("patient_id", "family")
        .annotate(last=Max("last_reassessed_on"))
        .order_by()
    )
    return {
        (r["patient_id"], r["family"]): r["last"]
        for r in rows
        if (r["patient_id"], r["family"]) in wanted
    }


def missed_days_for(order: MedicationOrder, day: dt.date) -> int:
    """Consecutive missed days before ``day`` for a daily order (0 for other schedules),
    counted across the family's orders and episodes."""
    if order.schedule != "daily":
        return 0
    key = (order.patient_id, order.family)
    last = last_covered_day(order.organization_id, order.patient_id, order.family, day)
    reassessed = last_reassessed_days(order.organization_id, [key]).get(key)
    return missed_days_after(order, day, last, reassessed)


def missed_days_after(
    order: MedicationOrder,
    day: dt.date,
    last_covered: dt.date | None,
    reassessed_on: dt.date | None = None,
) -> int:
    """``missed_days_for`` when the last covered day before ``day`` (``None``: never
    covered) and the family's last reassessment are already known. The count runs from the
    last cover of the family across all orders and episodes
    (``clinical.dosing.consecutive_missed_days_across``): a new order never wipes out a
    gap; only a person never covered counts from the order's start."""
    if order.schedule != "daily":
        return 0
    reassessed = max(
        (d for d in (reassessed_on, order.last_reassessed_on) if d is not None), default=None
    )
    last = covered_through(last_covered, reassessed, day)
    return dosing.consecutive_missed_days_across(day, last, order.start_date)
