"""The gate of an outside recipient's reads (issue 20 item 2): every answer to a recipient's
token is a disclosure under 42 CFR Part 2, decided by the same rule as a disclosure a staff
member makes (``clinical.privacy.decide``, basis consent), with the token's recipient and
purpose.

``grant`` decides for one patient and the categories the answer would hold; a refusal
writes only its own audit event (``disclose_refused``, committed before the 403 is
raised, so the request failing does not undo it) and nothing else. ``notice`` is the §2.32
notice that travels with the answer: a ``meta`` extension on each resource
(``codes.PART2_NOTICE_EXTENSION``: the notice's text and version, and the consent). ``disclose``
records the answer exactly as sent: one ``privacy.Disclosure`` row (basis consent, the
notice, the SHA-256 of the body, record counts by category; ``by`` is the recipient's
system account) and its ``disclose`` audit event, in one transaction with the patient and
their consents locked and the rule asked again (a revocation recorded meanwhile wins).
The row is in the patient's accounting of disclosures like any other.

Call ``grant`` outside any transaction (the views do): its refusal event must commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.clinical import privacy as rule
from waypoint.core.selectors import site_today
from waypoint.patients.models import Patient
from waypoint.privacy import selectors as privacy
from waypoint.privacy.models import Consent, Disclosure

from . import codes
from .auth import Caller
from .outcome import FhirError
from .registry import make_id

OBJECT_TYPE = "fhir.disclosure"
CONSENT_PREFIX = "consent"  # resources/consent.py


@dataclass(frozen=True)
class Grant:
    """What the rule allowed: this recipient token may be sent these categories of this
    patient's records for its purpose, under this consent (decided at ``at``)."""

    token_id: int
    organization_id: int
    patient_id: int
    purpose: str
    categories: tuple[str, ...]  # in clinical.privacy.CATEGORIES order
    consent_id: int
    at: dt.datetime


def _request(caller: Caller, categories: set[str] | frozenset[str]) -> rule.DisclosureRequest:
    token = caller.recipient
    return rule.DisclosureRequest(
        recipient=rule.Recipient(token.recipient_name, token.recipient_organization),
        purpose=token.purpose,
        categories=frozenset(categories),
        basis=rule.CONSENT,
    )


def _decide(caller: Caller, patient: Patient, categories: set[str] | frozenset[str]):
    org = caller.recipient.organization_id
    now = timezone.now()
    decision = rule.decide(
        _request(caller, categories),
        [privacy.terms(c) for c in privacy.consents_of(org, patient.pk)],
        privacy.agreed_restrictions(org, patient.pk),
        [],  # a recipient's token never reads under a court order: a court order is
        # disclosed by the privacy officer, exactly its scope (privacy pages)
        now,
        site_today(patient.site),
    )
    return decision, now


def _refused(caller: Caller, patient_id: int, categories, decision: rule.Decision) -> FhirError:
    """Write the refusal's audit event in its own committed transaction; the 403 to raise."""
    token = caller.recipient
    with transaction.atomic():
        audit.record(
            caller.actor,
            "disclose_refused",
            OBJECT_TYPE,
            "",
            patient_id=patient_id,
            detail={
                "code": decision.code,
                "recipient": token.recipient_name,
                "recipient_organization": token.recipient_organization,
                "purpose": token.purpose,
                "categories": [c for c in rule.CATEGORIES if c in categories],
                "token": token.prefix,
            },
        )
    return FhirError(403, decision.code or "forbidden", decision.message)


def _patient(caller: Caller, patient_id: int, *, lock: bool = False) -> Patient:
    qs = Patient.objects.filter(organization_id=caller.recipient.organization_id).select_related(
        "site"
    )
    if lock:
        qs = qs.select_for_update()
    patient = qs.filter(pk=patient_id).first()
    if patient is None:
        raise FhirError(404, "not_found", f"Patient/{patient_id} is not known here.")
    return patient


