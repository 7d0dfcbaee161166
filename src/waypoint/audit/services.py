"""Writing and verifying the audit trail.

``record`` appends one event inside the caller's transaction (a change and its audit event
commit or roll back together). Events form chains whose links are MACs, one chain per site
of an organization (``chain_of``: the acting user's home site; chain 0, the organization's
own, for an actor without a site: the command line, the system account):
``hash = HMAC-SHA256(audit key, prev_hash || "|" || canonical JSON of the event)``. The key
is not in the database (``core.keys.audit_key``: an environment variable or a file), so
whoever can write the database can neither edit an event and recompute the chain after it
nor insert a well-chained event of their own: ``verify`` names the first event that was
edited, deleted, moved or forged. Each chain's head row (``AuditChainHead``: last sequence
number and MAC) carries a MAC of its own, so a deleted or rewritten head is caught too, and
a copy of the heads kept elsewhere (an anchor, ``anchors.py``) lets ``verify`` prove that
nothing up to the anchored event changed and that no event was cut off the end.

Why a chain per site: appending locks the chain's head row until the transaction commits,
so every write of one chain waits for the one before it. With one chain per organization,
a dose at one site waited for a dose at another site of the same organization (on
PostgreSQL, where writers otherwise run side by side); with one chain per site, writers of
two sites share no row. The chain is part of what is MACed (the event's canonical JSON and
the head's MAC), so an event cannot be moved from one chain to another either. Events
written before there were chains are chain 0, and their MACs are unchanged: "chain" enters
the canonical JSON and the head's MAC only when it is not 0.

The detail is canonicalized before it is stored and MACed (``canonical.py``): what is MACed
is what reads back from either database. Events written before the key existed were chained
with plain SHA-256 (``legacy_hash``); audit migration 0006 checked and re-sealed them once
(``transition.py``); ``verify`` accepts no unkeyed event.

Every patient an event touched or showed is linked to it (``AuditEventPatient``): the
event's own ``patient_id`` (that link is written by the database, a trigger on the events:
audit migration 0009) and the ``patients`` a search, board or list named (written here).
The linked patients other than the event's own are part of the canonical JSON, so a link
added or removed later breaks the chain like an edited event. Before an event about one
patient is written, the access gate registered by the privacy app
(``subjects.check_access``) may refuse it: every read and write of a patient's record
passes through here, so a restricted record cannot be reached by a path that forgot to
check.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC
from typing import TYPE_CHECKING, Any, cast

from django.db import connection, transaction
from django.utils import timezone

from waypoint.core import fastsql
from waypoint.core.errors import DomainError
from waypoint.core.keys import audit_key

from . import subjects
from .canonical import canonical_detail, dumps
from .models import AuditChainHead, AuditEvent, AuditEventPatient

if TYPE_CHECKING:
    from waypoint.core.actor import Actor

    from .anchors import Anchor

GENESIS = "0" * 64
_HEAD = b"waypoint-audit-head|"


def _canonical(ev: Any, others: list[int] | tuple[int, ...] = ()) -> bytes:
    """The event's canonical JSON (``ev`` is an ``AuditEvent``, or the historical model's
    instance in a migration: only its field values are read)."""
    payload: dict[str, Any] = {"org": ev.organization_id}
    chain = getattr(ev, "chain", 0)  # absent from the historical model of migration 0006
    if chain:  # absent for chain 0, so the events written before the chains keep their MACs
        payload["chain"] = chain
    payload |= {
        "seq": ev.seq,
        "at": ev.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": ev.actor_id,
        "username": ev.actor_username,
        "role": ev.actor_role,
        "patient": ev.patient_id,
        "action": ev.action,
        "object_type": ev.object_type,
        "object_id": ev.object_id,
        "purpose": ev.purpose,
        "channel": ev.channel,
        "client": ev.client_address,
        "detail": ev.detail,
    }
    if others:  # absent when empty, so events written before the links keep their hashes
        payload["patients"] = sorted(others)
    return dumps(payload)


def compute_hash(
    prev_hash: str, ev: Any, others: list[int] | tuple[int, ...] = (), *, key: bytes | None = None
) -> str:
    """The event's MAC; ``others`` are its linked patients other than ``ev.patient_id``;
    ``key`` the audit key's bytes (read with ``core.keys.audit_key`` when not given)."""
    secret = key if key is not None else audit_key().secret
    message = prev_hash.encode() + b"|" + _canonical(ev, others)
    return hmac.digest(secret, message, "sha256").hex()


