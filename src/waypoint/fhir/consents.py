"""A FHIR R4 Consent read as a Waypoint 42 CFR Part 2 consent (issue 20): for the import
(``POST /fhir/r4/``, ``waypoint fhir import``), which records the result with
``privacy.services.consents.consent_record`` (the rule ``clinical.privacy.check_consent``
then judges it as for any consent typed in).

A Consent becomes a Part 2 consent only when it says, explicitly, what 42 CFR 2.31(a)
needs; anything else is refused with ``FhirError(422, "consent_not_part2", <why>)`` and
nothing is guessed. In order:

1. it validates as an R4 Consent (else ``fhir_invalid_resource``);
2. ``status`` is ``active`` (a draft, a rejected or an ended consent permits nothing now);
3. ``scope`` is patient-privacy (a research or treatment consent is not a disclosure);
4. it is not an opt-out (``policyRule`` OPTOUT) and its provision is one ``permit``
   without nested exceptions (R4 leaves a missing ``type`` to the base policy; a ``deny``
   withholds);
5. it names the recipient (role PRCP or IRCP, by name: ``reference.display``) or the
   general designation "treating providers" (2.31(a)(4));
6. a purpose Waypoint knows (its own code, else the v3 ActReason purposes of use: TREAT,
   HPAYMT, HOPERAT, HRESCH; all three of TPO together are TPO) (2.31(a)(5));
7. which records: ``provision.code`` in ``codes.PART2_CATEGORY_SYSTEM`` (2.31(a)(3));
8. the signature: the day (``dateTime``) and how (our extension; else a signed document
   attached or referred to, ``sourceAttachment`` / ``sourceReference``, kept as a paper
   signature whose reference is that document) (2.31(a)(8)).

The expiry is ``provision.period.end`` or our extension's expiry event (2.31(a)(6)).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationError

from waypoint.privacy.schemas import ConsentIn

from . import codes
from .outcome import FhirError

ACT_REASON_PURPOSE = {
    ("TREAT",): "treatment",
    ("HPAYMT",): "payment",
    ("HOPERAT",): "health_care_operations",
    ("HRESCH",): "research",
    ("HOPERAT", "HPAYMT", "TREAT"): "tpo",
}


def _refuse(reason: str) -> FhirError:
    return FhirError(
        422, "consent_not_part2", f"This Consent cannot be a 42 CFR Part 2 consent: {reason}."
    )


def _codes(concept: dict[str, Any] | None, system: str) -> list[str]:
    return [
        c.get("code", "")
        for c in (concept or {}).get("coding", [])
        if c.get("system") == system and c.get("code")
    ]


def _validate(resource: dict[str, Any]) -> None:
    from fhir.resources.R4B.consent import Consent

    if not isinstance(resource, dict) or resource.get("resourceType") != "Consent":
        raise FhirError(422, "fhir_invalid_resource", "Not a Consent resource.")
    try:
        Consent.model_validate(resource)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first.get("loc", ()))
        raise FhirError(
            422, "fhir_invalid_resource", f"Not a valid R4 Consent: {where}: {first['msg']}"
        ) from None


def _ours(resource: dict[str, Any]) -> dict[str, Any]:
    """The sub-extensions of our extension, by url (empty when the Consent has none)."""
    for ext in resource.get("extension", []):
        if ext.get("url") == codes.PART2_CONSENT_EXTENSION:
            out: dict[str, Any] = {}
            for part in ext.get("extension", []):
                value = [v for k, v in part.items() if k.startswith("value")]
                if value:
                    out[part.get("url", "")] = value[0]
            return out
    return {}


def _recipient(provision: dict[str, Any]) -> tuple[dict[str, str] | None, str]:
    """(the recipient {name, organization}, or None; the general designation, or "")."""
    name, organization = "", ""
    for actor in provision.get("actor", []):
        role = actor.get("role", {})
        if not any(r in codes.RECIPIENT_ROLES for r in _codes(role, codes.PARTICIPATION_TYPE)):
            continue
        ref = actor.get("reference", {})
        ident = ref.get("identifier", {})
        if ident.get("system") == codes.GENERAL_DESIGNATION_SYSTEM:
            if ident.get("value") != "treating_providers":
                raise _refuse(f"unknown general designation {ident.get('value')!r}")
            return None, "treating_providers"
        display = " ".join(str(ref.get("display", "")).split())
        if not display:
            continue
        if ref.get("type") == "Organization" and not organization:
            organization = display
        elif not name:
            name = display
    if not name and organization:
        name, organization = organization, ""
    if not name:
        raise _refuse(
            "it names no recipient by name (a provision actor with role PRCP or IRCP and a "
            "display), as 42 CFR 2.31(a)(4) requires"
        )
    return {"name": name[:200], "organization": organization[:200]}, ""


def _purpose(provision: dict[str, Any]) -> str:
    purposes = provision.get("purpose", [])
    ours = [p.get("code") for p in purposes if p.get("system") == codes.CONSENT_PURPOSE_SYSTEM]
    if ours:
        return str(ours[0])
    reasons = tuple(
        sorted({p.get("code", "") for p in purposes if p.get("system") == codes.ACT_REASON})
    )
    if reasons in ACT_REASON_PURPOSE:
        return ACT_REASON_PURPOSE[reasons]
    if not purposes:
        raise _refuse("it states no purpose (provision.purpose; 42 CFR 2.31(a)(5))")
    got = ", ".join(str(p.get("code")) for p in purposes)
    raise _refuse(f"its purpose ({got}) is not one Waypoint records")


def _day(value: Any, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise _refuse(f"{what} {value!r} is not a date") from None


def consent_from_fhir(resource: dict[str, Any]) -> ConsentIn:
    """The Waypoint consent a FHIR Consent states, or ``FhirError(422, "consent_not_part2",
    <why>)`` (``fhir_invalid_resource`` for one that is not a valid R4 Consent)."""
    _validate(resource)
    status = resource.get("status")
    if status != "active":
        raise _refuse(f"its status is {status!r}, not active")
    if "patient-privacy" not in _codes(resource.get("scope"), codes.CONSENT_SCOPE):
        raise _refuse("its scope is not patient-privacy (a consent to disclose records)")
    if "OPTOUT" in _codes(resource.get("policyRule"), codes.ACT_CODE):
        raise _refuse("it is an opt-out (policyRule OPTOUT): it withholds, it permits nothing")
    provision = resource.get("provision") or {}
    if provision.get("type") == "deny":
        raise _refuse("its provision denies (type deny): it permits nothing")
    if provision.get("type") != "permit":
        raise _refuse(
            "its provision does not say it permits (provision.type permit): in R4 the base "
            "policy then decides, and a Part 2 consent must permit explicitly"
        )
    if provision.get("provision"):
        raise _refuse("its provision has nested exceptions, which Waypoint does not keep")
    recipient, designation = _recipient(provision)
    purpose = _purpose(provision)
    categories = [
        code for c in provision.get("code", []) for code in _codes(c, codes.PART2_CATEGORY_SYSTEM)
    ]
    if not categories:
        raise _refuse(
            "it does not say which records (provision.code in "
            f"{codes.PART2_CATEGORY_SYSTEM}; 42 CFR 2.31(a)(3))"
        )
    if not resource.get("dateTime"):
        raise _refuse("it has no date of signature (dateTime)")
    signed_on = _day(resource["dateTime"], "dateTime")
    ours = _ours(resource)
    method = str(ours.get("signatureMethod", ""))
    reference = str(ours.get("signatureReference", ""))
    if not method:
        source = resource.get("sourceAttachment") or {}
        source_ref = (resource.get("sourceReference") or {}).get("reference", "")
        reference = str(source.get("url") or source.get("title") or source_ref or "")
        if not reference:
            raise _refuse(
                "it holds no signature: neither Waypoint's signature extension nor the signed "
                "document (sourceAttachment or sourceReference; 42 CFR 2.31(a)(8))"
            )
        method = "wet"
    period = provision.get("period") or {}
    data: dict[str, Any] = {
        "recipient": recipient,
        "general_designation": designation or None,
        "purpose": purpose,
        "purpose_detail": str(ours.get("purposeDetail", "")),
        "categories": categories,
        "expires_on": _day(period["end"], "provision.period.end") if period.get("end") else None,
        "expiry_event": str(ours.get("expiryEvent", "")),
        "signed_on": signed_on,
        "signature_method": method,
        "witness": ours.get("witness") or None,
        "signature_reference": reference[:200],
        "language": resource.get("language") if resource.get("language") in ("en", "es") else "en",
    }
    try:
        return ConsentIn(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first.get("loc", ()))
        raise _refuse(f"{where}: {first['msg']}") from None
