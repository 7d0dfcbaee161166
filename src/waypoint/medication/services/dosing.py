"""The dosing window (nurse): giving a dose. The hot path of the program: one lookup of
the idempotency key, then one transaction with the order row locked, one read of the day's
facts (``facts.day_facts``), the pure rules of ``clinical.dosing`` in order, and the three
writes (dose, ledger entry, audit event). Any refusal rolls everything back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from waypoint.assessments.models import Assessment
from waypoint.audit import services as audit
from waypoint.clinical import dosing
from waypoint.clinical.medications import MEDICATIONS, SCHEDULES
from waypoint.core.errors import Conflict, DomainError, NotFound

from ..coverage import missed_days_after
from ..facts import day_facts
from ..limits import limits_from
from ..models import DoseEvent, MedicationOrder, OpioidFreeConfirmation, StockEntry, TakeHomeBottle
from ._shared import CENT

if TYPE_CHECKING:
    from waypoint.core.actor import Actor

FUTURE_TOLERANCE = dt.timedelta(minutes=2)  # clocks of tablets and servers differ a little


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
