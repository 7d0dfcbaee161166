"""The prescriber's side: write, change, stop and reassess an order; confirm a person is
opioid-free (before naltrexone); raise a diversion concern. Every change to an order is
kept in ``OrderChange`` with who, when, why and the old and new values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from waypoint.assessments.models import Flag
from waypoint.audit import services as audit
from waypoint.clinical import dosing
from waypoint.clinical.medications import MEDICATIONS, Medication, MedicationError, check_order
from waypoint.core.errors import Conflict, DomainError
from waypoint.core.selectors import site_by_code, site_today
from waypoint.patients.selectors import patient_for_update

from ..limits import limits_for
from ..models import MedicationOrder, OpioidFreeConfirmation, OrderChange
from ._shared import CENT, order_for_update, require_reason

if TYPE_CHECKING:
    from waypoint.core.actor import Actor


def _change(
    actor: Actor, order: MedicationOrder, kind: str, changes: dict, reason: str = ""
) -> None:
    OrderChange.objects.create(
        organization_id=actor.organization_id,
        order=order,
        kind=kind,
        changes=changes,
        reason=reason,
        by=actor.user,
        at=timezone.now(),
    )
    audit.record(
        actor,
        "create" if kind == "created" else "update",
        "medication_order",
        order.pk,
        patient_id=order.patient_id,
        detail={"kind": kind, **changes, **({"reason": reason[:300]} if reason else {})},
    )


def _med_error(exc: MedicationError) -> DomainError:
    return DomainError(exc.code, exc.message, field=exc.field)


def _check_fields(
    actor: Actor,
    med: Medication,
    *,
    start_date: dt.date,
    stop_date: dt.date | None = None,
    take_home_max_doses: int | None = None,
    dose_mg: Decimal | None = None,
    high_dose_acknowledged: bool = False,
) -> str | None:
    """The checks an order's values pass whether it is written or changed (``None``: not
    given, or not changed). Returns the buprenorphine high-dose warning the prescriber
    acknowledged, if any; refuses it unacknowledged (409 ``high_dose_not_acknowledged``)."""
    if stop_date is not None and stop_date < start_date:
        raise DomainError("stop_before_start", "stop_date is before start_date.", field="stop_date")
    if take_home_max_doses is not None:
        if take_home_max_doses and not med.take_home:
            raise DomainError(
                "take_home_not_allowed_for_medication",
                f"{med.label} is never taken home.",
                field="take_home_max_doses",
            )
        if not 0 <= take_home_max_doses <= 28:
            raise DomainError(
                "take_home_limit_exceeded",
                "take_home_max_doses is 0 to 28 (the federal ceiling).",
                field="take_home_max_doses",
            )
    if dose_mg is None or med.family != "buprenorphine":
        return None
    limits, _ = limits_for(actor.organization_id)
    warning = dosing.buprenorphine_high_dose(dose_mg, limits)
    if warning and not high_dose_acknowledged:
        raise Conflict(
            "high_dose_not_acknowledged",
            f"{warning} Acknowledge the warning (high_dose_acknowledged) to order it.",
        )
    return warning


def order_create(
    actor: Actor,
    patient_id: int,
    *,
    medication: str,
    dose_mg: Decimal,
    start_date: dt.date,
    schedule: str | None = None,
    stop_date: dt.date | None = None,
    induction: str = "",
    take_home_max_doses: int = 0,
    first_day_override_reason: str = "",
    high_dose_acknowledged: bool = False,
    last_opioid_use_on: dt.date | None = None,
    last_opioid_kind: str = "",
    instructions: str = "",
    site: str | None = None,
) -> MedicationOrder:
    """Write and sign an order. 409 ``order_already_active`` when the patient already has
    an open order of the same medication family (change its dose instead)."""
    actor.require("medication.order")
    try:
        sched = check_order(medication, dose_mg, schedule)
    except MedicationError as exc:
        raise _med_error(exc) from exc
    med = MEDICATIONS[medication]
    dose_mg = dose_mg.quantize(CENT)
    if induction and induction not in ("standard", "low_dose"):
        raise DomainError(
            "unknown_induction", "induction is standard or low_dose.", field="induction"
        )
    if induction and med.family != "buprenorphine":
        raise DomainError(
            "induction_not_applicable",
            "An induction type is given for a sublingual buprenorphine start only.",
            field="induction",
        )
    if last_opioid_kind and last_opioid_kind not in ("short_acting", "long_acting"):
        raise DomainError(
            "unknown_last_opioid_kind",
            "last_opioid_kind is short_acting or long_acting.",
            field="last_opioid_kind",
        )
    warning = _check_fields(
        actor,
        med,
        start_date=start_date,
        stop_date=stop_date,
        take_home_max_doses=take_home_max_doses,
        dose_mg=dose_mg,
        high_dose_acknowledged=high_dose_acknowledged,
    )
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        where = site_by_code(actor.organization_id, site) if site else patient.site
        today = site_today(where)
        if start_date < today - dt.timedelta(days=1):
            raise DomainError(
                "start_in_past",
                f"start_date {start_date.isoformat()} is more than a day before today.",
                field="start_date",
            )
        if last_opioid_use_on and last_opioid_use_on > today:
            raise DomainError(
                "date_in_future", "last_opioid_use_on is after today.", field="last_opioid_use_on"
            )
        open_orders = MedicationOrder.objects.filter(
            organization_id=actor.organization_id,
            patient=patient,
            family=med.family,
            stopped_at__isnull=True,
        )
        for old in open_orders:
            if old.stop_date is not None and old.stop_date < start_date:
                old.stopped_at, old.stopped_by, old.stop_reason = (
                    timezone.now(),
                    actor.user,
                    "Ended on its stop date",
                )
                old.save(update_fields=["stopped_at", "stopped_by", "stop_reason"])
            else:
                raise Conflict(
                    "order_already_active",
                    f"An active {old.label.lower()} order ({old.dose_mg} mg) exists: change its "
                    "dose or stop it first.",
                    order=old.pk,
                )
        try:
            with transaction.atomic():
                order = MedicationOrder.objects.create(
                    organization_id=actor.organization_id,
                    patient=patient,
                    site=where,
                    medication=medication,
                    family=med.family,
                    route=med.route,
                    schedule=sched,
                    dose_mg=dose_mg,
                    start_date=start_date,
                    stop_date=stop_date,
                    induction=induction,
                    take_home_max_doses=take_home_max_doses,
                    first_day_override_reason=(first_day_override_reason or "").strip(),
                    high_dose_acknowledged=bool(warning) and high_dose_acknowledged,
                    last_opioid_use_on=last_opioid_use_on,
                    last_opioid_kind=last_opioid_kind
                    or ("short_acting" if last_opioid_use_on else ""),
                    instructions=instructions,
                    prescriber=actor.user,
                    signed_at=timezone.now(),
                )
        except IntegrityError as exc:
            raise Conflict(
                "order_already_active", "An active order of this medication exists."
            ) from exc
        _change(
            actor,
            order,
            "created",
            {
                "medication": medication,
                "dose_mg": str(dose_mg),
                "schedule": sched,
                "start_date": start_date.isoformat(),
                **({"induction": induction} if induction else {}),
                **({"first_day_override": True} if order.first_day_override_reason else {}),
            },
            order.first_day_override_reason,
        )
    return order


def order_change(
    actor: Actor,
    order_id: int,
    *,
    reason: str,
    dose_mg: Decimal | None = None,
    take_home_max_doses: int | None = None,
    stop_date: dt.date | None = None,
    first_day_override_reason: str | None = None,
    high_dose_acknowledged: bool = False,
) -> MedicationOrder:
    """Change an active order's dose, take-home authorization, stop date or first-day
    override; every change needs a reason and is kept with the old and new values."""
    actor.require("medication.order")
    reason = require_reason(reason, "reason_required", "A change to an order")
    with transaction.atomic():
        order = order_for_update(actor, order_id)
        if order.stopped_at is not None:
            raise Conflict("order_not_active", "This order was stopped; write a new one.")
        new_dose = dose_mg if dose_mg is not None and dose_mg != order.dose_mg else None
        new_take_home = (
            take_home_max_doses
            if take_home_max_doses is not None and take_home_max_doses != order.take_home_max_doses
            else None
        )
        new_stop = stop_date if stop_date is not None and stop_date != order.stop_date else None
        if new_dose is not None:
            try:
                check_order(order.medication, new_dose, order.schedule)
            except MedicationError as exc:
                raise _med_error(exc) from exc
            new_dose = new_dose.quantize(CENT)
        warning = _check_fields(
            actor,
            MEDICATIONS[order.medication],
            start_date=order.start_date,
            stop_date=new_stop,
            take_home_max_doses=new_take_home,
            dose_mg=new_dose,
            high_dose_acknowledged=high_dose_acknowledged,
        )
        changes: dict[str, list] = {}
        if new_dose is not None:
            changes["dose_mg"] = [str(order.dose_mg), str(new_dose)]
            order.dose_mg = new_dose
            order.high_dose_acknowledged = bool(warning)
        if new_take_home is not None:
            changes["take_home_max_doses"] = [order.take_home_max_doses, new_take_home]
            order.take_home_max_doses = new_take_home
        if new_stop is not None:
            changes["stop_date"] = [
                order.stop_date.isoformat() if order.stop_date else None,
                new_stop.isoformat(),
            ]
            order.stop_date = new_stop
        if first_day_override_reason is not None:
            new = first_day_override_reason.strip()
            if new != order.first_day_override_reason:
                changes["first_day_override"] = [
                    bool(order.first_day_override_reason),
                    bool(new),
                ]
                order.first_day_override_reason = new
        if not changes:
            raise DomainError("nothing_to_change", "The change gives no new value.")
        order.save()
        _change(actor, order, "changed", changes, reason)
    return order


def order_stop(actor: Actor, order_id: int, reason: str) -> MedicationOrder:
    actor.require("medication.order")
    reason = require_reason(reason, "reason_required", "Stopping an order")
    with transaction.atomic():
        order = order_for_update(actor, order_id)
        if order.stopped_at is not None:
            raise Conflict("order_not_active", "This order is already stopped.")
        order.stopped_at, order.stopped_by, order.stop_reason = timezone.now(), actor.user, reason
        today = site_today(order.site)
        if order.stop_date is None or order.stop_date > today:
            order.stop_date = max(today, order.start_date)
        order.save()
        _change(actor, order, "stopped", {"stop_date": order.stop_date.isoformat()}, reason)
    return order


def order_reassess(
    actor: Actor, order_id: int, note: str, dose_mg: Decimal | None = None
) -> MedicationOrder:
    """A prescriber's reassessment after missed doses: dosing may resume today (often at a
    lower dose, given here)."""
    actor.require("medication.order")
    note = require_reason(note, "reason_required", "A reassessment")
    with transaction.atomic():
        if dose_mg is not None:
            order_change(actor, order_id, reason=f"Reassessment: {note}", dose_mg=dose_mg)
        order = order_for_update(actor, order_id)
        if order.stopped_at is not None:
            raise Conflict("order_not_active", "This order was stopped; write a new one.")
        today = site_today(order.site)
        order.last_reassessed_on = today
        order.save(update_fields=["last_reassessed_on"])
        _change(actor, order, "reassessed", {"on": today.isoformat()}, note)
    return order


def opioid_free_confirm(
    actor: Actor, patient_id: int, kind: str, on: dt.date, note: str = ""
) -> OpioidFreeConfirmation:
    """Record a negative opioid test or a naloxone challenge (before naltrexone)."""
    actor.require("medication.order")
    if kind not in dict(OpioidFreeConfirmation.KINDS):
        raise DomainError(
            "unknown_confirmation", "kind is negative_test or naloxone_challenge.", field="kind"
        )
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        if on > site_today(patient.site):
            raise DomainError("date_in_future", "on is after today.", field="on")
        row = OpioidFreeConfirmation.objects.create(
            organization_id=actor.organization_id,
            patient=patient,
            kind=kind,
            on=on,
            note=note[:300],
            by=actor.user,
            at=timezone.now(),
        )
        audit.record(
            actor,
            "create",
            "opioid_free_confirmation",
            row.pk,
            patient_id=patient.pk,
            detail={"kind": kind, "on": on.isoformat()},
        )
    return row


def diversion_concern_raise(actor: Actor, patient_id: int, reason: str) -> Flag:
    """A diversion concern: on the chart banner until acknowledged, and a factor against
    take-homes for the look-back period."""
    actor.require("diversion.report")
    reason = require_reason(reason, "reason_required", "A diversion concern")
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        flag = Flag.objects.create(
            organization_id=actor.organization_id,
            patient=patient,
            kind="diversion_concern",
            reason=reason[:300],
            source_type="report",
            source_id=actor.user.pk,
            raised_at=timezone.now(),
        )
        audit.record(
            actor,
            "create",
            "flag",
            flag.pk,
            patient_id=patient.pk,
            detail={"kind": "diversion_concern", "reason": flag.reason},
        )
    return flag
