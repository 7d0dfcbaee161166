"""The dosing window (nurse): giving a dose. The hot path of the program: one transaction
with the order row locked, one read of the order with its site and of the patient's facts
on the day (``facts.select_list``), the rules in order (``dose_checks.evaluate``, the same
the window shows before the press) and the two writes (the dose, which is also the
controlled-substance ledger's dispensing record, and its audit event). On SQLite, where
that transaction holds the whole database's write lock, the read and the rules run before
it instead, and under the lock the dose's insert checks, in the same statement, that the
read would return the same row (``_insert_unless_changed``); if it would not, the read is
made again under the lock and the rules run again on what changed (``rules_before_lock``).
Any refusal rolls everything back: no dose, no audit event."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.audit import subjects
from waypoint.audit.models import AuditChainHead
from waypoint.clinical import dosing
from waypoint.core import fastsql
from waypoint.core.errors import Conflict, DomainError, NotFound
from waypoint.core.models import Site

from .. import dose_checks, facts
from ..limits import limits_from
from ..models import DoseEvent, MedicationOrder
from ._shared import CENT

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


_ORDER_PARTS = ((MedicationOrder, "o"), (Site, "s"))


def _reads_head(vendor: str, lock: bool) -> bool:
    """Whether the read brings the audit chain's head (``_read_sql``, ``_read``): under the
    lock, on SQLite only."""
    return lock and vendor == "sqlite"


@functools.cache
def _read_sql(vendor: str, lock: bool) -> str:
    """The read a dose is decided on, built once (``core.fastsql``): the order with its
    site, whether the patient's record is restricted (the audit event's access gate's
    question, ``audit.subjects.restricted_flag_sql``: the append then asks nothing) and the
    facts of its patient's day (``facts.select_list("o")``, the day a parameter). With
    ``lock``, on SQLite, where the transaction already holds the database's one write lock,
    the read brings along the head of the nurse's audit chain too (``audit.head_join``, the
    chain a parameter). On PostgreSQL the order row alone is locked (``FOR UPDATE OF``:
    locking the joined site row too would queue every dose of a site behind one another),
    and the head stays ``append``'s own locked read: locked from this read on, it would
    hold up the doses of the whole site while the rules run."""
    flag = subjects.restricted_flag_sql("o.organization_id", "o.patient_id")
    locked_cols, head_join = f"{flag}, ", ""
    if _reads_head(vendor, lock):
        cols, join = audit.head_join("h", "o.organization_id")
        locked_cols, head_join = f"{locked_cols}{cols}, ", f" {join}"
    tail = " FOR UPDATE OF o" if lock and vendor == "postgresql" else ""
    return (
        f"SELECT {fastsql.select_list(MedicationOrder, 'o')}, "  # noqa: S608 (names from the models)
        f"{fastsql.select_list(Site, 's')}, {locked_cols}{facts.select_list('o')} "
        f"FROM {MedicationOrder._meta.db_table} o JOIN {Site._meta.db_table} s "
        f"ON s.id = o.site_id{head_join} WHERE o.id = %s AND o.organization_id = %s{tail}"
    )


@dataclass
class _Read:
    """What ``_read`` returned: the order row with its site and the patient's facts on the
    day, as the database returned them (two reads are equal exactly when these rows are),
    whether the patient's record is restricted, the whole row as returned and the parameters
    it was read with (the first read's are what ``_insert_unless_changed`` reads again and
    compares), and with ``lock``, on SQLite, the head of the actor's audit chain (None: not
    read, or the chain has no head row yet)."""

    order_row: tuple[Any, ...]
    facts_row: tuple[Any, ...]
    restricted: bool
    row: tuple[Any, ...]
    params: list[Any]
    head: AuditChainHead | None = None


def _read(actor: Actor, order_id: int, day: dt.date, *, lock: bool) -> _Read | None:
    """The read of ``_read_sql``; None: no such order in the actor's organization."""
    vendor = connection.vendor
    sql = _read_sql(vendor, lock)
    org = actor.organization_id
    with_head = _reads_head(vendor, lock)
    chain = [audit.chain_of(actor, org)] if with_head else []
    params = [*facts.day_params(day), *chain, order_id, org]
    row = fastsql.fetchone(sql, params)
    if row is None:
        return None
    n = fastsql.width(MedicationOrder) + fastsql.width(Site)
    h = n + 1 + (fastsql.width(AuditChainHead) if with_head else 0)
    head = audit.head_from(row[n + 1 : h], "h") if with_head else None
    return _Read(row[:n], row[h:], bool(row[n]), row, params, head)


