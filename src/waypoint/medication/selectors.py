"""Reads of the medication side: orders, the dosing window, take-home eligibility, who has
missed days, injections due, and the stock ledger. Scoped by organization; reads of a
patient's record leave an audit event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone

from waypoint.assessments.models import Flag
from waypoint.audit import services as audit
from waypoint.care.models import Episode
from waypoint.clinical import takehome
from waypoint.clinical.dosing import DosingLimits, consecutive_missed_days
from waypoint.clinical.medications import MEDICATIONS, SCHEDULES
from waypoint.core.errors import NotFound
from waypoint.patients.models import Patient
from waypoint.patients.selectors import patient_ref

from .models import DoseEvent, MedicationOrder, MissedDose, StockCount, StockEntry, TakeHomeBottle
from .services import covered_through, limits_for, missed_days_for, site_today

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.core.models import Site

# Other capabilities add evidence here: (organization_id, patient_id, since, until) -> count.
# Drug testing registers its counter of positive tests; the take-home factors and the
# window's "pending drug test" flag read them.
POSITIVE_TEST_COUNTERS: list[Callable[[int, int, dt.date, dt.date], int]] = []
PENDING_TEST_CHECKS: list[Callable[[int, int, dt.date], bool]] = []


def _orders(organization_id: int):
    return MedicationOrder.objects.filter(organization_id=organization_id).select_related(
        "site", "prescriber"
    )


def order_written(actor: Actor, order_id: int) -> MedicationOrder:
    """An order just written by a service (which audited it): no second audit event."""
    row = _orders(actor.organization_id).filter(pk=order_id).first()
    if row is None:
        raise NotFound("medication order")
    return row


def order_get(actor: Actor, order_id: int) -> MedicationOrder:
    actor.require("medication.view")
    with transaction.atomic():
        row = _orders(actor.organization_id).prefetch_related("changes").filter(pk=order_id).first()
        if row is None:
            raise NotFound("medication order")
        audit.record(actor, "read", "medication_order", row.pk, patient_id=row.patient_id)
    return row


def orders_for_patient(actor: Actor, patient_id: int) -> list[MedicationOrder]:
    actor.require("medication.view")
    with transaction.atomic():
        patient = patient_ref(actor, patient_id)
        rows = list(
            _orders(actor.organization_id).prefetch_related("changes").filter(patient=patient)
        )
        audit.record(
            actor,
            "read",
            "medication_order",
            "",
            patient_id=patient.pk,
            detail={"count": len(rows)},
        )
    return rows


# --- take-homes -------------------------------------------------------------------------
def days_in_treatment_on(organization_id: int, patient_id: int, on: dt.date) -> int:
    """Continuous days in treatment on ``on``: from the admission of the episode open that
    day (day 1), else 0."""
    ep = (
        Episode.objects.filter(
            Q(discharged_on__isnull=True) | Q(discharged_on__gte=on),
            organization_id=organization_id,
            patient_id=patient_id,
            admitted_on__lte=on,
        )
        .order_by("-admitted_on")
        .first()
    )
    return takehome.days_in_treatment(ep.admitted_on if ep else None, on)


def factors_against_for(
    organization_id: int, patient_id: int, on: dt.date, limits: takehome.TakeHomeLimits
) -> list[takehome.Factor]:
    since_missed = on - dt.timedelta(limits.missed_visits_lookback_days)
    missed = MissedDose.objects.filter(
        organization_id=organization_id, patient_id=patient_id, day__gte=since_missed, day__lt=on
    ).count()
    since_div = timezone.now() - dt.timedelta(limits.diversion_lookback_days)
    diversion = Flag.objects.filter(
        organization_id=organization_id,
        patient_id=patient_id,
        kind="diversion_concern",
        raised_at__gte=since_div,
    ).count()
    since_pos = on - dt.timedelta(limits.positive_test_lookback_days)
    positives = sum(f(organization_id, patient_id, since_pos, on) for f in POSITIVE_TEST_COUNTERS)
    return takehome.factors_against(
        positive_tests=positives, missed_visits=missed, diversion_concerns=diversion, limits=limits
    )


def eligibility(organization_id: int, patient: Patient, on: dt.date) -> dict:
    """The take-home answer without an audit event (the caller audits: the API per call,
    the chart page once for the whole chart)."""
    _, limits = limits_for(organization_id)
    days = days_in_treatment_on(organization_id, patient.pk, on)
    ceiling = takehome.max_doses(days, limits)
    factors = factors_against_for(organization_id, patient.pk, on, limits)
    order = (
        MedicationOrder.objects.filter(
            organization_id=organization_id,
            patient=patient,
            family__in=("methadone", "buprenorphine"),
            stopped_at__isnull=True,
        )
        .order_by("-signed_at")
        .first()
    )
    authorized = order.take_home_max_doses if order and order.active_on(on) else 0
    return {
        "patient": patient.pk,
        "on": on,
        "days_in_treatment": days,
        "max_take_home_doses": ceiling,
        "tiers": [{"from_day": a, "max_doses": b} for a, b in limits.tiers],
        "factors_against": [asdict(f) for f in factors],
        "order": order.pk if order else None,
        "authorized_take_home_doses": min(authorized, ceiling),
        "eligible": ceiling > 0 and not factors and authorized > 0,
    }


def take_home_eligibility(actor: Actor, patient_id: int, on: dt.date | None = None) -> dict:
    """The regulatory ceiling on ``on`` (default the patient's site's today), the factors in
    the record against take-homes, and what the active order authorizes."""
    actor.require("medication.view")
    with transaction.atomic():
        patient = patient_ref(actor, patient_id)
        on = on or site_today(patient.site)
        answer = eligibility(actor.organization_id, patient, on)
        audit.record(
            actor,
            "read",
            "take_home_eligibility",
            "",
            patient_id=patient.pk,
            detail={"on": on.isoformat()},
        )
    return answer


# --- the dosing window ------------------------------------------------------------------
@dataclass
class WindowOrder:
    order: MedicationOrder
    given_today: int
    per_day: int
    covered_by_take_home: bool
    missed_days: int
    blocked: str = ""  # a sentence when the rules will refuse; shown before the nurse tries

    @property
    def done(self) -> bool:
        return self.given_today >= self.per_day or self.covered_by_take_home


@dataclass
class WindowPatient:
    patient: Patient
    orders: list[WindowOrder]
    flags: list[dict] = field(default_factory=list)
    take_homes_due: bool = False
    pending_test: bool = False
    doses_today: list[DoseEvent] = field(default_factory=list)


def _window_orders(organization_id: int, site: Site, day: dt.date, patient_ids=None):
    qs = (
        MedicationOrder.objects.filter(
            MedicationOrder.active_on_q(day), organization_id=organization_id, site=site
        )
        .exclude(medication="naloxone")
        .select_related("patient")
    )
    if patient_ids is not None:
        qs = qs.filter(patient_id__in=patient_ids)
    return qs


def window_board(actor: Actor, site: Site, *, limit: int = 60) -> dict:
    """Today's window at a site: who is due (not yet dosed, not covered), who has been
    dosed, counts. One audit event lists the patients shown."""
    actor.require("medication.view")
    org = actor.organization_id
    day = site_today(site)
    orders = list(_window_orders(org, site, day).filter(schedule="daily"))
    pids = [o.patient_id for o in orders]
    dosed = set(
        DoseEvent.objects.filter(
            organization_id=org, local_day=day, patient_id__in=pids
        ).values_list("patient_id", flat=True)
    )
    covered = set(
        TakeHomeBottle.objects.filter(
            organization_id=org, for_day=day, patient_id__in=pids
        ).values_list("patient_id", flat=True)
    )
    due = sorted(
        (o for o in orders if o.patient_id not in dosed and o.patient_id not in covered),
        key=lambda o: (o.patient.last_name_key, o.patient.first_name_key),
    )
    recent = list(
        DoseEvent.objects.filter(organization_id=org, site=site, local_day=day)
        .select_related("patient", "order")
        .order_by("-administered_at")[:15]
    )
    shown = [o.patient_id for o in due[:limit]] + [d.patient_id for d in recent]
    with transaction.atomic():
        audit.record(
            actor,
            "list",
            "dose",
            "",
            detail={"view": "dosing_window", "site": site.code, "results": shown[:200]},
        )
    return {
        "site": site,
        "day": day,
        "due": due[:limit],
        "due_count": len(due),
        "dosed_count": len(dosed),
        "covered_count": len(covered),
        "expected_count": len(orders),
        "recent": recent,
    }


def window_find(actor: Actor, site: Site, q: str, *, limit: int = 20) -> list[Patient]:
    """One field for a name, an MRN or a scanned ID card (the MRN barcode): patients of the
    organization with an active order at this site first."""
    from waypoint.patients.selectors import patient_search

    found = patient_search(actor, q, limit=limit)
    active = set(
        _window_orders(
            actor.organization_id, site, site_today(site), [p.pk for p in found]
        ).values_list("patient_id", flat=True)
    )
    return sorted(found, key=lambda p: (p.pk not in active, p.last_name, p.first_name))


def window_patient(actor: Actor, site: Site, patient_id: int) -> WindowPatient:
    """Everything the nurse needs before pressing the button: today's ordered doses with
    what the rules will say, flags, take-homes due, a pending drug test."""
    from waypoint.assessments.selectors import open_flags

    actor.require("medication.view")
    org = actor.organization_id
    day = site_today(site)
    with transaction.atomic():
        patient = patient_ref(actor, patient_id)
        orders = list(
            MedicationOrder.objects.filter(
                Q(stop_date__isnull=True) | Q(stop_date__gte=day),
                organization_id=org,
                patient=patient,
                stopped_at__isnull=True,
            ).select_related("site")
        )
        today_doses = list(
            DoseEvent.objects.filter(organization_id=org, patient=patient, local_day=day)
            .select_related("order", "administered_by")
            .order_by("administered_at")
        )
        bottles = set(
            TakeHomeBottle.objects.filter(
                organization_id=org, patient=patient, for_day=day
            ).values_list("family", flat=True)
        )
        limits, _ = limits_for(org)
        rows = []
        for o in orders:
            per_day = SCHEDULES[o.schedule][0]
            given = sum(1 for d in today_doses if d.family == o.family)
            missed = missed_days_for(o, day)
            row = WindowOrder(o, given, per_day, o.family in bottles, missed)
            row.blocked = _blocked(o, day, missed, limits)
            rows.append(row)
        tomorrow = day + dt.timedelta(1)
        take_homes_due = any(
            o.take_home_max_doses > 0
            and o.active_on(tomorrow)
            and not TakeHomeBottle.objects.filter(
                organization_id=org, patient=patient, family=o.family, for_day=tomorrow
            ).exists()
            for o in orders
        )
        flags = [
            {"kind": f.kind, "label": f.get_kind_display(), "reason": f.reason}
            for f in open_flags(org, patient)
        ]
        pending = any(f(org, patient.pk, day) for f in PENDING_TEST_CHECKS)
        audit.record(
            actor,
            "read",
            "medication_order",
            "",
            patient_id=patient.pk,
            detail={"view": "dosing_window", "site": site.code},
        )
    return WindowPatient(patient, rows, flags, take_homes_due, pending, today_doses)


def _blocked(order: MedicationOrder, day: dt.date, missed: int, limits: DosingLimits) -> str:
    if not order.active_on(day):
        return f"Order starts {order.start_date.isoformat()}."
    if order.family in ("methadone", "buprenorphine") and (
        missed >= limits.missed_days_for_reassessment
    ):
        return f"Missed {missed} days in a row: a prescriber must reassess before the next dose."
    return ""


# --- outreach ---------------------------------------------------------------------------
def missed_outreach(actor: Actor, site: Site) -> dict:
    """People at the site with an active daily order who have missed 1, 2, or 3+
    consecutive days before today (no dose, no take-home, no reassessment since)."""
    actor.require("outreach.view")
    org = actor.organization_id
    day = site_today(site)
    orders = list(
        _window_orders(org, site, day).filter(
            schedule="daily", family__in=("methadone", "buprenorphine")
        )
    )
    pids = [o.patient_id for o in orders]
    last_dose = {
        (r["patient_id"], r["family"]): r["m"]
        for r in DoseEvent.objects.filter(
            organization_id=org, patient_id__in=pids, local_day__lt=day
        )
        .values("patient_id", "family")
        .annotate(m=Max("local_day"))
    }
    last_bottle = {
        (r["patient_id"], r["family"]): r["m"]
        for r in TakeHomeBottle.objects.filter(
            organization_id=org, patient_id__in=pids, for_day__lt=day
        )
        .values("patient_id", "family")
        .annotate(m=Max("for_day"))
    }
    groups: dict[str, list] = {"1": [], "2": [], "3+": []}
    for o in orders:
        key = (o.patient_id, o.family)
        seen = [d for d in (last_dose.get(key), last_bottle.get(key)) if d]
        last = covered_through(max(seen) if seen else None, o.last_reassessed_on, day)
        n = consecutive_missed_days(day, last, o.start_date)
        if n:
            groups["3+" if n >= 3 else str(n)].append(
                {"order": o, "patient": o.patient, "missed_days": n, "last_covered": last}
            )
    for rows in groups.values():
        rows.sort(key=lambda r: (-r["missed_days"], r["patient"].last_name_key))
    with transaction.atomic():
        audit.record(
            actor,
            "list",
            "missed_dose",
            "",
            detail={
                "view": "outreach",
                "site": site.code,
                "results": [r["patient"].pk for g in groups.values() for r in g][:500],
            },
        )
    return {"site": site, "day": day, "groups": groups}


def injections_due(actor: Actor, site: Site, *, within_days: int = 7) -> dict:
    """Active injectable orders at the site with their next due date (last injection plus
    the interval, or the order's start), overdue first."""
    actor.require("outreach.view")
    org = actor.organization_id
    day = site_today(site)
    orders = [o for o in _window_orders(org, site, day) if MEDICATIONS[o.medication].injectable]
    last = {
        r["order_id"]: r["m"]
        for r in DoseEvent.objects.filter(order__in=orders)
        .values("order_id")
        .annotate(m=Max("local_day"))
    }
    rows = []
    for o in orders:
        interval = SCHEDULES[o.schedule][1] or 28
        due = last[o.pk] + dt.timedelta(interval) if o.pk in last else o.start_date
        if due <= day + dt.timedelta(within_days):
            rows.append(
                {
                    "order": o,
                    "patient": o.patient,
                    "last": last.get(o.pk),
                    "due": due,
                    "overdue_days": max(0, (day - due).days),
                }
            )
    rows.sort(key=lambda r: (r["due"], r["patient"].last_name_key))
    with transaction.atomic():
        audit.record(
            actor,
            "list",
            "medication_order",
            "",
            detail={
                "view": "injections_due",
                "site": site.code,
                "results": [r["patient"].pk for r in rows][:500],
            },
        )
    return {"site": site, "day": day, "rows": rows}


# --- stock ------------------------------------------------------------------------------
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
