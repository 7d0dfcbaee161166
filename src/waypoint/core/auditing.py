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
