"""The one-time move of an existing trail from plain SHA-256 links to MACs (audit migration
0006, run by ``waypoint migrate``).

Events written before the audit key existed are chained with ``sha256(prev || event)``:
anyone who can write the database can recompute that. The transition, per organization:

1. checks the old chain exactly as the old ``verify`` did (sequence, links, SHA-256 of every
   event, the head row naming the last event; a missing head row counts as a break too);
2. refuses (``LegacyTrailBroken``: the migration fails, nothing changes) when the old chain
   is broken, unless ``WAYPOINT_AUDIT_SEAL_BROKEN_TRAIL=1`` is set: then it goes on and the
   break is written into the transition's own event (``legacy_problem``), where the sealed
   trail keeps it; a deleted or moved old event stays a gap that ``verify`` reports;
3. re-seals every event with the key (new ``prev_hash`` and ``hash``; the contents are not
   touched), appends one event ``audit_reseal`` (actor ``system``, channel ``cli``) whose
   detail records the number of old events, the old chain's last SHA-256 and the key's id,
   and writes the head row with its MAC.

From then on ``verify`` accepts only MACs: an unkeyed event written later is "edited or
forged". The append-only triggers are lifted for the re-sealing and restored in the same
transaction (the migration runs as the tables' owner). An empty database needs no key.
"""

from __future__ import annotations

import os
from typing import Any

from django.utils import timezone

from waypoint.core.keys import audit_key

from .services import (
    GENESIS,
    _others,
    chain_events,
    check_link,
    compute_hash,
    head_mac,
    legacy_hash,
)
from .triggers import set_append_only_triggers

ENV_SEAL_BROKEN = "WAYPOINT_AUDIT_SEAL_BROKEN_TRAIL"
BATCH = 500


class LegacyTrailBroken(Exception):
    """The old (SHA-256) trail is broken: it is not sealed with the key as if it were whole."""


def _legacy_problem(org_id: int, events: list[tuple[Any, set[int]]], head: Any) -> str:
    expected, prev, last = 1, GENESIS, None
    for ev, linked in events:
        problem = check_link(ev, org_id, expected, prev, linked)
        if not problem and legacy_hash(prev, ev, _others(ev.patient_id, linked)) != ev.hash:
            problem = (
                f"audit event id={ev.pk} (organization {org_id}, seq {ev.seq}): contents do "
                "not match its hash (edited)"
            )
        if problem:
            return problem
        expected, prev, last = expected + 1, ev.hash, ev
    last_seq = last.seq if last else 0
    if head is None:
        return "" if last is None else f"organization {org_id}: the chain's head row is missing"
    if head.last_seq != last_seq or head.last_hash != prev:
        return (
            f"organization {org_id}: the chain ends at seq {last_seq} but {head.last_seq} "
            "events were written (events deleted from the end)"
        )
    return ""


def reseal(event_model: Any, link_model: Any, head_model: Any, connection: Any) -> list[str]:
    """Check and re-seal every organization's chain (see the module's docstring); returns a
    line per organization re-sealed."""
    using = connection.alias
    org_ids = sorted(
        set(head_model.objects.using(using).values_list("organization_id", flat=True))
        | set(event_model.objects.using(using).values_list("organization_id", flat=True))
    )
    if not org_ids:
        return []
    key = audit_key()
    seal_broken = os.environ.get(ENV_SEAL_BROKEN, "") == "1"
    notes: list[str] = []
    set_append_only_triggers(connection, False)
    for org_id in org_ids:
        head = head_model.objects.using(using).filter(organization_id=org_id).first()
        events = list(chain_events(org_id, using, event_model, link_model))
        problem = _legacy_problem(org_id, events, head)
        if problem and not seal_broken:
            raise LegacyTrailBroken(
                f"the audit trail written before the audit key is broken: {problem}. It is not "
                "sealed with the key as if it were whole; nothing was changed. Investigate (or "
                "restore a backup from before the break), or set "
                f"{ENV_SEAL_BROKEN}=1 to seal it anyway with the break recorded (docs/AUDIT.md)."
            )
        prev, changed = GENESIS, []
        for ev, linked in events:
            ev.prev_hash = prev
            ev.hash = compute_hash(prev, ev, _others(ev.patient_id, linked), key=key.secret)
            prev = ev.hash
            changed.append(ev)
        event_model.objects.using(using).bulk_update(changed, ["prev_hash", "hash"], BATCH)
        last_seq = events[-1][0].seq if events else 0
        legacy_head = head.last_hash if head is not None else (events[-1][0].hash if events else "")
        ev = event_model(
            organization_id=org_id,
            seq=last_seq + 1,
            at=timezone.now(),
            actor_id=None,
            actor_username="system",
            actor_role="",
            patient_id=None,
            action="audit_reseal",
            object_type="audit_trail",
            object_id="",
            purpose="operations",
            channel="cli",
            client_address="",
            detail={
                "from": "sha256",
                "to": "hmac-sha256",
                "legacy_events": len(events),
                "legacy_head_hash": legacy_head,
                "legacy_problem": problem,
                "key_id": key.key_id,
            },
            prev_hash=prev,
        )
        ev.hash = compute_hash(prev, ev, key=key.secret)
        ev.save(using=using)
        if head is None:
            head = head_model(organization_id=org_id)
        head.last_seq, head.last_hash = ev.seq, ev.hash
        head.mac = head_mac(org_id, ev.seq, ev.hash, key=key.secret)
        head.save(using=using)
        notes.append(
            f"organization {org_id}: {len(events)} audit events re-sealed with the audit key"
            + (f" (the old chain was broken: {problem})" if problem else "")
        )
    set_append_only_triggers(connection, True)
    return notes
