"""Domain errors: refusals are data.

A service raises ``DomainError(code, message, status)``; the API turns it into
``{"code": code, "detail": message}`` with that HTTP status, and the HTML views show the
message to the person at the screen. Codes are stable strings listed in docs/API.md.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal with a stable code, a sentence for the person, and an HTTP status."""

    status = 422

    def __init__(self, code: str, message: str, status: int | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        if status is not None:
            self.status = status
        self.extra = extra

    def as_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "detail": self.message}
        body.update(self.extra)
        return body


class NotFound(DomainError):
    """Also raised for another organization's records: they do not exist for the caller."""

    status = 404

    def __init__(self, what: str = "record") -> None:
        super().__init__("not_found", f"No such {what}.")


class PermissionDenied(DomainError):
    status = 403

    def __init__(self, action: str) -> None:
        super().__init__("forbidden", f"Your role is not allowed to {action}.", action=action)


class Busy(DomainError):
    """The database stayed busy with other writes for ``seconds`` (SQLite's one writer, behind
    a long import or restore): nothing was written; the request may be sent again."""

    status = 503

    def __init__(self, seconds: float) -> None:
        super().__init__(
            "database_busy",
            f"The database was busy with other changes for {seconds:g} seconds, so nothing "
            "was saved. Try again in a moment.",
            retry_after=max(1, round(seconds / 4)),
        )


class Conflict(DomainError):
    status = 409
