"""Every write of the medication side: orders (prescriber), doses and take-homes (nurse),
closing a dosing day, the controlled-substance ledger.

Each action checks the role, runs in one transaction with the order row locked, calls the
pure rules of ``clinical.dosing`` / ``clinical.takehome``, and writes its audit event in
the same transaction. A refusal raises a ``DomainError`` with a stable code and a sentence
for the nurse; nothing is written and stock is untouched. "Today" is the order's site's
local calendar day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from waypoint.assessments.models import Assessment, Flag
from waypoint.audit import services as audit
from waypoint.clinical import dosing, takehome
from waypoint.clinical.medications import MEDICATIONS, SCHEDULES, MedicationError, check_order
from waypoint.core.errors import Conflict, DomainError, NotFound
from waypoint.core.models import User
from waypoint.core.selectors import locked_in_org, site_by_code, site_today
from waypoint.patients.selectors import patient_for_update

from .facts import day_facts
from .models import (
    DoseEvent,
    MedicationOrder,
    MedicationSettings,
    MissedDose,
    OpioidFreeConfirmation,
    OrderChange,
    StockCount,
    StockEntry,
    TakeHomeBottle,
    TakeHomeSupply,
)

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.core.models import Site

FUTURE_TOLERANCE = dt.timedelta(minutes=2)
CENT = Decimal("0.01")  # clocks of tablets and servers differ a little


# --- settings ---------------------------------------------------------------------------
def limits_for(organization_id: int) -> tuple[dosing.DosingLimits, takehome.TakeHomeLimits]:
    """The organization's dosing and take-home limits (defaults where it set none)."""
    row = MedicationSettings.objects.filter(organization_id=organization_id).first()
    if row is None:
        return dosing.DEFAULT_LIMITS, takehome.DEFAULT
    return limits_from(row.dosing, row.take_home)


def limits_from(
    dosing_values: dict | None, take_home_values: dict | None
) -> tuple[dosing.DosingLimits, takehome.TakeHomeLimits]:
    """Limits from the stored overrides (``MedicationSettings.dosing`` / ``.take_home``)."""
    d, t = dosing.DEFAULT_LIMITS, takehome.DEFAULT
    if dosing_values:
        d = dataclasses.replace(
            d, **{k: _typed(dosing.DosingLimits, k, v) for k, v in dosing_values.items()}
        )
    if take_home_values:
        t = dataclasses.replace(
            t, **{k: _typed(takehome.TakeHomeLimits, k, v) for k, v in take_home_values.items()}
        )
    return d, t


def _typed(cls: type, key: str, value: Any) -> Any:
    default = getattr(cls(), key)
    if isinstance(default, Decimal):
        return Decimal(str(value))
    if isinstance(default, tuple):
        return tuple(tuple(int(x) for x in pair) for pair in value)
    return int(value)


def settings_update(
    actor: Actor, dosing_values: dict, take_home_values: dict
) -> MedicationSettings:
    """Set some of the organization's limits. Unknown keys or impossible values: 422
    ``invalid_setting``."""
    actor.require("medication.settings")
    clean_d = _clean_settings(dosing.DosingLimits, dosing_values, "dosing")
    clean_t = _clean_settings(takehome.TakeHomeLimits, take_home_values, "take_home")
    with transaction.atomic():
        row, _ = MedicationSettings.objects.select_for_update().get_or_create(
            organization_id=actor.organization_id
        )
        row.dosing = {**row.dosing, **clean_d}
        row.take_home = {**row.take_home, **clean_t}
        row.save()
        audit.record(
            actor,
            "update",
            "medication_settings",
            row.pk,
            detail={"dosing": clean_d, "take_home": clean_t},
        )
    return row


def _clean_settings(cls: type, values: dict, what: str) -> dict:
    names = {f.name for f in dataclasses.fields(cls)}
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in names:
            raise DomainError(
                "invalid_setting", f"{what}.{key} is not a setting.", field=f"{what}.{key}"
            )
        try:
            typed = _typed(cls, key, value)
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise DomainError(
                "invalid_setting", f"{what}.{key} has the wrong type.", field=f"{what}.{key}"
            ) from exc
        if key == "tiers":
            ok = typed and all(a >= 1 and 0 <= b <= 28 for a, b in typed)
        else:
            ok = isinstance(typed, int | Decimal) and 0 <= typed <= 10_000
        if not ok:
            raise DomainError(
                "invalid_setting", f"{what}.{key} is out of range.", field=f"{what}.{key}"
            )
        out[key] = str(typed) if isinstance(typed, Decimal) else typed
    return out


