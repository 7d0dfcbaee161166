"""Consent (issue 20): a patient's 42 CFR Part 2 consent as a FHIR R4 Consent, prefix
``consent``. Staff read it with ``privacy.view``; an outside recipient may not (the views
answer 403).

The shape (``consents.consent_from_fhir`` reads it back to the same terms):

- ``status`` from ``clinical.privacy.consent_status`` now: active -> ``active``, pending ->
  ``proposed``, revoked / expired / superseded -> ``inactive``;
- ``scope`` patient-privacy; ``category`` LOINC 59284-0 "Patient Consent";
- ``policyRule`` v3-ActCode ``42CFRPart2`` and ``policy`` 42 CFR 2.31;
- ``dateTime`` the day it was signed; ``organization`` who may disclose (by name);
- one ``provision`` of type ``permit``: ``period`` signed day to expiry date, ``actor`` the
  recipient (role PRCP: the name, and its organization as a second actor of type
  Organization) or the general designation "treating providers", ``purpose`` the v3
  ActReason purposes of use with Waypoint's own purpose code, ``code`` the categories of
  records (``codes.PART2_CATEGORY_SYSTEM``);
- the extension ``codes.PART2_CONSENT_EXTENSION``: signature method and reference, the
  witness's username, the expiry event, the purpose's detail, the version;
- ``language`` the language the patient was given the consent in.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from waypoint.clinical import privacy as rule
from waypoint.core.selectors import site_today
from waypoint.privacy import selectors as privacy
from waypoint.privacy.models import Consent

from .. import codes
from ..registry import Provider
from .base import ModelProvider, ref

FHIR_STATUS = {
    rule.ACTIVE: "active",
    rule.PENDING: "proposed",
    rule.REVOKED: "inactive",
    rule.EXPIRED: "inactive",
    rule.SUPERSEDED: "inactive",
}
ORGANIZATION = "Organization"


def _concept(system: str, code: str, display: str = "") -> dict[str, Any]:
    coding = {"system": system, "code": code, **({"display": display} if display else {})}
    return {"coding": [coding]}


def _actors(c: Consent) -> list[dict[str, Any]]:
    role = _concept(codes.PARTICIPATION_TYPE, "PRCP", "primary information recipient")
    if c.general_designation:
        return [
            {
                "role": role,
                "reference": {
                    "identifier": {
                        "system": codes.GENERAL_DESIGNATION_SYSTEM,
                        "value": c.general_designation,
                    },
                    "display": "My treating providers",
                },
            }
        ]
    out = [{"role": role, "reference": {"display": c.recipient_name}}]
    if c.recipient_organization:
        out.append(
            {"role": role, "reference": {"type": ORGANIZATION, "display": c.recipient_organization}}
        )
    return out


def _purposes(c: Consent) -> list[dict[str, Any]]:
    out = [
        {"system": codes.ACT_REASON, "code": code}
        for code in codes.PURPOSE_OF_USE.get(c.purpose, ())
    ]
    out.append(
        {"system": codes.CONSENT_PURPOSE_SYSTEM, "code": c.purpose, "display": c.purpose_label}
    )
    return out


def _extension(c: Consent) -> dict[str, Any]:
    parts: list[dict[str, Any]] = [
        {"url": "signatureMethod", "valueCode": c.signature_method},
        {"url": "version", "valueInteger": c.version},
    ]
    if c.signature_reference:
        parts.append({"url": "signatureReference", "valueString": c.signature_reference})
    if c.witness is not None:
        parts.append({"url": "witness", "valueString": c.witness.username})
    if c.expiry_event:
        parts.append({"url": "expiryEvent", "valueString": c.expiry_event})
    if c.purpose_detail:
        parts.append({"url": "purposeDetail", "valueString": c.purpose_detail})
    return {"url": codes.PART2_CONSENT_EXTENSION, "extension": parts}


def consent_resource(c: Consent, status: str) -> dict[str, Any]:
    """The FHIR Consent of ``c`` (without ``id`` and ``meta``), its status being ``status``
    (``clinical.privacy.consent_status``)."""
    period = {"start": c.signed_on.isoformat()}
    if c.expires_on:
        period["end"] = c.expires_on.isoformat()
    return {
        "language": c.language,
        "extension": [_extension(c)],
        "status": FHIR_STATUS[status],
        "scope": _concept(codes.CONSENT_SCOPE, "patient-privacy", "Privacy Consent"),
        "category": [_concept(codes.LOINC, *codes.CONSENT_LOINC)],
        "patient": ref(c.patient_id),
        "dateTime": c.signed_on.isoformat(),
        "organization": [{"display": c.discloser}],
        "policy": [{"uri": codes.PART2_SECTION_231}],
        "policyRule": _concept(codes.ACT_CODE, "42CFRPart2", "42 CFR Part2"),
        "provision": {
            "type": "permit",
            "period": period,
            "actor": _actors(c),
            "purpose": _purposes(c),
            "code": [
                _concept(codes.PART2_CATEGORY_SYSTEM, cat, rule.CATEGORY_LABELS[cat])
                for cat in rule.CATEGORIES
                if cat in c.categories
            ],
        },
    }


class ConsentProvider(ModelProvider):
    resource_type = "Consent"
    prefix = "consent"
    permission = "privacy.view"
    category = "demographics"
    search_params: tuple[str, ...] = ("patient", "date")
    date_field = "signed_on"
    date_moments = False
    order = ("-recorded_at", "-pk")

    def rows(self, organization_id: int) -> QuerySet[Consent]:
        return (
            Consent.objects.filter(organization_id=organization_id)
            .select_related("patient__site", "witness")
            .prefetch_related("ends", "superseding")
        )

    def resource(self, c: Consent) -> dict[str, Any]:
        status = rule.consent_status(privacy.terms(c), timezone.now(), site_today(c.patient.site))
        return consent_resource(c, status)


def providers() -> list[Provider]:
    return [ConsentProvider()]
