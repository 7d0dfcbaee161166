"""The CapabilityStatement at /fhir/r4/metadata (issue 20 item 1): built from the
registry, so it names only the types really served and the search parameters their
providers really take (a type whose providers differ lists the union; a provider without
a parameter answers no match for it)."""

from __future__ import annotations

from typing import Any

from . import codes, registry
from .search import COMMON

# FHIR search parameter types of the parameters the providers take
PARAM_TYPES = {
    "patient": "reference",
    "subject": "reference",
    "date": "date",
    "birthdate": "date",
    "code": "token",
    "identifier": "token",
    "name": "string",
}
RELEASE_DATE = "2026-11-30"


def _resource(resource_type: str) -> dict[str, Any]:
    params = sorted({n for p in registry.providers(resource_type) for n in p.search_params})
    entry: dict[str, Any] = {
        "type": resource_type,
        "interaction": [{"code": "read"}, {"code": "search-type"}],
        "searchParam": [
            {"name": "_id", "type": "token"},
            *({"name": n, "type": PARAM_TYPES.get(n, "string")} for n in params),
        ],
    }
    if resource_type != "Patient":
        entry["searchInclude"] = [f"{resource_type}:patient", f"{resource_type}:subject"]
    return entry


def statement(base_url: str) -> dict[str, Any]:
    """What this server does, as a CapabilityStatement (``base_url``: /fhir/r4/)."""
    rest: dict[str, Any] = {
        "mode": "server",
        "documentation": (
            "Bearer token of the JSON API (staff) or of an outside recipient. Every search "
            "but Patient's names its patient (patient= or subject=); paging by _count (at "
            f"most 100) and _offset ({', '.join(c for c in COMMON if c.startswith('_'))}). "
            "Every resource carries 42 CFR Part 2 labels in meta.security."
        ),
        "security": {
            "service": [{"text": "Bearer token (Authorization: Bearer <token>)"}],
            "description": "42 CFR Part 2: redisclosure prohibited without consent.",
        },
        "resource": [_resource(t) for t in registry.types()],
    }
    rest["interaction"] = [{"code": "transaction"}]  # POST /fhir/r4/ (transaction.py)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": RELEASE_DATE,
        "kind": "instance",
        "software": {"name": "Waypoint"},
        "implementation": {"description": "Waypoint FHIR R4", "url": base_url},
        "fhirVersion": codes.FHIR_VERSION,
        "format": [codes.FHIR_JSON, "json"],
        "rest": [rest],
    }
