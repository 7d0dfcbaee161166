"""The dosing window: today's board at a site, finding a person, and the panel the nurse
reads before pressing the button (with what the rules will say)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q, QuerySet

from waypoint.assessments.selectors import open_flags
from waypoint.audit import services as audit
from waypoint.clinical.dosing import DosingLimits
from waypoint.clinical.medications import SCHEDULES
from waypoint.core.selectors import site_today
from waypoint.patients.models import Patient
from waypoint.patients.selectors import patient_ref, patient_search

from ..coverage import last_covered_days, missed_days_after
from ..limits import limits_for
from ..models import DoseEvent, MedicationOrder, TakeHomeBottle
from .hooks import PENDING_TEST_CHECKS

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.core.models import Site


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


def window_orders(
    organization_id: int, site: Site, day: dt.date, patient_ids: Iterable[int] | None = None
) -> QuerySet[MedicationOrder]:
    """The orders the window serves at ``site`` on ``day``: active, not naloxone kits."""
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
    orders = list(window_orders(org, site, day).filter(schedule="daily"))
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
    found = patient_search(actor, q, limit=limit)
    active = set(
        window_orders(
            actor.organization_id, site, site_today(site), [p.pk for p in found]
        ).values_list("patient_id", flat=True)
    )
    return sorted(found, key=lambda p: (p.pk not in active, p.last_name, p.first_name))


def window_patient(actor: Actor, site: Site, patient_id: int) -> WindowPatient:
    """Everything the nurse needs before pressing the button: today's ordered doses with
    what the rules will say, flags, take-homes due, a pending drug test."""
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
        daily = [(patient.pk, o.family) for o in orders if o.schedule == "daily"]
        last_covered = last_covered_days(org, daily, day)
        rows = []
        for o in orders:
            per_day = SCHEDULES[o.schedule][0]
            given = sum(1 for d in today_doses if d.family == o.family)
            missed = missed_days_after(o, day, last_covered.get((patient.pk, o.family)))
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
