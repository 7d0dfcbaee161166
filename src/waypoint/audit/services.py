"""Writing and verifying the audit trail.

``record`` appends one event inside the caller's transaction (a change and its audit event
commit or roll back together). Events form a hash chain per organization:
``hash = sha256(prev_hash || canonical JSON of the event)``, so ``verify`` can name an
event that was edited, deleted or moved.

Every patient an event touched or showed is linked to it (``AuditEventPatient``): the
event's own ``patient_id`` and the ``patients`` a search, board or list named. The linked
patients other than the event's own are part of the canonical JSON, so a link added or
removed later breaks the chain like an edited event. Before an event about one patient is
written, the access gate registered by the privacy app (``subjects.check_access``) may
refuse it: every read and write of a patient's record passes through here, so a restricted
record cannot be reached by a path that forgot to check.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from . import subjects
from .models import AuditChainHead, AuditEvent, AuditEventPatient

if TYPE_CHECKING:
    from waypoint.core.actor import Actor

GENESIS = "0" * 64


def _canonical(ev: AuditEvent, others: list[int] | tuple[int, ...] = ()) -> bytes:
    payload: dict[str, Any] = {
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
    if others:  # absent when empty, so events written before the links keep their hashes
        payload["patients"] = sorted(others)
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def compute_hash(prev_hash: str, ev: AuditEvent, others: list[int] | tuple[int, ...] = ()) -> str:
    """The event's hash; ``others`` are its linked patients other than ``ev.patient_id``."""
    return hashlib.sha256(prev_hash.encode() + b"|" + _canonical(ev, others)).hexdigest()


def _others(patient_id: int | None, patients) -> list[int]:
    return sorted({int(p) for p in patients or ()} - {patient_id})


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
    """Append one event to the actor's organization's chain, in the current transaction.

    ``patient_id`` is the patient the event is about (a read or a write of one record);
    ``patients`` every patient a search, board or list showed. Both are linked to the
    event. An event about one patient first passes the access gate (restricted records),
    which may refuse it with a ``DomainError``: the caller's transaction then rolls back.
    """
    org_id = organization_id or actor.organization_id
    if patient_id is not None:
        subjects.check_access(actor, patient_id, action, object_type)
    others = _others(patient_id, patients)
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
        ev.hash = compute_hash(head.last_hash, ev, others)
        ev.save()
        linked = ([patient_id] if patient_id is not None else []) + others
        if linked:
            AuditEventPatient.objects.bulk_create(
                AuditEventPatient(event=ev, organization_id=org_id, patient_id=p) for p in linked
            )
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


def _check(ev: AuditEvent, org_id: int, expected_seq: int, prev_hash: str, linked: set[int]) -> str:
    """What is wrong with ``ev`` at this place of its chain ("" when nothing)."""
    where = f"audit event id={ev.pk} (organization {org_id}, seq {ev.seq})"
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
    if compute_hash(prev_hash, ev, _others(ev.patient_id, linked)) != ev.hash:
        return f"{where}: contents do not match its hash (edited)"
    if ev.patient_id is not None and ev.patient_id not in linked:
        return f"{where}: the link to its patient is missing (deleted)"
    return ""


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
        for batch in _batches(events.iterator(chunk_size=CHUNK), CHUNK):
            links: dict[int, set[int]] = {}
            for event_id, patient_id in AuditEventPatient.objects.filter(
                event_id__in=[ev.pk for ev in batch]
            ).values_list("event_id", "patient_id"):
                links.setdefault(event_id, set()).add(patient_id)
            for ev in batch:
                checked += 1
                problem = _check(ev, org_id, expected_seq, prev_hash, links.get(ev.pk, set()))
                if problem:
                    return VerifyResult(False, checked, problem, ev.pk)
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