# The time zone of the site each user last dosed at (this process): the day a dose is
# probably on, so that its first read brings the facts of that day along. Only a guess:
# the rules run on the day of the order's own site, and read the facts again when the
# guess was wrong (a nurse dosing at a site in another time zone, near midnight).
_zone_seen: dict[int, str] = {}


def _likely_day(actor: Actor, at: dt.datetime) -> dt.date:
    name = _zone_seen.get(actor.user.pk, settings.TIME_ZONE)
    return at.astimezone(zoneinfo.ZoneInfo(name)).date()


@dataclass
class _Plan:
    """A dose decided on one read of its order and of the day's facts: the rows read (raw,
    to compare with a second read) and what is written if a read under the lock finds the
    same rows."""

    order_row: tuple[Any, ...]
    facts_row: tuple[Any, ...]
    day: dt.date
    dose: DoseEvent
    dose_params: list[Any]
    event: audit.Prepared


@dataclass(frozen=True)
class _Asked:
    """What the nurse asked for: this dose of this order, given at ``at`` (``now`` if not
    said), with its key and note."""

    order_id: int
    dose_mg: Decimal
    idempotency_key: str | None
    at: dt.datetime
    now: dt.datetime
    note: str


def _plan(
    actor: Actor,
    asked: _Asked,
    order_row: tuple[Any, ...],
    facts_row: tuple[Any, ...],
    facts_day: dt.date,
) -> _Plan:
    """Every rule of the dose ``asked`` on the order's row and the facts of ``facts_day``
    (read again here if the dose's day, at the order's site, is another): raises the
    refusal, or returns the rows to write, their parameters prepared."""
    dose_mg, at, now = asked.dose_mg, asked.at, asked.now
    order, site = fastsql.instances(order_row, *_ORDER_PARTS)
    order.site = site
    patient_id, fam = order.patient_id, order.family
    if len(_zone_seen) > 10_000:
        _zone_seen.clear()
    _zone_seen[actor.user.pk] = site.timezone
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
    if facts_day != day:
        facts_row = facts.day_facts_row(actor.organization_id, patient_id, fam, day)
    known = facts.facts_from_row(facts_row)
    limits, _ = limits_from(known.dosing_settings, known.take_home_settings)
    outcome = dose_checks.evaluate(order, dose_mg, at, day, known, limits)
    _refuse(outcome.refusal)
    expected = order.repeat_dose_mg if outcome.repeat else order.dose_mg
    if dose_mg != expected:
        _differs(expected, dose_mg)
    dose = DoseEvent(
        organization_id=actor.organization_id,
        patient_id=patient_id,
        order=order,
        site=site,
        family=fam,
        dose_mg=dose_mg,
        local_day=day,
        slot=known.doses_today,
        administered_at=at,
        recorded_at=now,
        administered_by=actor.user,
        idempotency_key=asked.idempotency_key or None,
        first_day=outcome.first_day,
        note=asked.note[:500],
        warnings=list(outcome.warnings),
    )
    event = audit.prepare(
        actor,
        "create",
        "dose",
        patient_id=patient_id,
        detail={
            "order": order.pk,
            "medication": order.medication,
            "dose_mg": str(dose_mg),
            "day": day.isoformat(),
        },
    )
    return _Plan(
        order_row,
        facts_row,
        day,
        dose,
        fastsql.prepare(dose),
        event,
    )


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
    of the order and of the day's facts (``_read``), the rules and the two writes (the dose,
    the controlled-substance ledger's dispensing record as well, and its audit event); on
    SQLite the read and the rules run before the transaction instead, and the insert under
    its lock is written only if the read is unchanged (else read and rules again). The
    idempotency key is looked up only when that is refused: a retry of a dose that was
    given is refused by the rules (already given today) or by the key's unique constraint,
    and then answered with the first dose (or refused as ``idempotency_key_reused`` if the
    key named another dose), so a first request — nearly every request — sends no lookup
    of its key."""
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
        asked = _Asked(order_id, dose_mg, idempotency_key, at, now, note)
        return _dose_locked(actor, asked), False
    except DomainError:
        if idempotency_key:
            # A retry of a dose given before (or committed while this one waited for the
            # order lock): answer with that dose, or refuse a key used for another dose.
            first = _replay(actor, idempotency_key, order_id, dose_mg)
            if first is not None:
                return first, True
        raise


def rules_before_lock() -> bool:
    """Whether a dose's rules run before its transaction, on a first read that is checked
    again under the lock (by the insert, ``_insert_unless_changed``, on SQLite). On SQLite a
    write transaction holds the whole database's one write lock: every other writer waits
    while the rules run, so they run before it. On PostgreSQL the transaction locks only
    the order's row and writers run side by side: the first read would only add two
    statements a dose. (Both measured: docs/BENCHMARKS.md, issue 21.)"""
    return connection.vendor == "sqlite"


def _dose_locked(actor: Actor, asked: _Asked) -> DoseEvent:
    if not rules_before_lock():
        with transaction.atomic():
            return _read_and_write(actor, asked, None, _likely_day(actor, asked.at))
    # The rules run first, on a read outside the transaction: a refusal takes no lock, and
    # the work under the lock is the writes, the first of them checking that nothing the
    # rules read has changed.
    day = _likely_day(actor, asked.at)
    first = _read(actor, asked.order_id, day, lock=False)
    if first is None:
        raise NotFound("medication order")
    plan = _plan(actor, asked, first.order_row, first.facts_row, day)
    with transaction.atomic():
        # (not if the facts the rules ran on are not the first read's, of another day; and
        # only where the transaction excludes every other writer: SQLite, unless a test
        # runs the rules before the lock on PostgreSQL too)
        if plan.day == day and connection.vendor == "sqlite":
            inserted, head = _insert_unless_changed(actor, first, plan)
            if inserted:
                audit.append(
                    actor, plan.event, plan.dose.pk, head=head, restricted=first.restricted
                )
                return plan.dose
        # Something changed since the first read (the order stopped, another dose or a
        # take-home given, a setting changed, the episode closed, the record restricted):
        # the same read again, under the lock, and the rules again on what it returns.
        return _read_and_write(actor, asked, plan, plan.day)


def _read_and_write(actor: Actor, asked: _Asked, plan: _Plan | None, day: dt.date) -> DoseEvent:
    """In the transaction that locks the order (PostgreSQL) or the database (SQLite): the
    read, the rules on it unless ``plan`` was made on the very same rows, and the writes."""
    read = _read(actor, asked.order_id, day, lock=True)
    if read is None:
        raise NotFound("medication order")
    row, facts_row = read.order_row, read.facts_row
    if plan is None or row != plan.order_row or facts_row != plan.facts_row:
        plan = _plan(actor, asked, row, facts_row, day)
    try:
        fastsql.insert(plan.dose, plan.dose_params)  # the first write: nothing to undo before
    except IntegrityError as exc:
        raise _lost_the_race() from exc
    audit.append(actor, plan.event, plan.dose.pk, head=read.head, restricted=read.restricted)
    return plan.dose


@functools.cache
def _unchanged_sql(vendor: str, width: int) -> str:
    """``_insert_unless_changed``'s condition: the first read (``_read_sql(vendor, False)``)
    returns, as the insert runs, the very row it returned before (``IS``: NULLs equal)."""
    marks = ", ".join(["%s"] * width)
    return f"({_read_sql(vendor, False)}) IS ({marks})"


def _insert_unless_changed(
    actor: Actor, first: _Read, plan: _Plan
) -> tuple[bool, AuditChainHead | None]:
    """On SQLite, once the transaction holds the write lock: the dose's insert, made only if
    the first read, run again inside the same statement, returns the same row it returned
    to the rules (``fastsql.insert_where``), and returning the head of the nurse's audit
    chain for the append (``audit.head_returning``). One statement where there were two (the
    read again, which brought the head, and the insert), with the same guarantee: the dose
    is written only on the facts the rules ran on, as they are under the lock. Returns
    whether it was written, and the head (None: the chain has no head row yet)."""
    org = actor.organization_id
    returning, returning_params = audit.head_returning(org, audit.chain_of(actor, org))
    try:
        got = fastsql.insert_where(
            plan.dose,
            plan.dose_params,
            _unchanged_sql(connection.vendor, len(first.row)),
            [*first.params, *first.row],
            returning,
            returning_params,
        )
    except IntegrityError as exc:
        raise _lost_the_race() from exc
    if got is None:
        return False, None
    return True, audit.head_from(got, "h")


def _lost_the_race() -> Conflict:
    """one_dose_per_slot or the idempotency key refused the insert: a simultaneous request
    won."""
    return Conflict("already_dosed_today", "Already given today.")