def legacy_hash(prev_hash: str, ev: Any, others: list[int] | tuple[int, ...] = ()) -> str:
    """The plain SHA-256 link of the events written before the audit key (read only by the
    one-time transition, ``transition.py``; ``verify`` never accepts it)."""
    return hashlib.sha256(prev_hash.encode() + b"|" + _canonical(ev, others)).hexdigest()


def head_mac(
    organization_id: int, seq: int, last_hash: str, *, chain: int = 0, key: bytes | None = None
) -> str:
    """The MAC of a chain's head row: its organization and chain, its last sequence number
    and its last event's MAC. The chain is in the message only when it is not 0, so the
    heads written before there were chains keep their MACs (three fields, against four: no
    message of one chain reads as one of another)."""
    secret = key if key is not None else audit_key().secret
    where = f"{organization_id}|{chain}" if chain else f"{organization_id}"
    message = _HEAD + f"{where}|{seq}|{last_hash}".encode()
    return hmac.digest(secret, message, "sha256").hex()


def chain_of(actor: Actor, organization_id: int) -> int:
    """The chain an event of ``actor`` in ``organization_id`` joins: the actor's home site
    (its id), or 0, the organization's own chain, for an actor without a site (the command
    line's system account, an administrator of the whole organization) or acting in an
    organization other than their own."""
    user = actor.user
    site_id = getattr(user, "site_id", None)
    if site_id is None or getattr(user, "organization_id", None) != organization_id:
        return 0
    return int(site_id)


def chain_label(organization_id: int, chain: int) -> str:
    """How ``verify`` names a chain: "organization 3" (its own chain) or "organization 3,
    site 7" (the chain of site id 7)."""
    return f"organization {organization_id}" + (f", site {chain}" if chain else "")


def _others(patient_id: int | None, patients) -> list[int]:
    return sorted({int(p) for p in patients or ()} - {patient_id})


@dataclass
class Prepared:
    """An event made ready outside the transaction (``prepare``): everything but what only
    the chain's head decides (sequence number, time, previous MAC, its own MAC) and the id
    of the object the write is about, which ``append`` fills in under the lock."""

    ev: AuditEvent
    params: list[Any]  # its INSERT's parameters (core.fastsql.prepare)
    others: list[int]
    links: list[AuditEventPatient]  # to the others (the own patient's: the database)


def prepare(
    actor: Actor,
    action: str,
    object_type: str,
    *,
    patient_id: int | None = None,
    patients: Any = None,
    detail: dict[str, Any] | None = None,
    organization_id: int | None = None,
) -> Prepared:
    """The event ``record`` would append, built ahead: a hot path (the dosing window) builds
    it before it takes the write lock and appends it, with ``append``, under the lock."""
    org_id = organization_id or actor.organization_id
    others = _others(patient_id, patients)
    ev = AuditEvent(
        organization_id=org_id,
        chain=chain_of(actor, org_id),
        seq=0,
        at=timezone.now(),  # the moment of the append: set again by append()
        actor_id=actor.user.pk,
        actor_username=actor.user.get_username(),
        actor_role=actor.role or "",
        patient_id=patient_id,
        action=action,
        object_type=object_type,
        object_id="",
        purpose=actor.purpose,
        channel=actor.channel,
        client_address=actor.client_address,
        # stored and MACed in the form that reads back the same
        detail=canonical_detail(detail),
        prev_hash="",
    )
    # (the link to the event's own patient is written by the database: audit migration 0009)
    links = [AuditEventPatient(organization_id=org_id, patient_id=p) for p in others]
    return Prepared(ev, fastsql.prepare(ev), others, links)


