"""FHIR errors: every refusal under /fhir/r4/ is an ``OperationOutcome`` (contract "FHIR
R4"), with the same stable code the JSON API would give in ``issue[0].details.coding``."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse

from waypoint.core.errors import DomainError

from . import codes

# Waypoint's refusal codes (docs/API.md), carried in OperationOutcome.issue.details
ERROR_SYSTEM = "urn:waypoint:error"

# FHIR issue-type codes (http://hl7.org/fhir/issue-type) per HTTP status
ISSUE_TYPE = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    409: "conflict",
    410: "deleted",
    413: "too-long",
    415: "not-supported",
    422: "processing",
    503: "transient",  # the database stayed busy (core.errors.Busy): send again
}


class FhirError(Exception):
    """A refusal: HTTP ``status``, Waypoint's stable ``code``, a sentence for people."""

    def __init__(
        self,
        status: int,
        code: str,
        diagnostics: str,
        issues: list | None = None,
        retry_after: int | None = None,
    ):
        super().__init__(diagnostics)
        self.status = status
        self.code = code
        self.diagnostics = diagnostics
        self.issues = issues or []  # more issue dicts (e.g. one per bad resource of a Bundle)
        self.retry_after = retry_after  # seconds, for a 503 (the database stayed busy)

    @classmethod
    def from_domain(cls, exc: DomainError) -> FhirError:
        """A service's refusal (or the database's ``Busy``) as a FHIR refusal."""
        return cls(exc.status, exc.code, exc.message, retry_after=exc.extra.get("retry_after"))


def outcome(status: int, code: str, diagnostics: str, more: list | None = None) -> dict[str, Any]:
    first = {
        "severity": "error",
        "code": ISSUE_TYPE.get(status, "processing"),
        "details": {"coding": [{"system": ERROR_SYSTEM, "code": code}], "text": diagnostics},
        "diagnostics": diagnostics,
    }
    return {"resourceType": "OperationOutcome", "issue": [first, *(more or [])]}


def fhir_response(body: dict[str, Any], status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, separators=(",", ":"), ensure_ascii=False),
        status=status,
        content_type=codes.FHIR_JSON + "; charset=utf-8",
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def error_response(exc: FhirError) -> HttpResponse:
    headers = {"WWW_Authenticate": 'Bearer realm="waypoint-fhir"'} if exc.status == 401 else {}
    if exc.retry_after is not None:
        headers["Retry_After"] = str(exc.retry_after)
    return fhir_response(
        outcome(exc.status, exc.code, exc.diagnostics, exc.issues), exc.status, **headers
    )