# --- helpers ----------------------------------------------------------------------------
def _order_for_update(actor: Actor, order_id: int) -> MedicationOrder:
    return locked_in_org(
        MedicationOrder, order_id, actor.organization_id, "medication order", "site", "patient"
    )


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


def _require_reason(reason: str, code: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(code, f"{what} needs a documented reason.", field="reason")
    return reason


# --- orders (prescriber) ----------------------------------------------------------------
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
    if stop_date is not None and stop_date < start_date:
        raise DomainError("stop_before_start", "stop_date is before start_date.", field="stop_date")
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
    if last_opioid_kind and last_opioid_kind not in ("short_acting", "long_acting"):
        raise DomainError(
            "unknown_last_opioid_kind",
            "last_opioid_kind is short_acting or long_acting.",
            field="last_opioid_kind",
        )
    limits, _ = limits_for(actor.organization_id)
    warning = (
        dosing.buprenorphine_high_dose(dose_mg, limits) if med.family == "buprenorphine" else None
    )
    if warning and not high_dose_acknowledged:
        raise Conflict(
            "high_dose_not_acknowledged",
            f"{warning} Acknowledge the warning (high_dose_acknowledged) to order it.",
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
    reason = _require_reason(reason, "reason_required", "A change to an order")
    with transaction.atomic():
        order = _order_for_update(actor, order_id)
        if order.stopped_at is not None:
            raise Conflict("order_not_active", "This order was stopped; write a new one.")
        changes: dict[str, list] = {}
        limits, _ = limits_for(actor.organization_id)
        if dose_mg is not None and dose_mg != order.dose_mg:
            try:
                check_order(order.medication, dose_mg, order.schedule)
            except MedicationError as exc:
                raise _med_error(exc) from exc
            warning = (
                dosing.buprenorphine_high_dose(dose_mg, limits)
                if order.family == "buprenorphine"
                else None
            )
            if warning and not high_dose_acknowledged:
                raise Conflict(
                    "high_dose_not_acknowledged",
                    f"{warning} Acknowledge the warning (high_dose_acknowledged) to order it.",
                )
            dose_mg = dose_mg.quantize(CENT)
            changes["dose_mg"] = [str(order.dose_mg), str(dose_mg)]
            order.dose_mg = dose_mg
            order.high_dose_acknowledged = bool(warning)
        if take_home_max_doses is not None and take_home_max_doses != order.take_home_max_doses:
            if take_home_max_doses and not MEDICATIONS[order.medication].take_home:
                raise DomainError(
                    "take_home_not_allowed_for_medication",
                    f"{order.label} is never taken home.",
                    field="take_home_max_doses",
                )
            if not 0 <= take_home_max_doses <= 28:
                raise DomainError(
                    "take_home_limit_exceeded",
                    "take_home_max_doses is 0 to 28.",
                    field="take_home_max_doses",
                )
            changes["take_home_max_doses"] = [order.take_home_max_doses, take_home_max_doses]
            order.take_home_max_doses = take_home_max_doses
        if stop_date is not None and stop_date != order.stop_date:
            if stop_date < order.start_date:
                raise DomainError(
                    "stop_before_start", "stop_date is before start_date.", field="stop_date"
                )
            changes["stop_date"] = [
                order.stop_date.isoformat() if order.stop_date else None,
                stop_date.isoformat(),
            ]
            order.stop_date = stop_date
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
    reason = _require_reason(reason, "reason_required", "Stopping an order")
    with transaction.atomic():
        order = _order_for_update(actor, order_id)
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
    note = _require_reason(note, "reason_required", "A reassessment")
    with transaction.atomic():
        if dose_mg is not None:
            order_change(actor, order_id, reason=f"Reassessment: {note}", dose_mg=dose_mg)
        order = _order_for_update(actor, order_id)
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
    reason = _require_reason(reason, "reason_required", "A diversion concern")
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


# --- the dosing window (nurse) ----------------------------------------------------------
def last_covered_day(
    organization_id: int, patient_id: int, family: str, before: dt.date
) -> dt.date | None:
    """The last day before ``before`` with a dose or a take-home bottle of ``family``."""
    dosed = (
        DoseEvent.objects.filter(
            organization_id=organization_id,
            patient_id=patient_id,
            family=family,
            local_day__lt=before,
        )
        .order_by("-local_day")
        .values_list("local_day", flat=True)
        .first()
    )
    bottle = (
        TakeHomeBottle.objects.filter(
            organization_id=organization_id,
            patient_id=patient_id,
            family=family,
            for_day__lt=before,
        )
        .order_by("-for_day")
        .values_list("for_day", flat=True)
        .first()
    )
    days = [d for d in (dosed, bottle) if d is not None]
    return max(days) if days else None


def covered_through(
    last_covered: dt.date | None, reassessed_on: dt.date | None, day: dt.date
) -> dt.date | None:
    """The last day before ``day`` counted as covered: the last dose or bottle, or a
    prescriber's later reassessment (dosing may resume on the day of it)."""
    if reassessed_on and (last_covered is None or reassessed_on > last_covered):
        return min(reassessed_on, day - dt.timedelta(1))
    return last_covered


def missed_days_for(order: MedicationOrder, day: dt.date) -> int:
    """Consecutive missed days before ``day`` for a daily order (0 for other schedules)."""
    if order.schedule != "daily":
        return 0
    last = last_covered_day(order.organization_id, order.patient_id, order.family, day)
    return missed_days_after(order, day, last)


def missed_days_after(order: MedicationOrder, day: dt.date, last_covered: dt.date | None) -> int:
    """``missed_days_for`` when the last covered day before ``day`` is already known
    (``None``: never covered)."""
    if order.schedule != "daily":
        return 0
    last = covered_through(last_covered, order.last_reassessed_on, day)
    return dosing.consecutive_missed_days(day, last, order.start_date)


def _refuse(refusal: dosing.Refusal | None) -> None:
    if refusal is not None:
        raise DomainError(refusal.code, refusal.message, status=refusal.status)


def _replay(actor: Actor, key: str, order_id: int, dose_mg: Decimal) -> DoseEvent | None:
    """The dose first recorded with ``key``, if any (one indexed lookup; the dose itself is
    loaded only for a replay)."""
    seen = (
        DoseEvent.objects.filter(organization_id=actor.organization_id, idempotency_key=key)
        .values_list("pk", "order_id", "dose_mg")
        .first()
    )
    if seen is None:
        return None
    if seen[1] != order_id or seen[2] != dose_mg:
        raise Conflict(
            "idempotency_key_reused",
            "This idempotency_key was used for a different dose; use a new key.",
        )
    return DoseEvent.objects.select_related("order", "site").get(pk=seen[0])


def _order_for_dose(actor: Actor, order_id: int) -> MedicationOrder:
    """The order with its site, the order row alone locked (PostgreSQL ``FOR UPDATE OF``:
    locking the joined site row too would queue every dose of a site behind one another)."""
    order = (
        MedicationOrder.objects.select_for_update(of=("self",))
        .select_related("site")
        .filter(pk=order_id, organization_id=actor.organization_id)
        .first()
    )
    if order is None:
        raise NotFound("medication order")
    return order


def dose_record(
    actor: Actor,
    order_id: int,
    dose_mg: Decimal,
    *,
    idempotency_key: str | None = None,
    administered_at: dt.datetime | None = None,
    note: str = "",
) -> tuple[DoseEvent, bool]:
    """Give a dose. Returns the dose and whether it is a replay of an earlier request with
    the same ``idempotency_key`` (then nothing new is written).

    The hot path of the dosing window: one lookup of the key, then one transaction with the
    order row locked, one read of the day's facts (``facts.day_facts``), the rules, and the
    three writes (dose, ledger entry, audit event)."""
    actor.require("dose.administer")
    if dose_mg.is_finite() and abs(dose_mg) < 10**6:
        dose_mg = dose_mg.quantize(CENT)
    if idempotency_key:
        first = _replay(actor, idempotency_key, order_id, dose_mg)
        if first is not None:
            return first, True
    now = timezone.now()
    at = administered_at or now
    if at > now + FUTURE_TOLERANCE:
        raise DomainError(
            "time_in_future", "administered_at is in the future.", field="administered_at"
        )
    try:
        return _dose_locked(actor, order_id, dose_mg, idempotency_key, at, now, note), False
    except DomainError:
        if idempotency_key:
            # A simultaneous retry with this key committed while this one waited for the
            # order lock (it then sees the dose as already given): answer with that dose.
            first = _replay(actor, idempotency_key, order_id, dose_mg)
            if first is not None:
                return first, True
        raise


def _dose_locked(
    actor: Actor,
    order_id: int,
    dose_mg: Decimal,
    idempotency_key: str | None,
    at: dt.datetime,
    now: dt.datetime,
    note: str,
) -> DoseEvent:
    with transaction.atomic():
        order = _order_for_dose(actor, order_id)
        site, patient_id, fam = order.site, order.patient_id, order.family
        day = at.astimezone(site.tz).date()
        if at < now - dt.timedelta(days=1):
            raise DomainError(
                "time_too_old",
                "A dose is recorded within a day of giving it; older doses need a correction "
                "by the prescriber.",
                field="administered_at",
            )
        if day < order.start_date:
            raise DomainError(
                "before_order_start",
                f"The order starts on {order.start_date.isoformat()}.",
                field="administered_at",
            )
        if not order.active_on(day):
            raise Conflict(
                "order_not_active",
                f"This {order.label.lower()} order is not active on {day.isoformat()}"
                + (f" (stopped: {order.stop_reason})." if order.stop_reason else "."),
            )
        if dose_mg != order.dose_mg:
            raise Conflict(
                "dose_differs_from_order",
                f"The order is {order.dose_mg} mg, not {dose_mg} mg. Only a prescriber can "
                "change the order.",
            )
        facts = day_facts(actor.organization_id, patient_id, fam, day)
        limits, _ = limits_from(facts.dosing_settings, facts.take_home_settings)
        per_day, _min_days = SCHEDULES[order.schedule]
        if facts.doses_today >= per_day:
            raise Conflict(
                "already_dosed_today",
                f"Already given today ({day.isoformat()} at {site.code})"
                + (f": {facts.doses_today} of {per_day} doses." if per_day > 1 else "."),
            )
        if facts.bottle_today:
            raise Conflict(
                "covered_by_take_home",
                f"Today ({day.isoformat()}) is covered by a take-home bottle already dispensed.",
            )
        first_day = False
        warnings: list[str] = []
        if fam in ("methadone", "buprenorphine"):
            _refuse(
                dosing.missed_doses(
                    missed_days_after(order, day, facts.last_covered_before), limits
                )
            )
        if fam == "methadone":
            first_day = facts.last_dose_before is None
            if first_day:
                _refuse(
                    dosing.first_day_limit(
                        facts.mg_today + dose_mg,
                        override=bool(order.first_day_override_reason),
                        limits=limits,
                    )
                )
        elif fam == "buprenorphine":
            if order.induction == "standard" and not order.doses.exists():
                cows = Assessment.objects.filter(
                    organization_id=actor.organization_id,
                    patient_id=patient_id,
                    instrument="cows",
                    administered_at__gte=at
                    - dt.timedelta(hours=limits.induction_cows_window_hours),
                    administered_at__lte=at,
                ).values_list("administered_at", "total")
                _refuse(dosing.induction_withdrawal(list(cows), at, limits))
            warning = dosing.buprenorphine_high_dose(dose_mg, limits)
            if warning:
                warnings.append(warning + " Acknowledged by the prescriber.")
        elif fam == "buprenorphine_extended_release" or fam == "naltrexone_extended_release":
            last = (
                DoseEvent.objects.filter(
                    organization_id=actor.organization_id, patient_id=patient_id, family=fam
                )
                .order_by("-local_day")
                .values_list("local_day", flat=True)
                .first()
            )
            if fam == "buprenorphine_extended_release" and order.schedule == "monthly":
                _refuse(
                    dosing.injection_interval(last, day, limits.buprenorphine_er_min_days_between)
                )
            if fam == "naltrexone_extended_release" and not order.doses.exists():
                _refuse(_opioid_free(actor, order, day, limits))
        elif fam == "lofexidine":
            earlier = list(
                DoseEvent.objects.filter(
                    organization_id=actor.organization_id,
                    patient_id=patient_id,
                    family=fam,
                    local_day=day,
                ).values_list("administered_at", "dose_mg")
            )
            _refuse(dosing.lofexidine(dose_mg, earlier, at, limits))
        try:
            with transaction.atomic():
                dose = DoseEvent.objects.create(
                    organization_id=actor.organization_id,
                    patient_id=patient_id,
                    order=order,
                    site=site,
                    family=fam,
                    dose_mg=dose_mg,
                    local_day=day,
                    slot=facts.doses_today,
                    administered_at=at,
                    recorded_at=now,
                    administered_by=actor.user,
                    idempotency_key=idempotency_key or None,
                    first_day=first_day,
                    note=note[:500],
                    warnings=warnings,
                )
        except IntegrityError as exc:
            # one_dose_per_slot or the idempotency key: a simultaneous request won.
            raise Conflict("already_dosed_today", "Already given today.") from exc
        if MEDICATIONS[order.medication].controlled_ledger:
            StockEntry.objects.create(
                organization_id=actor.organization_id,
                site=site,
                medication=order.medication,
                kind="dispensed",
                quantity_mg=-dose_mg,
                dose=dose,
                by=actor.user,
                at=at,
                local_day=day,
            )
        audit.record(
            actor,
            "create",
            "dose",
            dose.pk,
            patient_id=patient_id,
            detail={
                "order": order.pk,
                "medication": order.medication,
                "dose_mg": str(dose_mg),
                "day": day.isoformat(),
            },
        )
    dose.order = order
    return dose


def _opioid_free(
    actor: Actor, order: MedicationOrder, day: dt.date, limits: dosing.DosingLimits
) -> dosing.Refusal | None:
    org, pid = actor.organization_id, order.patient_id
    long_families = ("methadone", "buprenorphine", "buprenorphine_extended_release")
    long_days = [
        d
        for d in (
            DoseEvent.objects.filter(
                organization_id=org, patient_id=pid, family__in=long_families
            ).aggregate(m=Max("local_day"))["m"],
            TakeHomeBottle.objects.filter(
                organization_id=org, patient_id=pid, family__in=long_families, for_day__lte=day
            ).aggregate(m=Max("for_day"))["m"],
            order.last_opioid_use_on if order.last_opioid_kind == "long_acting" else None,
        )
        if d is not None
    ]
    short = order.last_opioid_use_on if order.last_opioid_kind == "short_acting" else None
    confirmations = OpioidFreeConfirmation.objects.filter(
        organization_id=org, patient_id=pid, on__lte=day
    ).values_list("on", flat=True)
    return dosing.opioid_free_period(
        day,
        last_short_acting=short,
        last_long_acting=max(long_days) if long_days else None,
        confirmations=list(confirmations),
        limits=limits,
    )


# --- take-homes -------------------------------------------------------------------------
def take_home_dispense(
    actor: Actor,
    order_id: int,
    days: int,
    *,
    first_day: dt.date | None = None,
    note: str = "",
) -> TakeHomeSupply:
    """Dispense ``days`` take-home bottles, one per day from ``first_day`` (default: the
    site's tomorrow). Refused beyond the regulatory ceiling for the days in treatment, beyond
    the prescriber's authorization, for a day already dosed or covered, or after the order
    stops. The factors against take-homes are kept with the supply (the prescriber's
    authorization already weighed them)."""
    actor.require("take_home.dispense")
    from .selectors import days_in_treatment_on, factors_against_for

    if not isinstance(days, int) or days < 1:
        raise DomainError("invalid_input", "days is a whole number from 1.", field="days")
    with transaction.atomic():
        order = _order_for_update(actor, order_id)
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
            },
        )
    return supply


