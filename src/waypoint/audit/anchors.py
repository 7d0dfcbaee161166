"""Anchors: each chain's head, written down to be kept away from the database.

``waypoint audit anchor`` prints (or writes) a small JSON document: for every chain (one per
site of each organization, and the organization's own, chain 0) the head's sequence number,
its event's MAC and that event's time, the time the anchor was made, the audit key's id, and
a MAC of the whole document with the audit key::

    {"format": "waypoint-audit-anchor", "version": 1, "made_at": "...", "key_id": "...",
     "chains": [{"organization": 1, "chain": 4, "name": "...", "seq": 812, "mac": "...",
                 "at": "..."}, ...],
     "mac": "..."}

An entry without "chain" (an anchor made before there were chains per site) is chain 0.

Kept elsewhere (another machine, write-once storage, a printout), it lets
``waypoint audit verify --anchor FILE`` prove more than the key alone can: the anchored
event of each chain still carries the anchored MAC (so nothing up to it changed, even by
someone holding the key), and no chain ends before it (so no event was cut off the end,
even with an old head row put back). Periodic anchors: docs/AUDIT.md.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.utils import timezone

from waypoint.core.keys import AuditKey, audit_key

from .canonical import dumps
from .models import AuditChainHead, AuditEvent
from .services import chain_label, head_mac

FORMAT = "waypoint-audit-anchor"
VERSION = 1
_LABEL = b"waypoint-audit-anchor|"


class AnchorError(Exception):
    """An anchor that cannot be used: unreadable, of another kind, altered, another key,
    or a head row that fails its own MAC when an anchor is made."""


@dataclass(frozen=True)
class AnchorPoint:
    organization_id: int
    seq: int
    mac: str
    chain: int = 0


@dataclass(frozen=True)
class Anchor:
    made_at: str
    key_id: str
    points: dict[tuple[int, int], AnchorPoint]  # by (organization id, chain)


def _mac(key: AuditKey, body: dict[str, Any]) -> str:
    return hmac.digest(key.secret, _LABEL + dumps(body), "sha256").hex()


def anchor_document(using: str = "default") -> dict[str, Any]:
    """The anchor of every chain as the database holds it now. Each head row must pass its
    own MAC and name its chain's last event (``AnchorError`` otherwise: a broken head is not
    written down as if it were good). It does not walk the chains: run ``verify`` for that,
    before, as the cron line in docs/AUDIT.md does."""
    key = audit_key()
    chains = []
    heads = AuditChainHead.objects.using(using).select_related("organization")
    for head in heads.order_by("organization_id", "chain"):
        org_id, chain = head.organization_id, head.chain
        label = chain_label(org_id, chain)
        if not hmac.compare_digest(
            head.mac, head_mac(org_id, head.last_seq, head.last_hash, chain=chain, key=key.secret)
        ):
            raise AnchorError(f"{label}: the chain's head row fails its MAC")
        at = None
        if head.last_seq:
            row = (
                AuditEvent.objects.using(using)
                .filter(organization_id=org_id, chain=chain, seq=head.last_seq)
                .values_list("hash", "at")
                .first()
            )
            if row is None or row[0] != head.last_hash:
                raise AnchorError(
                    f"{label}: the head names seq {head.last_seq}, which is missing or different"
                )
            at = row[1].astimezone(UTC).isoformat(timespec="microseconds")
        chains.append(
            {
                "organization": org_id,
                "chain": chain,
                "name": head.organization.name,
                "seq": head.last_seq,
                "mac": head.last_hash,
                "at": at,
            }
        )
    body: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "made_at": timezone.now().astimezone(UTC).isoformat(timespec="seconds"),
        "key_id": key.key_id,
        "chains": chains,
    }
    return {**body, "mac": _mac(key, body)}


def anchor_text(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def load_anchor(text: str) -> Anchor:
    """Read and check an anchor (its format, its key id, its MAC)."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise AnchorError(f"not an anchor (not JSON: {exc})") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise AnchorError("not a Waypoint audit anchor")
    if doc.get("version") != VERSION:
        raise AnchorError(f"anchor version {doc.get('version')!r} is not {VERSION}")
    key = audit_key(create=False)
    if doc.get("key_id") != key.key_id:
        raise AnchorError(
            f"the anchor was made with another audit key (key id {doc.get('key_id')!r}, this "
            f"install's is {key.key_id!r})"
        )
    body = {k: v for k, v in doc.items() if k != "mac"}
    if not isinstance(doc.get("mac"), str) or not hmac.compare_digest(doc["mac"], _mac(key, body)):
        raise AnchorError("the anchor does not match its MAC (altered)")
    points: dict[tuple[int, int], AnchorPoint] = {}
    try:
        for chain in doc["chains"]:
            point = AnchorPoint(
                int(chain["organization"]),
                int(chain["seq"]),
                str(chain["mac"]),
                int(chain.get("chain", 0)),
            )
            points[(point.organization_id, point.chain)] = point
        made_at = str(doc["made_at"])
    except (KeyError, TypeError, ValueError) as exc:
        raise AnchorError(f"the anchor's chains are malformed ({exc})") from exc
    return Anchor(made_at=made_at, key_id=key.key_id, points=points)
