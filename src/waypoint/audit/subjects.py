"""Whom the audit trail can be filtered by.

The trail is read per patient (``?patient=`` an id, or ``?q=`` a name, MRN or date of
birth), and asking for a patient who is not in the
caller's organization is a 404, as everywhere else. The audit app is part of the base and
imports no clinical app: the patient registry supplies the check from its
``AppConfig.ready()`` (patients/apps.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (organization_id, patient_id) -> whether that patient exists in that organization
PatientExists = Callable[[int, int], bool]
# (organization_id, what was typed: a name, an MRN or a date of birth, limit) -> the
# patients it names, each {"id", "mrn", "name", "date_of_birth"}; nothing audited (the
# trail's search records its own read)
PatientLookup = Callable[[int, str, int], list[dict]]

_patient_exists: list[PatientExists] = []
_patient_lookup: list[PatientLookup] = []


def register_patient_lookup(lookup: PatientLookup) -> None:
    """Set the search by name, MRN or date of birth (from ``AppConfig.ready()``)."""
    _patient_lookup[:] = [lookup]


def patients_named(organization_id: int, q: str, limit: int = 20) -> list[dict]:
    if not _patient_lookup:
        raise RuntimeError(
            "No app registered a patient search for the audit trail "
            "(waypoint.patients must be in INSTALLED_APPS)."
        )
    return _patient_lookup[0](organization_id, q, limit)


def register_patient_exists(check: PatientExists) -> None:
    """Set the check (from ``AppConfig.ready()``); setting it again replaces it."""
    _patient_exists[:] = [check]


def patient_exists(organization_id: int, patient_id: int) -> bool:
    if not _patient_exists:
        raise RuntimeError(
            "No app registered a patient check for the audit trail "
            "(waypoint.patients must be in INSTALLED_APPS)."
        )
    return _patient_exists[0](organization_id, patient_id)


# (actor, patient_id, action, object_type, *, restricted) -> None, or raise a DomainError:
# the access gate every event about one patient passes before it is written
# (``services.record``). The privacy app registers it (restricted records: only the care
# team, or whoever states a reason); with none registered every access passes, as before
# restricted records existed. ``restricted``: whether the record is restricted, when the
# caller read it in its own statement (``restricted_flag_sql``); None, the gate asks.
AccessGate = Callable[..., None]

_access_gates: list[AccessGate] = []

# (organization, patient: SQL expressions of a caller's statement) -> an SQL expression,
# true when that patient's record is restricted now: a hot path's own read brings the flag
# along (the dose's read under the lock) and passes it to the gate, which then sends no
# statement for a record that is not restricted. Registered by the privacy app with its
# gate; with none registered nothing is restricted.
RestrictedFlag = Callable[[str, str], str]

_restricted_flags: list[RestrictedFlag] = []


def register_access_gate(gate: AccessGate) -> None:
    """Set the gate (from ``AppConfig.ready()``); setting it again replaces it."""
    _access_gates[:] = [gate]


def register_restricted_flag(flag: RestrictedFlag) -> None:
    """Set the restricted-record flag's SQL (from ``AppConfig.ready()``, with the gate)."""
    _restricted_flags[:] = [flag]


def restricted_flag_sql(organization: str, patient: str) -> str:
    """The SQL expression of ``RestrictedFlag`` for a caller's own statement ("0" when no
    app registered one)."""
    if not _restricted_flags:
        return "0"
    return _restricted_flags[0](organization, patient)


def check_access(
    actor: Any, patient_id: int, action: str, object_type: str, *, restricted: bool | None = None
) -> None:
    for gate in _access_gates:
        gate(actor, patient_id, action, object_type, restricted=restricted)