# --- closing a dosing day ---------------------------------------------------------------
def close_day(actor: Actor, site_code: str, day: dt.date | None = None) -> list[MissedDose]:
    """Mark, for a finished site-local day, every active daily order with no dose and no
    take-home cover as missed. Safe to run twice (the second run adds nothing)."""
    actor.require("dosing.close_day")
    site = site_by_code(actor.organization_id, site_code)
    today = site_today(site)
    day = day or today
    if day > today:
        raise DomainError("date_in_future", "A future day cannot be closed.", field="on")
    org = actor.organization_id
    with transaction.atomic():
        orders = list(
            MedicationOrder.objects.filter(
                Q(stop_date__isnull=True) | Q(stop_date__gte=day),
                organization_id=org,
                site=site,
                schedule="daily",
                start_date__lte=day,
            ).exclude(stopped_at__isnull=False, stop_date__lte=day)
        )
        pids = {o.patient_id for o in orders}
        dosed = set(
            DoseEvent.objects.filter(
                organization_id=org, patient_id__in=pids, local_day=day
            ).values_list("patient_id", "family")
        )
        bottles = set(
            TakeHomeBottle.objects.filter(
                organization_id=org, patient_id__in=pids, for_day=day
            ).values_list("patient_id", "family")
        )
        already = set(
            MissedDose.objects.filter(order__in=orders, day=day).values_list("order_id", flat=True)
        )
        now = timezone.now()
        new = [
            MissedDose(
                organization_id=org,
                patient_id=o.patient_id,
                order=o,
                site=site,
                day=day,
                recorded_at=now,
            )
            for o in orders
            if (o.patient_id, o.family) not in dosed | bottles and o.pk not in already
        ]
        MissedDose.objects.bulk_create(new)
        audit.record(
            actor,
            "create",
            "dosing_day_close",
            f"{site.code}:{day.isoformat()}",
            detail={"site": site.code, "day": day.isoformat(), "missed": len(new)},
        )
    return new