def record(
    actor: Actor,
    action: str,
    object_type: str,
    object_id: Any = "",
    *,
    patient_id: int | None = None,
    patients: Any = None,
    detail: dict[str, Any] | None = None,
    organization_id: int | None = None,
) -> AuditEvent:
    """Append one event to the actor's chain in its organization (``chain_of``: the home
    site's chain), in the current transaction.

    ``patient_id`` is the patient the event is about (a read or a write of one record);
    ``patients`` every patient a search, board or list showed. Both are linked to the
    event. An event about one patient first passes the access gate (restricted records),
    which may refuse it with a ``DomainError``: the caller's transaction then rolls back.
    """
    made = prepare(
        actor,
        action,
        object_type,
        patient_id=patient_id,
        patients=patients,
        detail=detail,
        organization_id=organization_id,
    )
    return append(actor, made, object_id)


def append(
    actor: Actor,
    made: Prepared,
    object_id: Any = "",
    *,
    head: AuditChainHead | None = None,
    restricted: bool | None = None,
) -> AuditEvent:
    """Append the event ``prepare`` made, about ``object_id``, in the current transaction:
    the access gate, the chain's head, the MACs and the writes (``record``). What the caller
    read in this transaction saves a statement each: ``head``, the chain's head row read
    with ``head_join`` (None, or a chain without a head row yet: read here); ``restricted``,
    whether the event's patient's record is restricted, read with
    ``subjects.restricted_flag_sql`` (None: the gate asks)."""
    ev = made.ev
    if ev.patient_id is not None:
        subjects.check_access(
            actor, ev.patient_id, ev.action, ev.object_type, restricted=restricted
        )
    org_id, chain = ev.organization_id, ev.chain
    batch = _batch.get()
    key = batch.key if batch is not None else audit_key().secret
    # No savepoint: inside a caller's transaction a failure here fails the whole change.
    with transaction.atomic(savepoint=False):
        if batch is not None:
            head = batch.head(org_id, chain)
        elif head is None or (head.organization_id, head.chain) != (org_id, chain):
            head = _locked_head(org_id, chain)
        params = made.params
        fastsql.set_param(params, ev, "seq", head.last_seq + 1)
        fastsql.set_param(params, ev, "at", timezone.now())
        fastsql.set_param(params, ev, "object_id", str(object_id) if object_id is not None else "")
        fastsql.set_param(params, ev, "prev_hash", head.last_hash)
        fastsql.set_param(
            params, ev, "hash", compute_hash(head.last_hash, ev, made.others, key=key)
        )
        # an INSERT built once (core.fastsql): appended, never saved again
        fastsql.insert(ev, params)
        links = made.links
        for link in links:
            link.event = ev
        head.last_seq = ev.seq
        head.last_hash = ev.hash
        if batch is not None:  # the head row and the links are written when the batch ends
            batch.wrote((org_id, chain), links)
        else:
            if len(links) == 1:
                fastsql.insert(links[0])
            elif links:
                AuditEventPatient.objects.bulk_create(links)
            _save_head(head, key)
    return ev


def head_join(alias: str, organization: str) -> tuple[str, str]:
    """For a hot path's own read, run in its transaction once that transaction holds a lock
    that excludes every other writer of the chain (SQLite's one write lock: on PostgreSQL
    the head row is locked by ``append``'s own read, only when the event is appended): the
    head row's columns (``alias.…``) and a ``LEFT JOIN`` of the head of the chain whose
    organization is the SQL expression ``organization``, the chain a parameter
    (``chain_of``). ``head_from`` makes the head from those columns; ``append(head=…)``
    then sends no read of its own. A head read any other way than under such a lock may be
    stale: the event's insert then fails on the chain's unique sequence number, and the
    transaction rolls back, so a chain is never forked."""
    table = AuditChainHead._meta.db_table
    return (
        fastsql.select_list(AuditChainHead, alias),
        f"LEFT JOIN {table} {alias} ON {alias}.organization_id = {organization} "
        f"AND {alias}.chain = %s",
    )


@functools.cache
def _head_returning_sql(vendor: str) -> str:
    table = AuditChainHead._meta.db_table
    qn = connection.ops.quote_name
    return ", ".join(
        f"(SELECT h.{qn(str(f.column))} FROM {table} h "  # noqa: S608 (names from the model)
        "WHERE h.organization_id = %s AND h.chain = %s)"
        for f in AuditChainHead._meta.concrete_fields
    )


