"""Take-home doses: the prescriber's determination (each criterion of 42 CFR 8.12(i)(2)
answered and kept), and the nurse's supply of bottles, one per day it covers — only under
a current determination."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.clinical import takehome
from waypoint.clinical.medications import MEDICATIONS
from waypoint.core.errors import Conflict, DomainError
from waypoint.core.selectors import site_today
from waypoint.patients.selectors import patient_for_update

from ..limits import limits_for
from ..models import (
    DoseEvent,
    StockEntry,
    TakeHomeBottle,
    TakeHomeDetermination,
    TakeHomeSupply,
)
from ..selectors.takehomes import days_in_treatment_on, factors_against_for, latest_determination
from ._shared import order_for_update
from .hooks import DoseCount, doses_written

if TYPE_CHECKING:
    from waypoint.core.actor import Actor


def take_home_dispense(
    actor: Actor,
    order_id: int,
    days: int,
    *,
    first_day: dt.date | None = None,
    note: str = "",
) -> TakeHomeSupply:
    """Dispense ``days`` take-home bottles, one per day from ``first_day`` (default: the
    site's tomorrow). Refused without a current take-home determination by the prescriber
    (``take_home_determination_required``), beyond the regulatory ceiling for the days in
    treatment (counted in the current OTP stay from its first dose), beyond the prescriber's
    authorization, for a day already dosed or covered, or after the order stops. The factors
    against take-homes are kept with the supply (the prescriber's authorization and
    determination already weighed them)."""
    actor.require("take_home.dispense")
    if not isinstance(days, int) or days < 1:
        raise DomainError("invalid_input", "days is a whole number from 1.", field="days")
    with transaction.atomic():
        order = order_for_update(actor, order_id)
        med = MEDICATIONS[order.medication]
        today = site_today(order.site)
        start = first_day or today + dt.timedelta(1)
        end = start + dt.timedelta(days - 1)
        if not med.take_home:
            raise DomainError(
                "take_home_not_allowed_for_medication",
                f"{order.label} is never taken home.",
                field="order",
            )
        if start < today:
            raise DomainError("date_in_past", "first_day is before today.", field="first_day")
        if start > today + dt.timedelta(7):
            raise DomainError(
                "date_too_far", "first_day is more than a week ahead.", field="first_day"
            )
        if not (order.active_on(start) and order.active_on(end)):
            raise Conflict(
                "order_not_active",
                f"The order is not active for every day from {start.isoformat()} to "
                f"{end.isoformat()}.",
            )
        _, th_limits = limits_for(actor.organization_id)
        in_treatment = days_in_treatment_on(actor.organization_id, order.patient_id, today)
        ceiling = takehome.max_doses(in_treatment, th_limits)
        if days > ceiling:
            raise Conflict(
                "take_home_limit_exceeded",
                f"Day {in_treatment} in treatment: at most {ceiling} take-home doses "
                f"(asked for {days}).",
            )
        if days > order.take_home_max_doses:
            raise Conflict(
                "take_home_not_authorized",
                f"The order authorizes {order.take_home_max_doses} take-home doses at a time "
                f"(asked for {days}); the prescriber changes the order.",
            )
        determination = latest_determination(actor.organization_id, order.patient_id)
        decided = determination.decided_on if determination else None
        if not takehome.determination_current(decided, today, th_limits):
            raise Conflict(
                "take_home_determination_required",
                (
                    f"The last take-home determination ({decided.isoformat()}) is "
                    f"{(today - decided).days} days old, past the "
                    f"{th_limits.determination_valid_days} days it stays current"
                    if decided
                    else "No take-home determination is recorded"
                )
                + ": the prescriber records one (each criterion of 42 CFR 8.12(i)(2)) on the "
                "chart before take-homes are dispensed.",
            )
        assert determination is not None, "determination_current is False without one"
        covered = set(
            DoseEvent.objects.filter(
                organization_id=actor.organization_id,
                patient_id=order.patient_id,
                family=order.family,
                local_day__range=(start, end),
            ).values_list("local_day", flat=True)
        ) | set(
            TakeHomeBottle.objects.filter(
                organization_id=actor.organization_id,
                patient_id=order.patient_id,
                family=order.family,
                for_day__range=(start, end),
            ).values_list("for_day", flat=True)
        )
        if covered:
            raise Conflict(
                "already_covered",
                "Already dosed or covered on "
                + ", ".join(d.isoformat() for d in sorted(covered))
                + ".",
            )
        factors = factors_against_for(actor.organization_id, order.patient_id, today, th_limits)
        supply = TakeHomeSupply.objects.create(
            organization_id=actor.organization_id,
            patient_id=order.patient_id,
            order=order,
            site=order.site,
            first_day=start,
            days=days,
            dose_mg=order.dose_mg,
            days_in_treatment=in_treatment,
            regulatory_max=ceiling,
            factors_against=[dataclasses.asdict(f) for f in factors],
            note=note[:500],
            dispensed_by=actor.user,
            dispensed_at=timezone.now(),
        )
        TakeHomeBottle.objects.bulk_create(
            TakeHomeBottle(
                organization_id=actor.organization_id,
                supply=supply,
                patient_id=order.patient_id,
                family=order.family,
                for_day=start + dt.timedelta(i),
                dose_mg=order.dose_mg,
            )
            for i in range(days)
        )
        doses_written(
            DoseCount(
                actor.organization_id,
                order.site_id,
                start + dt.timedelta(i),
                order.family,
                take_home=1,
            )
            for i in range(days)
        )
        if med.controlled_ledger:
            StockEntry.objects.create(
                organization_id=actor.organization_id,
                site=order.site,
                medication=order.medication,
                kind="take_home",
                quantity_mg=-(order.dose_mg * days),
                supply=supply,
                by=actor.user,
                at=supply.dispensed_at,
                local_day=today,
            )
        audit.record(
            actor,
            "create",
            "take_home_supply",
            supply.pk,
            patient_id=order.patient_id,
            detail={
                "order": order.pk,
                "days": days,
                "first_day": start.isoformat(),
                "dose_mg": str(order.dose_mg),
                "regulatory_max": ceiling,
                "determination": determination.pk,
            },
        )
    return supply


def take_home_determination_record(
    actor: Actor,
    patient_id: int,
    answers: dict,
    *,
    decided_on: dt.date | None = None,
    note: str = "",
) -> TakeHomeDetermination:
    """The prescriber's take-home determination: every criterion of 42 CFR 8.12(i)(2)
    answered (``answers``: {criterion: {"favorable": bool, "note": str}}), an unfavorable
    answer with a note (``clinical.takehome.check_determination``). 422
    ``take_home_determination_incomplete``, ``unknown_take_home_criterion``,
    ``date_in_future``."""
    actor.require("medication.order")
    given = {
        code: takehome.CriterionAnswer(
            favorable=a.get("favorable"), note=str(a.get("note") or "").strip()[:1000]
        )
        if isinstance(a, dict)
        else a
        for code, a in (answers or {}).items()
    }
    refusal = takehome.check_determination(given)
    if refusal:
        raise DomainError(refusal.code, refusal.message, refusal.status, field="answers")
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        today = site_today(patient.site)
        on = decided_on or today
        if on > today:
            raise DomainError("date_in_future", "decided_on is after today.", field="decided_on")
        row = TakeHomeDetermination.objects.create(
            organization_id=actor.organization_id,
            patient=patient,
            decided_on=on,
            answers={
                c.code: {"favorable": given[c.code].favorable, "note": given[c.code].note}
                for c in takehome.DETERMINATION_CRITERIA
            },
            note=(note or "").strip()[:2000],
            by=actor.user,
            at=timezone.now(),
        )
        audit.record(
            actor,
            "create",
            "take_home_determination",
            row.pk,
            patient_id=patient.pk,
            detail={
                "decided_on": on.isoformat(),
                "unfavorable": [c for c, a in row.answers.items() if not a["favorable"]],
            },
        )
    return row