# --- controlled-substance ledger --------------------------------------------------------
def _witness(actor: Actor, username: str) -> User:
    w = User.objects.filter(
        organization_id=actor.organization_id, username=username, is_active=True
    ).first()
    if w is None:
        raise DomainError("unknown_witness", f"No staff member {username!r}.", field="witness")
    if w.pk == actor.user.pk:
        raise DomainError(
            "witness_must_differ", "The witness must be someone else.", field="witness"
        )
    return w


def _qty(q: Decimal, field: str = "quantity_mg") -> Decimal:
    if not q.is_finite() or q <= 0 or q > Decimal("10000000"):
        raise DomainError("invalid_quantity", f"{field} is a positive amount in mg.", field=field)
    return q


def stock_receive(
    actor: Actor,
    site_code: str,
    quantity_mg: Decimal,
    reference: str,
    medication: str = "methadone",
) -> StockEntry:
    actor.require("stock.manage")
    _ledger_med(medication)
    site = site_by_code(actor.organization_id, site_code)
    if not (reference or "").strip():
        raise DomainError(
            "reference_required",
            "A receipt needs its reference (invoice or DEA form number).",
            field="reference",
        )
    return _stock_entry(actor, site, medication, "received", _qty(quantity_mg), reference=reference)


def stock_waste(
    actor: Actor,
    site_code: str,
    quantity_mg: Decimal,
    reason: str,
    witness: str,
    medication: str = "methadone",
) -> StockEntry:
    actor.require("stock.manage")
    _ledger_med(medication)
    site = site_by_code(actor.organization_id, site_code)
    reason = _require_reason(reason, "reason_required", "Waste")
    return _stock_entry(
        actor,
        site,
        medication,
        "wasted",
        -_qty(quantity_mg),
        reason=reason,
        witness=_witness(actor, witness),
    )


