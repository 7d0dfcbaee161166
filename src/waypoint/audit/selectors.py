"""Reading the audit trail (auditor and admin only). Reading it is itself audited.

An auditor asks "who looked at this person's record, and who changed it": the trail is
filtered by patient (an id, or a name, MRN or date of birth through the patient registry's
lookup, ``subjects.patients_named``), by staff member, by date range (days of the reader's
time zone), by action and by kind (``read``: a read, list, search or export; ``write``:
anything else). Every search and every export is one audit event naming its filters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from waypoint.core.errors import NotFound

from . import services, subjects
from .models import AuditChainHead, AuditEvent, AuditEventPatient

if TYPE_CHECKING:
    from waypoint.core.actor import Actor

# Actions that only read; every other action changed something.
READ_ACTIONS = frozenset({"read", "list", "search", "export", "verify"})
KINDS = ("read", "write")


def kind_of(action: str) -> str:
    return "read" if action in READ_ACTIONS else "write"


@dataclass(frozen=True)
class AuditFilter:
    """What the trail is narrowed to; empty fields do not narrow."""

    patient_ids: tuple[int, ...] | None = None  # None: any patient; (): nobody matched
    staff: str = ""  # a username (exact, case-insensitive)
    date_from: dt.date | None = None  # first day included, in ``tz``
    date_to: dt.date | None = None  # last day included
    action: str = ""
    kind: str = ""  # "read", "write" or ""
    tz: str = "UTC"

    def described(self) -> dict:
        """The filter as the audit event records it (only what narrows)."""
        out = {
            k: (list(v) if isinstance(v, tuple) else str(v) if isinstance(v, dt.date) else v)
            for k, v in asdict(self).items()
            if v not in (None, "") and k != "tz"
        }
        return out


def _filtered(actor: Actor, f: AuditFilter) -> QuerySet[AuditEvent]:
    import zoneinfo

    qs = AuditEvent.objects.filter(organization_id=actor.organization_id)
    if f.patient_ids is not None:
        # every event that touched or showed them (their records, and the searches, boards
        # and lists that named them), through the indexed link table
        qs = qs.filter(
            pk__in=AuditEventPatient.objects.filter(
                organization_id=actor.organization_id, patient_id__in=list(f.patient_ids)
            ).values("event_id")
        )
    if f.staff:
        qs = qs.filter(actor_username__iexact=f.staff)
    zone = zoneinfo.ZoneInfo(f.tz)
    if f.date_from:
        qs = qs.filter(at__gte=dt.datetime.combine(f.date_from, dt.time.min, zone))
    if f.date_to:
        end = dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time.min, zone)
        qs = qs.filter(at__lt=end)
    if f.action:
        qs = qs.filter(action=f.action)
    if f.kind == "read":
        qs = qs.filter(action__in=READ_ACTIONS)
    elif f.kind == "write":
        qs = qs.exclude(action__in=READ_ACTIONS)
    return qs


def events_naming(organization_id: int, patient_id: int) -> QuerySet:
    """The ids of every event that touched or showed the patient: their own reads and
    writes and every search, board and list that named them ("who saw this person's
    record"), one indexed query on the link table. Events written before the links existed
    are linked by audit migration 0004."""
    return AuditEventPatient.objects.filter(
        organization_id=organization_id, patient_id=patient_id
    ).values("event_id")


def audit_events(
    actor: Actor,
    *,
    patient_id: int | None = None,
    limit: int = 200,
    offset: int = 0,
    filters: AuditFilter | None = None,
) -> tuple[int, list[AuditEvent]]:
    """Newest first: ``patient_id`` (404 when not in the organization) and ``filters``."""
    actor.require("audit.view")
    f = filters or AuditFilter()
    if patient_id is not None:
        if not subjects.patient_exists(actor.organization_id, patient_id):
            raise NotFound("patient")
        f = AuditFilter(**{**asdict(f), "patient_ids": (patient_id,)})
    qs = _filtered(actor, f)
    total = qs.count()
    # Newest first by id (the order of writing): seq counts within one chain (a site's), so
    # it does not order the events of several sites.
    rows = list(qs.select_related("patient").order_by("-id")[offset : offset + limit])
    for ev in rows:
        ev.kind = kind_of(ev.action)
    with transaction.atomic():
        services.record(
            actor,
            "read",
            "audit_trail",
            patient_id or "",
            patient_id=patient_id,
            detail={"events_shown": len(rows), **({"filters": f.described()} if filters else {})},
        )
    return total, rows


def patients_matching(actor: Actor, q: str, limit: int = 20) -> list[dict]:
    """The organization's patients a name, MRN or date of birth names (for the filter)."""
    actor.require("audit.view")
    return subjects.patients_named(actor.organization_id, q, limit)


def filter_choices(actor: Actor) -> tuple[list[str], list[str]]:
    """The actions and the staff usernames that occur in the organization's trail."""
    actor.require("audit.view")
    qs = AuditEvent.objects.filter(organization_id=actor.organization_id)
    actions = sorted(set(qs.values_list("action", flat=True).distinct()))
    names = sorted(set(qs.values_list("actor_username", flat=True).distinct()))
    return actions, names


CSV_COLUMNS = (
    "seq", "at", "staff", "role", "action", "kind", "record", "patient_mrn", "patient",
    "purpose", "channel", "client_address", "detail", "hash", "chain",
)  # fmt: skip


def audit_export(actor: Actor, f: AuditFilter) -> tuple[int, Iterator[list[str]]]:
    """Every event the filter keeps, newest first, as CSV rows (the header first), read in
    chunks so a long trail is streamed, not held in memory. The export is one ``export``
    audit event naming the filter and how many events it held."""
    import json

    actor.require("audit.view")
    qs = _filtered(actor, f)
    total = qs.count()
    with transaction.atomic():
        services.record(
            actor,
            "export",
            "audit_trail",
            "",
            detail={"events_exported": total, "filters": f.described(), "format": "csv"},
        )
    zone = timezone.get_current_timezone()

    def rows() -> Iterator[list[str]]:
        yield list(CSV_COLUMNS)
        events = qs.select_related("patient").order_by("-id")
        for ev in events.iterator(chunk_size=2000):
            p = ev.patient
            yield [
                str(ev.seq),
                ev.at.astimezone(zone).isoformat(timespec="seconds"),
                ev.actor_username,
                ev.actor_role,
                ev.action,
                kind_of(ev.action),
                f"{ev.object_type} {ev.object_id}".strip(),
                p.mrn if p else "",
                f"{p.last_name}, {p.first_name}" if p else "",
                ev.purpose,
                ev.channel,
                ev.client_address,
                json.dumps(ev.detail, sort_keys=True, default=str),
                ev.hash,
                str(ev.chain),  # the site's id (0: the organization's own chain)
            ]

    return total, (_safe_cells(r) for r in rows())


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _safe_cells(row: list[str]) -> list[str]:
    """A cell a spreadsheet would run as a formula (a name typed as ``=HYPERLINK(...)``)
    is written with a leading apostrophe (OWASP's advice on CSV injection)."""
    return [("'" + c) if c.startswith(_FORMULA) else c for c in row]


# --- Backups --------------------------------------------------------------------------------


def chain_heads() -> list[dict[str, Any]]:
    """Each chain's head (organization, chain, the last event's sequence number and hash),
    for a backup's manifest and the restore's check of its candidate (core/backup.py). The
    candidate may have the schema of an older Waypoint, before the chains per site (audit
    migration 0007): its heads are then each organization's chain 0. Not audited: it names
    no patient and is read by the command line only."""
    heads = AuditChainHead.objects.order_by("organization_id")
    table = AuditChainHead._meta.db_table
    with connection.cursor() as cur:
        columns = {c.name for c in connection.introspection.get_table_description(cur, table)}
    if "chain" not in columns:
        return [
            {"organization": org, "chain": 0, "seq": seq, "hash": last}
            for org, seq, last in heads.values_list("organization_id", "last_seq", "last_hash")
        ]
    return [
        {"organization": org, "chain": chain, "seq": seq, "hash": last}
        for org, chain, seq, last in heads.order_by("organization_id", "chain").values_list(
            "organization_id", "chain", "last_seq", "last_hash"
        )
    ]
