"""What Waypoint keeps of each entry: a FHIR Patient as a Waypoint patient's demographics,
and the summary columns of an outside record (code, date, status; the resource itself is
kept whole)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationError

from waypoint.patients.schemas import PatientIn

# the Reference naming the patient, per outside type
PATIENT_FIELD = {
    "Condition": "subject",
    "Observation": "subject",
    "MedicationRequest": "subject",
    "MedicationAdministration": "subject",
    "EpisodeOfCare": "patient",
    "Consent": "patient",
}
# the CodeableConcept that says what the record is about
_CODE_FIELD = {
    "Condition": "code",
    "Observation": "code",
    "MedicationRequest": "medicationCodeableConcept",
    "MedicationAdministration": "medicationCodeableConcept",
}
# where its date is, first found wins
_DATE_FIELDS = {
    "Condition": ("onsetDateTime", "onsetPeriod.start", "recordedDate"),
    "Observation": ("effectiveDateTime", "effectivePeriod.start", "effectiveInstant", "issued"),
    "MedicationRequest": ("authoredOn",),
    "MedicationAdministration": ("effectiveDateTime", "effectivePeriod.start"),
    "EpisodeOfCare": ("period.start",),
}
_BIRTH_SEX = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex"


def patient_reference(resource: dict[str, Any]) -> str | None:
    ref = resource.get(PATIENT_FIELD.get(str(resource.get("resourceType")), ""))
    if isinstance(ref, dict) and isinstance(ref.get("reference"), str):
        return ref["reference"]
    return None


def _get(resource: dict[str, Any], path: str) -> Any:
    node: Any = resource
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def parse_datetime(value: Any) -> dt.datetime | None:
    """A FHIR date, dateTime or instant as an aware datetime (a day or a partial date is
    its first moment in UTC); None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if len(text) == 4 and text.isdigit():
        text += "-01-01"
    elif len(text) == 7:
        text += "-01"
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def first_coding(concept: Any) -> dict[str, Any]:
    """The first Coding of a CodeableConcept ({} when there is none)."""
    codings = concept.get("coding") if isinstance(concept, dict) else None
    first = codings[0] if isinstance(codings, list) and codings else None
    return first if isinstance(first, dict) else {}


def summary(resource: dict[str, Any]) -> dict[str, Any]:
    """The outside record's columns: code system, code, display, effective, status."""
    rtype = str(resource.get("resourceType"))
    concept = _get(resource, _CODE_FIELD[rtype]) if rtype in _CODE_FIELD else None
    if rtype == "EpisodeOfCare":
        types = resource.get("type") or []
        concept = types[0] if types else None
    system = code = display = ""
    if isinstance(concept, dict):
        coding = first_coding(concept)
        system = str(coding.get("system") or "")
        code = str(coding.get("code") or "")
        display = str(coding.get("display") or concept.get("text") or "")
    effective = None
    for path in _DATE_FIELDS.get(rtype, ()):
        effective = parse_datetime(_get(resource, path))
        if effective is not None:
            break
    status = resource.get("status")
    if rtype == "Condition":
        clinical = resource.get("clinicalStatus") or {}
        status = first_coding(clinical).get("code", "")
    return {
        "code_system": system[:300],
        "code": code[:100],
        "display": display[:500],
        "effective": effective,
        "status": str(status or "")[:40],
    }


def _name(resource: dict[str, Any]) -> tuple[str, str]:
    names = [n for n in resource.get("name") or [] if isinstance(n, dict)]
    chosen = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
    given = " ".join(chosen.get("given") or [])[:100]
    return given, str(chosen.get("family") or "")[:100]


def _optional(resource: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for ext in resource.get("extension") or []:
        if ext.get("url") == _BIRTH_SEX and ext.get("valueCode") in ("M", "F"):
            out["sex_at_birth"] = "male" if ext["valueCode"] == "M" else "female"
    if "sex_at_birth" not in out and resource.get("gender") in ("male", "female"):
        # without US Core's birth sex, the administrative gender (what Waypoint serves as
        # Patient.gender, so the round trip meets itself)
        out["sex_at_birth"] = resource["gender"]
    phone = next((t for t in resource.get("telecom") or [] if t.get("system") == "phone"), None)
    if phone and phone.get("value"):
        out["phone"] = phone["value"]
    email = next((t for t in resource.get("telecom") or [] if t.get("system") == "email"), None)
    if email and email.get("value"):
        out["email"] = email["value"]
    address = next(iter(resource.get("address") or []), None)
    if address:
        lines = address.get("line") or []
        if lines:
            out["address_line1"] = lines[0]
        if len(lines) > 1:
            out["address_line2"] = ", ".join(lines[1:])
        for key, field in (("city", "city"), ("state", "state"), ("postalCode", "zip_code")):
            if address.get(key):
                out[field] = address[key]
    language = next(iter(resource.get("communication") or []), None)
    if language:
        concept = language.get("language") or {}
        coding = first_coding(concept)
        text = concept.get("text") or coding.get("display")
        if text:
            out["preferred_language"] = text
    return out


def patient_in(resource: dict[str, Any], site_code: str) -> PatientIn | str:
    """The registration of a FHIR Patient, or why it cannot be one (no name, no full date
    of birth). Optional demographics that Waypoint would refuse (a state spelt out, a phone
    number with letters) are left out rather than refusing the patient."""
    first, last = _name(resource)
    birth = resource.get("birthDate")
    if not first or not last:
        return "a Patient needs a given and a family name to become a Waypoint patient"
    if not isinstance(birth, str) or len(birth) != 10:
        return "a Patient needs a full birthDate (YYYY-MM-DD) to become a Waypoint patient"
    required = {"first_name": first, "last_name": last, "date_of_birth": birth, "site": site_code}
    try:
        PatientIn(**required)
    except ValidationError as exc:
        first_error = exc.errors()[0]
        where = ".".join(str(p) for p in first_error["loc"])
        return f"{where}: {first_error['msg']}"
    kept: dict[str, Any] = {}
    for key, value in _optional(resource).items():
        try:
            PatientIn(**required, **kept, **{key: value})
        except ValidationError:
            continue
        kept[key] = value
    return PatientIn(**required, **kept)
