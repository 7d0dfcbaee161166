"""Reading a Bundle: JSON, its shape (fhir.resources R4B, never the root package, which is
R5), and each entry's resource validated as its own R4B class, so a bad resource is named
by its entry (one issue each) instead of one error for the whole bundle."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from ..outcome import ERROR_SYSTEM, FhirError

# what becomes a Waypoint record: the patient, outside records, consents
OUTSIDE_TYPES = (
    "Condition",
    "Observation",
    "MedicationRequest",
    "MedicationAdministration",
    "EpisodeOfCare",
)
KEPT_TYPES = ("Patient", *OUTSIDE_TYPES, "Consent")
SERVED_TYPES = KEPT_TYPES  # what /fhir/r4/ serves back, the same list
ENTRY_METHODS = ("POST", "PUT")  # a create, or an update that is kept as a create here


@dataclass
class Entry:
    """One entry of the bundle: its position, fullUrl, resource and request method."""

    index: int
    full_url: str
    resource: dict[str, Any]
    method: str

    @property
    def resource_type(self) -> str:
        return str(self.resource.get("resourceType", ""))

    def describe(self) -> str:
        rid = self.resource.get("id")
        name = f"{self.resource_type}/{rid}" if rid else f"{self.resource_type} {self.full_url}"
        return f"entry {self.index} ({name})"


def issue(code: str, text: str, index: int | None = None, severity: str = "error") -> dict:
    """One OperationOutcome issue with Waypoint's code (and the entry it is about)."""
    item: dict[str, Any] = {
        "severity": severity,
        "code": "invalid" if severity == "error" else "informational",
        "details": {"coding": [{"system": ERROR_SYSTEM, "code": code}], "text": text},
        "diagnostics": text,
    }
    if index is not None:
        item["expression"] = [f"Bundle.entry[{index}]"]
    return item


def refused(status: int, code: str, summary: str, issues: list[dict]) -> FhirError:
    return FhirError(status, code, summary, issues)


def bundle_from_bytes(raw: bytes) -> dict[str, Any]:
    """The JSON object of ``raw``; 400 ``fhir_invalid_resource`` when it is not JSON or not
    a Bundle (a resource of another type is 422 ``fhir_not_a_transaction``)."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FhirError(400, "fhir_invalid_resource", f"The body is not JSON: {exc}.") from None
    if not isinstance(data, dict) or "resourceType" not in data:
        raise FhirError(400, "fhir_invalid_resource", "The body is not a FHIR resource.")
    if data["resourceType"] != "Bundle":
        raise FhirError(
            422,
            "fhir_not_a_transaction",
            f"Expected a Bundle, got a {str(data['resourceType'])[:60]}.",
        )
    return data


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0] if errors else {"loc": (), "msg": str(exc)}
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "__root__")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where or 'resource'}: {first.get('msg', '')}{more}"


def validate_resource(resource: dict[str, Any]) -> str | None:
    """None when ``resource`` is a valid R4B resource of its type, else the first error."""
    rtype = resource.get("resourceType")
    try:
        model = get_fhir_model_class(str(rtype))
    except (KeyError, ValueError):
        return f"unknown resource type {str(rtype)[:60]!r}"
    try:
        model.model_validate(resource)
    except ValidationError as exc:
        return _first_error(exc)
    return None


def entries(bundle: dict[str, Any], allowed_types: tuple[str, ...]) -> list[Entry]:
    """The bundle's entries, its own shape checked (R4B Bundle without the entries'
    resources, which are validated one by one by the caller). 422 with one issue per bad
    entry; ``fhir_not_a_transaction`` when ``Bundle.type`` is not in ``allowed_types``."""
    btype = bundle.get("type")
    if btype not in allowed_types:
        raise FhirError(
            422,
            "fhir_not_a_transaction",
            f"Bundle.type is {str(btype)[:40]!r}; this import takes a "
            f"{' or '.join(allowed_types)} Bundle.",
        )
    raw_entries = bundle.get("entry") or []
    if not isinstance(raw_entries, list):
        raise FhirError(422, "fhir_invalid_resource", "Bundle.entry must be a list.")
    shell = {k: v for k, v in bundle.items() if k != "entry"}
    shell["entry"] = [
        {k: v for k, v in e.items() if k != "resource"} if isinstance(e, dict) else e
        for e in raw_entries
    ]
    problem = validate_resource(shell)
    if problem is not None:
        raise FhirError(422, "fhir_invalid_resource", f"The Bundle is not valid: {problem}.")
    found: list[Entry] = []
    bad: list[dict] = []
    for i, e in enumerate(raw_entries):
        resource = e.get("resource")
        if not isinstance(resource, dict):
            bad.append(issue("fhir_invalid_resource", f"entry {i}: no resource", i))
            continue
        method = str((e.get("request") or {}).get("method") or "POST")
        entry = Entry(i, str(e.get("fullUrl") or ""), resource, method)
        if btype in ("transaction", "batch") and method not in ENTRY_METHODS:
            bad.append(
                issue(
                    "fhir_invalid_resource",
                    f"{entry.describe()}: request.method {method} is not imported "
                    f"(only {' and '.join(ENTRY_METHODS)})",
                    i,
                )
            )
            continue
        found.append(entry)
    if bad:
        raise refused(422, "fhir_invalid_resource", f"{len(bad)} entries are not valid.", bad)
    return found