def head_returning(organization_id: int, chain: int) -> tuple[str, list[Any]]:
    """The head of chain ``chain`` of the organization as the ``RETURNING`` expressions of a
    hot path's insert (``fastsql.insert_where``), in the order ``head_from`` reads them, and
    their parameters: one scalar subquery per column. As with ``head_join``, only for a
    statement run once the transaction holds a lock that excludes every other writer of the
    chain (SQLite's one write lock)."""
    n = fastsql.width(AuditChainHead)
    return _head_returning_sql(connection.vendor), [organization_id, chain] * n


def head_from(row: tuple[Any, ...], alias: str) -> AuditChainHead | None:
    """The head from the columns ``head_join`` selected (None: the chain has no head row
    yet, and ``append`` makes it)."""
    if row[0] is None:
        return None
    return fastsql.build(AuditChainHead, row, alias)


def _locked_head(org_id: int, chain: int = 0) -> AuditChainHead:
    """The chain's head row, locked (SELECT ... FOR UPDATE) until the transaction ends, so
    concurrent writers of the chain form one unbroken sequence (writers of other chains lock
    other rows); made on the chain's first event. Every event reads it: the read is a
    statement built once (``core.fastsql``), the ORM only makes a missing row."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = (
        f"SELECT {fastsql.select_list(AuditChainHead, 't')} "  # noqa: S608 (names from the model)
        f"FROM {AuditChainHead._meta.db_table} t WHERE t.organization_id = %s AND t.chain = %s"
        f"{lock}"
    )
    found = fastsql.first(sql, [org_id, chain], (AuditChainHead, "t"))
    if found is not None:
        return cast(AuditChainHead, found[0])
    head, created = AuditChainHead.objects.select_for_update().get_or_create(
        organization_id=org_id, chain=chain
    )
    if created and AuditEvent.objects.filter(organization_id=org_id, chain=chain).exists():
        # The head row was deleted under a trail that has events: chaining on from
        # nothing would collide with them. Refuse the write (and roll back the new
        # head) until an operator restores the row; `audit verify` names the problem.
        raise DomainError(
            "audit_chain_head_missing",
            "The audit trail's head record is missing, so nothing can be recorded. "
            "Ask the administrator to run `waypoint audit verify`.",
            status=503,
        )
    return head


def _save_head(head: AuditChainHead, key: bytes) -> None:
    head.mac = head_mac(
        head.organization_id, head.last_seq, head.last_hash, chain=head.chain, key=key
    )
    fastsql.execute(
        f"UPDATE {AuditChainHead._meta.db_table} "  # noqa: S608 (names from the model)
        "SET last_seq = %s, last_hash = %s, mac = %s WHERE id = %s",
        [head.last_seq, head.last_hash, head.mac, head.pk],
    )


# --- batched appends ---------------------------------------------------------------------
# Inside ``batch()``, ``record`` reads (and locks) each chain's head row once, chains
# the events on in memory, and writes the head row once and the events' links to other
# patients (the own patient's: the database, as the event is inserted) in a few bulk inserts
# when the batch ends: two statements fewer per event, more for a list. The events, their
# MACs and their links are exactly those that one-by-one appends write (same sequence, same
# previous hash, same canonical JSON), so the chain and every check of ``verify`` are the
# same. A change that a nested savepoint rolls back takes its events with it: the batch
# notices (below), chains on from the last event that is still there, as a one-by-one append
# that re-reads the head would, and writes no link of an event that is gone.
@dataclass
class _Head:
    row: AuditChainHead
    start: tuple[int, str]  # the row's (last_seq, last_hash) when the batch read it
    mark: Any = None  # the on-commit entry registered when the last event was written
    at: int = -1  # its place in the connection's on-commit list


_ChainKey = tuple[int, int]  # (organization id, chain)


@dataclass
class _Batch:
    key: bytes
    heads: dict[_ChainKey, _Head] = field(default_factory=dict)
    links: list[tuple[Any, list[AuditEventPatient]]] = field(default_factory=list)

    def head(self, org_id: int, chain: int) -> AuditChainHead:
        k = (org_id, chain)
        h = self.heads.get(k)
        if h is not None and h.mark is not None and not self._alive(h):
            h = self._resync(k, h)
        if h is None:
            row = _locked_head(org_id, chain)
            h = self.heads[k] = _Head(row, (row.last_seq, row.last_hash))
        return h.row

    def wrote(self, k: _ChainKey, links: list[AuditEventPatient]) -> None:
        """Mark the event just written: Django drops the on-commit callbacks registered
        inside a savepoint when it rolls that savepoint back, so the mark's absence later
        says the event (and every event after it) is gone. Its links wait for the end of
        the batch, with the mark: only a surviving event's links are written."""
        h = self.heads[k]
        h.mark = _noop()
        transaction.on_commit(h.mark)
        h.at = len(connection.run_on_commit) - 1
        if links:
            self.links.append((h.mark, links))

    def _alive(self, h: _Head) -> bool:
        pending = connection.run_on_commit
        return 0 <= h.at < len(pending) and pending[h.at][1] is h.mark

    def _resync(self, k: _ChainKey, h: _Head) -> _Head | None:
        """After a rollback: chain on from the newest of the batch's events still in the
        database; with none left, forget the head (it is read again, and made again should
        the rollback have taken the row the batch made, when it is next needed)."""
        last = (
            AuditEvent.objects.filter(organization_id=k[0], chain=k[1], seq__gt=h.start[0])
            .order_by("-seq")
            .values_list("seq", "hash")
            .first()
        )
        if last is None:
            del self.heads[k]
            return None
        h.row.last_seq, h.row.last_hash = last
        h.mark, h.at = None, -1
        return h

    def flush(self) -> None:
        alive = {id(entry[1]) for entry in connection.run_on_commit}  # (savepoints, func, robust)
        AuditEventPatient.objects.bulk_create(
            (link for mark, links in self.links if id(mark) in alive for link in links),
            batch_size=500,
        )
        for k, h in list(self.heads.items()):
            if h.mark is not None and not self._alive(h) and self._resync(k, h) is None:
                continue
            if (h.row.last_seq, h.row.last_hash) != h.start:
                _save_head(h.row, self.key)


