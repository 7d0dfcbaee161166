"""Disclosing records: under consent, in a medical emergency, or under a court order.

The pure rule (``clinical.privacy.decide``) decides; the package holds the §2.32 notice,
the description of the consent's scope, whose records they are, and only the categories
asked for and covered, built from the real records; the disclosure row (with the SHA-256 of
the package exactly as sent) and its audit event are written in one transaction. A refusal
writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.clinical import privacy as rule
from waypoint.core.errors import DomainError, NotFound
from waypoint.core.models import Organization
from waypoint.core.selectors import site_today
from waypoint.patients.selectors import patient_for_update

from .. import selectors
from ..models import Consent, CourtOrder, Disclosure
from ..schemas import DisclosureIn

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.patients.models import Patient

ACTION_FOR_BASIS = {
    "consent": "disclosure.make",
    "medical_emergency": "disclosure.emergency",
    "court_order": "court_order.record",
}
# a refusal of the rule, as an HTTP status: not allowed (403) or a missing detail (422)
STATUS_FOR_CODE = {"emergency_details_required": 422}


@dataclass
class Prepared:
    patient: Patient
    decision: rule.Decision
    package: dict[str, Any]
    consent: Consent | None
    court_order: CourtOrder | None
    at: dt.datetime
    disclosure: Disclosure | None = None  # once made


def _named(actor: Actor, model, pk: int | None, patient: Patient, what: str):
    """The consent or court order the request names: 404 outside the organization; a
    record of another patient is kept out of the rule (so it covers nothing)."""
    if pk is None:
        return None, None
    row = model.objects.filter(pk=pk, organization_id=actor.organization_id).first()
    if row is None:
        raise NotFound(what)
    return row, row.patient_id == patient.pk


def _scope(consent: Consent | None) -> dict | None:
    """2.32: the notice goes with the consent or a clear description of its scope."""
    if consent is None:
        return None
    return {
        "id": consent.pk,
        "version": consent.version,
        "purpose": consent.purpose,
        "categories": consent.categories,
        "recipient": {
            "name": consent.recipient_name,
            "organization": consent.recipient_organization,
        },
        "general_designation": consent.general_designation,
        "signed_on": consent.signed_on.isoformat(),
        "expires_on": consent.expires_on.isoformat() if consent.expires_on else None,
        "expiry_event": consent.expiry_event,
    }


def _prepare(actor: Actor, patient_id: int, data: DisclosureIn) -> Prepared:
    """Decide and build the package (inside the caller's transaction, with the patient and
    their consents locked, so a revocation recorded at the same moment is either before
    this disclosure or after it, never half)."""
    actor.require(ACTION_FOR_BASIS[data.basis])
    patient = patient_for_update(actor, patient_id)
    org = actor.organization_id
    now = timezone.now()
    today = site_today(patient.site)
    list(Consent.objects.select_for_update().filter(organization_id=org, patient=patient))
    named_consent, consent_is_theirs = _named(actor, Consent, data.consent, patient, "consent")
    named_order, order_is_theirs = _named(
        actor, CourtOrder, data.court_order, patient, "court order"
    )
    consents = [selectors.terms(c) for c in selectors.consents_of(org, patient.pk)]
    orders = [selectors.order_terms(o) for o in selectors.court_orders_of(org, patient.pk)]
    emergency = data.emergency
    request = rule.DisclosureRequest(
        recipient=rule.Recipient(
            data.recipient.name, data.recipient.organization, data.recipient.treating_provider
        ),
        purpose=data.purpose,
        categories=frozenset(data.categories),
        basis=data.basis,
        consent_id=data.consent,
        court_order_id=data.court_order,
        emergency_nature=emergency.nature if emergency else "",
        emergency_facility=emergency.facility if emergency else "",
    )
    decision = rule.decide(
        request, consents, selectors.agreed_restrictions(org, patient.pk), orders, now, today
    )
    if not decision.allowed:
        message = decision.message
        if named_consent is not None and not consent_is_theirs:
            message = f"Refused: consent {named_consent.pk} is another patient's consent."
        if named_order is not None and not order_is_theirs:
            message = f"Refused: court order {named_order.pk} is about another patient."
        raise DomainError(decision.code, message, status=STATUS_FOR_CODE.get(decision.code, 403))
    consent = selectors.consent_in_org(org, decision.consent_id) if decision.consent_id else None
    order = CourtOrder.objects.get(pk=decision.court_order_id) if decision.court_order_id else None
    package = {
        "notice": rule.NOTICE,
        "notice_version": rule.NOTICE_VERSION,
        "disclosed_by": Organization.objects.get(pk=org).name,
        "disclosed_at": now.isoformat(),
        "recipient": {"name": data.recipient.name, "organization": data.recipient.organization},
        "purpose": data.purpose,
        "basis": data.basis,
        "consent": _scope(consent),
        "court_order": (
            {"id": order.pk, "court": order.court, "order_date": order.order_date.isoformat()}
            if order
            else None
        ),
        "emergency": (
            {"nature": request.emergency_nature, "facility": request.emergency_facility}
            if data.basis == rule.MEDICAL_EMERGENCY
            else None
        ),
        # whose records these are (the least that identifies them to the recipient)
        "patient": {
            "name": f"{patient.first_name} {patient.last_name}",
            "date_of_birth": patient.date_of_birth.isoformat(),
        },
        "records": selectors.build_records(org, patient, decision.categories),
    }
    return Prepared(patient, decision, package, consent, order, now)


def disclosure_preview(actor: Actor, patient_id: int, data: DisclosureIn) -> Prepared:
    """What a disclosure would send, and the notice, before it is sent (the page shows it
    and asks to confirm). Refused exactly as the disclosure would be; the staff member's
    look at the package is a read of the record, so it is an audit event."""
    with transaction.atomic():
        prepared = _prepare(actor, patient_id, data)
        audit.record(
            actor,
            "read",
            "disclosure_preview",
            "",
            patient_id=prepared.patient.pk,
            detail={
                "recipient": data.recipient.name,
                "purpose": data.purpose,
                "categories": list(prepared.decision.categories),
                "basis": data.basis,
            },
        )
    return prepared


def disclosure_make(actor: Actor, patient_id: int, data: DisclosureIn) -> Prepared:
    """Disclose: 201 with the package; 403 ``no_valid_consent``, ``court_order_required``,
    ``restricted_by_patient_request``, ``counseling_notes_need_own_consent``, 422
    ``emergency_details_required``; nothing is written on a refusal."""
    with transaction.atomic():
        p = _prepare(actor, patient_id, data)
        sha = selectors.sha256(p.package)
        d = Disclosure.objects.create(
            organization_id=actor.organization_id,
            patient=p.patient,
            at=p.at,
            by=actor.user,
            recipient_name=data.recipient.name,
            recipient_organization=data.recipient.organization,
            purpose=data.purpose,
            categories=list(p.decision.categories),
            basis=data.basis,
            consent=p.consent,
            court_order=p.court_order,
            emergency_nature=(p.package["emergency"] or {}).get("nature", ""),
            emergency_facility=(p.package["emergency"] or {}).get("facility", ""),
            notice=rule.NOTICE,
            notice_version=rule.NOTICE_VERSION,
            package_sha256=sha,
            record_counts={c: len(v) for c, v in p.package["records"].items()},
        )
        audit.record(
            actor,
            "disclose",
            "disclosure",
            d.pk,
            patient_id=p.patient.pk,
            detail={
                "recipient": data.recipient.name,
                "recipient_organization": data.recipient.organization,
                "purpose": data.purpose,
                "categories": d.categories,
                "basis": d.basis,
                "consent": d.consent_id,
                "court_order": d.court_order_id,
                "package_sha256": sha,
            },
        )
    p.disclosure = d
    return p
