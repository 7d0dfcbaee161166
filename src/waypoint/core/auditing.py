"""How the base writes an audit event without importing the audit app.

``core`` sits below ``audit`` (the ``apps`` import-linter contract), yet the
administration's writes (staff accounts, sites) are audited like every other write, in the
same transaction. The audit app supplies its writer from ``AuditConfig.ready()``
(``register_audit_writer(audit.services.record)``); without it a write fails closed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .actor import Actor

# (actor, action, object_type, object_id, *, detail) -> the event written
AuditWriter = Callable[..., Any]

_writer: list[AuditWriter] = []


def register_audit_writer(writer: AuditWriter) -> None:
    """Set the writer (from ``AppConfig.ready()``); setting it again replaces it."""
    _writer[:] = [writer]


def record(actor: Actor, action: str, object_type: str, object_id: Any = "", **detail: Any) -> Any:
    """Append one audit event in the caller's transaction (``audit.services.record``)."""
    if not _writer:
        raise RuntimeError("No audit writer registered (waypoint.audit must be in INSTALLED_APPS).")
    return _writer[0](actor, action, object_type, object_id, detail=detail or None)


# --- Backups (core/backup.py): the audit trail's own reads, supplied by the audit app ------

# () -> [{"organization": id, "chain": c, "seq": n, "hash": h}, ...] of the default database
ChainHeads = Callable[[], list[dict[str, Any]]]
# () -> a result with ``ok`` and ``problem`` (``audit.services.verify``)
ChainVerifier = Callable[[], Any]

_backup_checks: list[tuple[ChainHeads, ChainVerifier]] = []


def register_chain_checks(heads: ChainHeads, verify: ChainVerifier) -> None:
    """Set how a backup reads the chain heads and a restore verifies its candidate (from
    ``AuditConfig.ready()``: ``audit.selectors.chain_heads``, ``audit.services.verify``)."""
    _backup_checks[:] = [(heads, verify)]


def chain_checks() -> tuple[ChainHeads, ChainVerifier]:
    if not _backup_checks:
        raise RuntimeError("No audit chain checks registered (waypoint.audit must be installed).")
    return _backup_checks[0]