def _noop() -> Any:
    def mark() -> None:
        return None

    return mark


_batch: ContextVar[_Batch | None] = ContextVar("waypoint_audit_batch", default=None)


@contextmanager
def batch() -> Iterator[None]:
    """Append every event recorded inside in one transaction, each chain's head row read
    once and written once (a loader's thousands of events: ``waypoint demo``). The
    chain is the same as one-by-one appends write. Nested batches are one batch."""
    if _batch.get() is not None:
        yield
        return
    with transaction.atomic():
        state = _Batch(key=audit_key().secret)
        token = _batch.set(state)
        try:
            yield
        finally:
            _batch.reset(token)
        state.flush()


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    events_checked: int
    problem: str = ""
    event_id: int | None = None
    chains_checked: int = 0


CHUNK = 2000


def _batches(rows, size: int):
    batch: list = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def chain_events(
    organization_id: int,
    using: str = "default",
    event_model: Any = AuditEvent,
    link_model: Any = AuditEventPatient,
    chain: int | None = None,
) -> Iterator[tuple[Any, set[int]]]:
    """A chain's events in chain order, each with the set of its linked patients, read in
    batches (the models are parameters for the transition's migration, whose events have no
    chain yet: ``chain`` None, the organization's every event)."""
    events = event_model.objects.using(using).filter(organization_id=organization_id)
    if chain is not None:
        events = events.filter(chain=chain)
    for batch in _batches(events.order_by("seq", "id").iterator(chunk_size=CHUNK), CHUNK):
        links: dict[int, set[int]] = {}
        for event_id, patient_id in (
            link_model.objects.using(using)
            .filter(organization_id=organization_id, event_id__in=[ev.pk for ev in batch])
            .values_list("event_id", "patient_id")
        ):
            links.setdefault(event_id, set()).add(patient_id)
        for ev in batch:
            yield ev, links.get(ev.pk, set())


def check_link(
    ev: Any, org_id: int, expected_seq: int, prev_hash: str, linked: set[int], chain: int = 0
) -> str:
    """What is wrong with ``ev``'s place in its chain, apart from its MAC ("" when nothing)."""
    where = f"audit event id={ev.pk} ({chain_label(org_id, chain)}, seq {ev.seq})"
    if ev.seq != expected_seq:
        if ev.seq > expected_seq:
            missing = (
                f"seq {expected_seq}"
                if ev.seq == expected_seq + 1
                else f"seq {expected_seq}-{ev.seq - 1}"
            )
            return f"{where}: the event(s) before it ({missing}) are missing (deleted)"
        return f"{where}: sequence number repeated or moved (reordered)"
    if ev.prev_hash != prev_hash:
        return f"{where}: does not link to the event before it (deleted or reordered)"
    if ev.patient_id is not None and ev.patient_id not in linked:
        return f"{where}: the link to its patient is missing (deleted)"
    return ""


