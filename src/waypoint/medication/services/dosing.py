"""The dosing window (nurse): giving a dose. The hot path of the program: one lookup of
the idempotency key, then one transaction with the order row locked, one read of the day's
facts (``facts.day_facts``), the rules in order (``dose_checks.evaluate``, the same the
window shows before the press), and the three writes (dose, ledger entry, audit event).
Any refusal rolls everything back: no dose, no stock entry, no audit event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.clinical import dosing
from waypoint.clinical.medications import MEDICATIONS
from waypoint.core import fastsql
from waypoint.core.errors import Conflict, DomainError, NotFound
from waypoint.core.models import Site

from .. import dose_checks
from ..facts import day_facts
from ..limits import limits_from
from ..models import DoseEvent, MedicationOrder, StockEntry
from ._shared import CENT
from .hooks import DoseCount, doses_written

if TYPE_CHECKING:
    from waypoint.core.actor import Actor

FUTURE_TOLERANCE = dt.timedelta(minutes=2)  # clocks of tablets and servers differ a little


def _refuse(refusal: dosing.Refusal | None) -> None:
    """A rule's refusal as the error the API answers: 409 a ``Conflict``, else 422."""
    if refusal is None:
        return
    if refusal.status == Conflict.status:
        raise Conflict(refusal.code, refusal.message)
    raise DomainError(refusal.code, refusal.message, status=refusal.status)


def _differs(ordered: Decimal | None, dose_mg: Decimal) -> None:
    raise Conflict(
        "dose_differs_from_order",
        f"The order is {ordered} mg, not {dose_mg} mg. Only a prescriber can change the order.",
    )


def _replay(actor: Actor, key: str, order_id: int, dose_mg: Decimal) -> DoseEvent | None:
    """The dose first recorded with ``key``, if any (one indexed lookup; the dose itself is
    loaded only for a replay). Run only after a refusal, so the ORM is fine here."""
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
    """The order with its site in one statement (built once: ``core.fastsql``), the order
    row alone locked on PostgreSQL (``FOR UPDATE OF``: locking the joined site row too would
    queue every dose of a site behind one another; on SQLite the transaction already holds
    the database's write lock)."""
    lock = " FOR UPDATE OF o" if connection.vendor == "postgresql" else ""
    sql = (
        f"SELECT {fastsql.select_list(MedicationOrder, 'o')}, {fastsql.select_list(Site, 's')} "  # noqa: S608 (names from the models)
        f"FROM {MedicationOrder._meta.db_table} o JOIN {Site._meta.db_table} s "
        f"ON s.id = o.site_id WHERE o.id = %s AND o.organization_id = %s{lock}"
    )
    found = fastsql.first(
        sql, [order_id, actor.organization_id], (MedicationOrder, "o"), (Site, "s")
    )
    if found is None:
        raise NotFound("medication order")
    order, order.site = found[0], found[1]
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

    The hot path of the dosing window: one transaction with the order row locked, one read
    of the day's facts (``facts.day_facts``), the rules, and the three writes (dose, ledger
    entry, audit event). The idempotency key is looked up only when that is refused: a
    retry of a dose that was given is refused by the rules (already given today) or by the
    key's unique constraint, and then answered with the first dose (or refused as
    ``idempotency_key_reused`` if the key named another dose), so a first request — nearly
    every request — sends no lookup of its key."""
    actor.require("dose.administer")
    if dose_mg.is_finite() and abs(dose_mg) < 10**6:
        dose_mg = dose_mg.quantize(CENT)
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
            # A retry of a dose given before (or committed while this one waited for the
            # order lock): answer with that dose, or refuse a key used for another dose.
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
        if dose_mg not in (order.dose_mg, order.repeat_dose_mg):
            _differs(order.dose_mg, dose_mg)
        facts = day_facts(actor.organization_id, patient_id, fam, day)
        limits, _ = limits_from(facts.dosing_settings, facts.take_home_settings)
        outcome = dose_checks.evaluate(order, dose_mg, at, day, facts, limits)
        _refuse(outcome.refusal)
        expected = order.repeat_dose_mg if outcome.repeat else order.dose_mg
        if dose_mg != expected:
            _differs(expected, dose_mg)
        first_day, warnings = outcome.first_day, list(outcome.warnings)
        dose = DoseEvent(
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
        try:
            fastsql.insert(dose)  # the first write: a refusal here leaves nothing to undo
        except IntegrityError as exc:
            # one_dose_per_slot or the idempotency key: a simultaneous request won.
            raise Conflict("already_dosed_today", "Already given today.") from exc
        doses_written([DoseCount(actor.organization_id, site.pk, day, fam, window=1)])
        if MEDICATIONS[order.medication].controlled_ledger:
            fastsql.insert(
                StockEntry(
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
