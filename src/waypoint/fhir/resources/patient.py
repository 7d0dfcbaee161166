"""Patient (issue 20 item 1): the registry's record, id = the patient's pk (as the JSON
API). Identifier: the MRN within its organization (``codes.MRN_SYSTEM``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from waypoint.patients.models import Patient
from waypoint.patients.names import fold

from .. import codes
from ..registry import Provider, Query
from .base import ModelProvider

# Patient.gender is the administrative gender (FHIR's value set); the registry keeps the
# sex assigned at birth, the nearest value it has: intersex is "other".
GENDER = {"female": "female", "male": "male", "intersex": "other", "unknown": "unknown"}


class PatientProvider(ModelProvider):
    resource_type = "Patient"
    prefix = ""
    permission = "patient.view"
    category = "demographics"
    search_params: tuple[str, ...] = ("name", "identifier", "birthdate")
    patient_field = "pk"
    date_field = "date_of_birth"
    date_moments = False
    order = ("last_name_key", "first_name_key", "pk")

    def rows(self, organization_id: int) -> QuerySet[Patient]:
        return Patient.objects.filter(organization_id=organization_id)

    def filtered(self, organization_id: int, q: Query) -> QuerySet[Any]:
        # a Patient's "date" is its birthdate (the search parameter birthdate=)
        qs = super().filtered(organization_id, q)
        for word in q.name.split():
            term = fold(word)
            qs = qs.filter(
                Q(last_name_key__startswith=term)
                | Q(first_name_key__startswith=term)
                | Q(preferred_name__istartswith=word)
            )
        identifier = q.extra.get("identifier")
        if identifier:
            system, bar, value = identifier.rpartition("|")
            if bar and system != codes.MRN_SYSTEM:
                return qs.none()
            qs = qs.filter(mrn=value if bar else identifier)
        return qs

    def patient_of(self, row: Any) -> int | None:
        return row.pk

    def resource(self, p: Patient) -> dict[str, Any]:
        names: list[dict[str, Any]] = [
            {"use": "official", "family": p.last_name, "given": [p.first_name]}
        ]
        if p.preferred_name:
            names.append({"use": "usual", "given": [p.preferred_name]})
        body: dict[str, Any] = {
            "identifier": [{"system": codes.MRN_SYSTEM, "value": p.mrn}],
            "active": True,
            "name": names,
            "gender": GENDER.get(p.sex_at_birth, "unknown"),
            "birthDate": p.date_of_birth.isoformat(),
        }
        telecom = [
            {"system": system, "value": value}
            for system, value in (("phone", p.phone), ("email", p.email))
            if value
        ]
        if telecom:
            body["telecom"] = telecom
        lines = [x for x in (p.address_line1, p.address_line2) if x]
        if lines or p.city or p.state or p.zip_code:
            address: dict[str, Any] = {"use": "home"}
            if lines:
                address["line"] = lines
            for key, value in (("city", p.city), ("state", p.state), ("postalCode", p.zip_code)):
                if value:
                    address[key] = value
            body["address"] = [address]
        if p.preferred_language:
            body["communication"] = [{"language": {"text": p.preferred_language}}]
        return body


def providers() -> list[Provider]:
    return [PatientProvider()]