def _check(
    ev: AuditEvent,
    org_id: int,
    chain: int,
    expected_seq: int,
    prev_hash: str,
    linked: set[int],
    key: bytes,
) -> str:
    """What is wrong with ``ev`` at this place of its chain ("" when nothing)."""
    if ev.seq == expected_seq and ev.prev_hash == prev_hash:
        mac = compute_hash(prev_hash, ev, _others(ev.patient_id, linked), key=key)
        if not hmac.compare_digest(mac, ev.hash):
            hint = (
                ", or the whole trail was written with another audit key"
                if expected_seq == 1
                else ""
            )
            return (
                f"audit event id={ev.pk} ({chain_label(org_id, chain)}, seq {ev.seq}): "
                f"contents do not match its MAC (edited or forged{hint})"
            )
    return check_link(ev, org_id, expected_seq, prev_hash, linked, chain)


def verify(anchor: Anchor | None = None, *, using: str = "default") -> VerifyResult:
    """Walk every chain of every organization and report the first broken event, if any.

    Each event's MAC is checked with the audit key, and each chain's head row (present
    whenever the chain has events, its own MAC right, naming the last event). With an
    ``anchor`` (``anchors.load_anchor``), the anchored event of each chain must still carry
    the anchored MAC and no chain may end before it. ``using`` names the database (a backup
    being checked before it is restored). Chains are walked in order (organization, then
    chain: the organization's own chain 0 first, then its sites'). Raises
    ``core.keys.AuditKeyError`` when there is something to check and no audit key (a new
    key is never made here).
    """
    checked = 0
    heads = {(h.organization_id, h.chain): h for h in AuditChainHead.objects.using(using)}
    points = anchor.points if anchor is not None else {}
    chains = (
        set(heads)
        | set(AuditEvent.objects.using(using).values_list("organization_id", "chain").distinct())
        | set(points)
    )
    if not chains:
        return VerifyResult(True, 0)
    key = audit_key(create=False).secret
    for org_id, chain in sorted(chains):
        label = chain_label(org_id, chain)
        expected_seq, prev_hash, last = 1, GENESIS, None
        point = points.get((org_id, chain))
        for ev, linked in chain_events(org_id, using, chain=chain):
            checked += 1
            problem = _check(ev, org_id, chain, expected_seq, prev_hash, linked, key)
            if (
                not problem
                and point is not None
                and ev.seq == point.seq
                and not hmac.compare_digest(ev.hash, point.mac)
            ):
                problem = (
                    f"audit event id={ev.pk} ({label}, seq {ev.seq}): differs from the anchor "
                    f"of {anchor.made_at if anchor else ''} (the trail up to it was rewritten)"
                )
            if problem:
                return VerifyResult(False, checked, problem, ev.pk, len(chains))
            prev_hash, expected_seq, last = ev.hash, expected_seq + 1, ev
        last_seq, last_id = (last.seq, last.pk) if last else (0, None)
        head = heads.get((org_id, chain))
        problem = ""
        if head is None:
            if last is not None:
                problem = (
                    f"{label}: the chain's head row is missing (deleted); "
                    f"the chain ends at seq {last_seq}"
                )
        elif not hmac.compare_digest(
            head.mac, head_mac(org_id, head.last_seq, head.last_hash, chain=chain, key=key)
        ):
            problem = f"{label}: the chain's head row does not match its MAC (edited)"
        elif head.last_seq != last_seq or head.last_hash != prev_hash:
            problem = (
                f"{label}: the chain ends at seq {last_seq} but "
                f"{head.last_seq} events were written (events deleted from the end)"
            )
        if not problem and point is not None and last_seq < point.seq:
            problem = (
                f"{label}: the chain ends at seq {last_seq}, before the anchored "
                f"seq {point.seq} (events deleted from the end)"
            )
        if problem:
            return VerifyResult(False, checked, problem, last_id, len(chains))
    return VerifyResult(True, checked, chains_checked=len(chains))
