"""Writing and verifying the audit trail.

``record`` appends one event inside the caller's transaction (a change and its audit event
commit or roll back together). Events form a hash chain per organization:
``hash = sha256(prev_hash || canonical JSON of the event)``, so ``verify`` can name an
event that was edited, deleted or moved.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent

if TYPE_CHECKING:
    from waypoint.core.actor import Actor

GENESIS = "0" * 64


def _canonical(ev: AuditEvent) -> bytes:
    payload = {
        "org": ev.organization_id,
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
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def compute_hash(prev_hash: str, ev: AuditEvent) -> str:
    return hashlib.sha256(prev_hash.encode() + b"|" + _canonical(ev)).hexdigest()


def record(
    actor: Actor,
    action: str,
    object_type: str,
    object_id: Any = "",
    *,
    patient_id: int | None = None,
    detail: dict[str, Any] | None = None,
    organization_id: int | None = None,
) -> AuditEvent:
    """Append one event to the actor's organization's chain, in the current transaction."""
    org_id = organization_id or actor.organization_id
    # No savepoint: inside a caller's transaction a failure here fails the whole change.
    with transaction.atomic(savepoint=False):
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(organization_id=org_id)
        ev = AuditEvent(
            organization_id=org_id,
            seq=head.last_seq + 1,
            at=timezone.now(),
            actor_id=actor.user.pk,
            actor_username=actor.user.get_username(),
            actor_role=actor.role or "",
            patient_id=patient_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id) if object_id is not None else "",
            purpose=actor.purpose,
            channel=actor.channel,
            client_address=actor.client_address,
            detail=detail or {},
            prev_hash=head.last_hash,
        )
        ev.hash = compute_hash(head.last_hash, ev)
        ev.save()
        head.last_seq = ev.seq
        head.last_hash = ev.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return ev


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    events_checked: int
    problem: str = ""
    event_id: int | None = None


def verify() -> VerifyResult:
    """Walk every organization's chain and report the first broken event, if any."""
    checked = 0
    heads = {h.organization_id: h for h in AuditChainHead.objects.all()}
    org_ids = set(heads) | set(
        AuditEvent.objects.values_list("organization_id", flat=True).distinct()
    )
    for org_id in sorted(org_ids):
        expected_seq, prev_hash, last = 1, GENESIS, None
        events = AuditEvent.objects.filter(organization_id=org_id).order_by("seq", "id")
        for ev in events.iterator(chunk_size=2000):
            checked += 1
            where = f"audit event id={ev.pk} (organization {org_id}, seq {ev.seq})"
            if ev.seq != expected_seq:
                if ev.seq > expected_seq:
                    missing = (
                        f"seq {expected_seq}"
                        if ev.seq == expected_seq + 1
                        else f"seq {expected_seq}-{ev.seq - 1}"
                    )
                    problem = f"{where}: the event(s) before it ({missing}) are missing (deleted)"
                else:
                    problem = f"{where}: sequence number repeated or moved (reordered)"
                return VerifyResult(False, checked, problem, ev.pk)
            if ev.prev_hash != prev_hash:
                return VerifyResult(
                    False,
                    checked,
                    f"{where}: does not link to the event before it (deleted or reordered)",
                    ev.pk,
                )
            if compute_hash(prev_hash, ev) != ev.hash:
                return VerifyResult(
                    False, checked, f"{where}: contents do not match its hash (edited)", ev.pk
                )
            prev_hash, expected_seq, last = ev.hash, expected_seq + 1, ev
        head = heads.get(org_id)
        if head is not None and (
            head.last_seq != (last.seq if last else 0) or head.last_hash != prev_hash
        ):
            return VerifyResult(
                False,
                checked,
                f"organization {org_id}: the chain ends at seq {last.seq if last else 0} but "
                f"{head.last_seq} events were written (events deleted from the end)",
                last.pk if last else None,
            )
    return VerifyResult(True, checked)