def grant(caller: Caller, patient_id: int, categories: set[str]) -> Grant:
    """May the recipient be sent these categories of this patient's records? The privacy
    rule with the token's recipient and purpose, basis consent. 404 ``not_found`` for a
    patient of another organization (nothing written); refused: only the refusal's audit
    event is written (committed) and ``FhirError(403, <the rule's code>)`` is raised
    (``no_valid_consent``, ``restricted_by_patient_request``, ...)."""
    if not caller.is_recipient:
        raise FhirError(403, "forbidden", "Only an outside recipient's answer is a disclosure.")
    patient = _patient(caller, patient_id)
    decision, now = _decide(caller, patient, categories)
    if not decision.allowed or decision.consent_id is None:
        raise _refused(caller, patient.pk, categories, decision)
    token = caller.recipient
    return Grant(
        token_id=token.pk,
        organization_id=token.organization_id,
        patient_id=patient.pk,
        purpose=token.purpose,
        categories=decision.categories,
        consent_id=decision.consent_id,
        at=now,
    )


def notice(grant: Grant) -> dict[str, Any]:
    """The §2.32 notice for ``meta.extension`` of each resource of the answer (and of a
    searchset Bundle): its text, its version and the consent it was disclosed under."""
    consent_ref = make_id(CONSENT_PREFIX, grant.consent_id)
    return {
        "url": codes.PART2_NOTICE_EXTENSION,
        "extension": [
            {"url": "text", "valueString": rule.NOTICE},
            {"url": "version", "valueString": rule.NOTICE_VERSION},
            {"url": "consent", "valueReference": {"reference": f"Consent/{consent_ref}"}},
        ],
    }


def with_notice(resource: dict[str, Any], grant: Grant) -> dict[str, Any]:
    """``resource`` with the notice added to its ``meta.extension`` (in place)."""
    meta = resource.setdefault("meta", {})
    meta.setdefault("extension", []).append(notice(grant))
    return resource


def disclose(caller: Caller, grant: Grant, body: bytes, counts: dict[str, int]) -> None:
    """Record the answer as sent: a ``privacy.Disclosure`` (basis consent, the notice, the
    SHA-256 of ``body`` exactly as sent, ``counts`` by category) and its ``disclose`` audit
    event, in one transaction with the patient and their consents locked; the rule is asked
    again, so a consent revoked since ``grant`` refuses (its audit event committed, 403)."""
    token = caller.recipient
    if not caller.is_recipient or token.pk != grant.token_id:
        raise FhirError(403, "forbidden", "This grant is another caller's.")
    categories = set(grant.categories)
    with transaction.atomic():
        patient = _patient(caller, grant.patient_id, lock=True)
        list(
            Consent.objects.select_for_update().filter(
                organization_id=grant.organization_id, patient=patient
            )
        )
        decision, now = _decide(caller, patient, categories)
        allowed = decision.allowed and decision.consent_id is not None
        if allowed:
            sha = hashlib.sha256(body).hexdigest()
            sent = [c for c in rule.CATEGORIES if c in categories]
            d = Disclosure.objects.create(
                organization_id=grant.organization_id,
                patient=patient,
                at=now,
                by=token.account,
                recipient_name=token.recipient_name,
                recipient_organization=token.recipient_organization,
                purpose=token.purpose,
                categories=sent,
                basis=rule.CONSENT,
                consent_id=decision.consent_id,
                notice=rule.NOTICE,
                notice_version=rule.NOTICE_VERSION,
                package_sha256=sha,
                record_counts={c: int(counts.get(c, 0)) for c in sent},
            )
            audit.record(
                caller.actor,
                "disclose",
                "disclosure",
                d.pk,
                patient_id=patient.pk,
                detail={
                    "recipient": token.recipient_name,
                    "recipient_organization": token.recipient_organization,
                    "purpose": token.purpose,
                    "categories": sent,
                    "basis": rule.CONSENT,
                    "consent": d.consent_id,
                    "package_sha256": sha,
                    "channel": "fhir",
                    "token": token.prefix,
                },
            )
    if not allowed:
        raise _refused(caller, grant.patient_id, categories, decision)