def _ledger_med(medication: str) -> None:
    med = MEDICATIONS.get(medication)
    if med is None or not med.controlled_ledger:
        raise DomainError(
            "not_a_ledger_medication",
            "The stock ledger keeps methadone.",
            field="medication",
        )


def _stock_entry(
    actor: Actor, site: Site, medication: str, kind: str, q: Decimal, **kw
) -> StockEntry:
    now = timezone.now()
    with transaction.atomic():
        entry = StockEntry.objects.create(
            organization_id=actor.organization_id,
            site=site,
            medication=medication,
            kind=kind,
            quantity_mg=q,
            by=actor.user,
            at=now,
            local_day=now.astimezone(site.tz).date(),
            **kw,
        )
        audit.record(
            actor,
            "create",
            "stock_entry",
            entry.pk,
            detail={"site": site.code, "kind": kind, "quantity_mg": str(q)},
        )
    return entry


def stock_count(
    actor: Actor,
    site_code: str,
    counted_mg: Decimal,
    witness: str,
    note: str = "",
    medication: str = "methadone",
) -> StockCount:
    """The daily reconciliation: a witnessed physical count against the ledger's expected
    stock; any difference is flagged on the stock page and in the answer."""
    from .selectors import stock_expected

    actor.require("stock.manage")
    _ledger_med(medication)
    site = site_by_code(actor.organization_id, site_code)
    if not counted_mg.is_finite() or counted_mg < 0 or counted_mg > Decimal("10000000"):
        raise DomainError("invalid_quantity", "counted_mg is 0 or more mg.", field="counted_mg")
    w = _witness(actor, witness)
    now = timezone.now()
    with transaction.atomic():
        expected = stock_expected(actor.organization_id, site, medication)
        row = StockCount.objects.create(
            organization_id=actor.organization_id,
            site=site,
            medication=medication,
            day=now.astimezone(site.tz).date(),
            expected_mg=expected,
            counted_mg=counted_mg,
            note=note[:500],
            by=actor.user,
            witness=w,
            at=now,
        )
        audit.record(
            actor,
            "create",
            "stock_count",
            row.pk,
            detail={
                "site": site.code,
                "expected_mg": str(expected),
                "counted_mg": str(counted_mg),
                "difference_mg": str(row.difference_mg),
            },
        )
    return row
