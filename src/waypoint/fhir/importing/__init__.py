"""The FHIR import (issue 20 item 3): a Bundle in, Waypoint patients and outside records
out, all or nothing. ``parse`` reads and validates (fhir.resources R4B), ``references``
resolves ``urn:uuid:`` and relative references inside the bundle, ``mapping`` turns an
entry into what Waypoint keeps, ``services.bundle_import`` writes it in one transaction."""

from .parse import KEPT_TYPES, SERVED_TYPES, bundle_from_bytes
from .services import EntryResult, ImportResult, bundle_import

__all__ = [
    "KEPT_TYPES",
    "SERVED_TYPES",
    "EntryResult",
    "ImportResult",
    "bundle_from_bytes",
    "bundle_import",
]
