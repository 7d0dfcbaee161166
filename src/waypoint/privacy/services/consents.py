"""Recording consents, their new versions, revocations and expiry events (42 CFR 2.31, 2.33).

A consent is never changed: a change is a new consent that names the one it supersedes (the
old one ends the moment the new one is recorded); a revocation or the expiry event is a
``ConsentEnd`` that acts from the moment it is recorded, never before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.clinical import privacy as rule
from waypoint.core.errors import Conflict, DomainError, NotFound
from waypoint.core.models import Organization, User
from waypoint.core.selectors import site_today
from waypoint.patients.selectors import patient_for_update

from .. import selectors, texts
from ..models import Consent, ConsentEnd
from ..schemas import ConsentIn, ExpiryEventIn, RevokeIn

if TYPE_CHECKING:
    from waypoint.core.actor import Actor


def _witness(actor: Actor, ref: int | str) -> User:
    qs = User.objects.filter(organization_id=actor.organization_id, is_active=True).exclude(role="")
    user = qs.filter(pk=ref).first() if isinstance(ref, int) else qs.filter(username=ref).first()
    if user is None:
        raise DomainError(
            "unknown_witness",
            "The witness must be an active staff member of this organization.",
            field="witness",
        )
    return user


def _refuse(exc: rule.PrivacyError, status: int = 422) -> DomainError:
    return DomainError(exc.code, exc.message, status=status, field=exc.field)


def consent_record(actor: Actor, patient_id: int, data: ConsentIn) -> Consent:
    """Record a consent the patient signed (or a new version of one). 422 with a code when
    it is not a valid Part 2 consent; 409 ``consent_not_active`` when the consent it would
    supersede has already ended."""
    actor.require("consent.record")
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        now = timezone.now()
        today = site_today(patient.site)
        witness = _witness(actor, data.witness) if data.witness not in (None, "") else None
        recipient = (
            rule.Recipient(data.recipient.name, data.recipient.organization)
            if data.recipient
            else None
        )
        try:
            rule.check_consent(
                purpose=data.purpose,
                categories=frozenset(data.categories),
                recipient=recipient,
                general_designation=data.general_designation or "",
                expires_on=data.expires_on,
                expiry_event=data.expiry_event,
                signed_on=data.signed_on,
                signature_method=data.signature_method,
                witness=witness is not None,
                signature_reference=data.signature_reference,
                today=today,
            )
        except rule.PrivacyError as exc:
            raise _refuse(exc) from exc
        previous = None
        if data.supersedes is not None:
            previous = (
                Consent.objects.select_for_update()
                .filter(pk=data.supersedes, organization_id=actor.organization_id, patient=patient)
                .first()
            )
            if previous is None:
                raise NotFound("consent of this patient")
            previous = selectors.consent_in_org(actor.organization_id, previous.pk)
            status = rule.consent_status(selectors.terms(previous), now, today)
            if status != rule.ACTIVE:
                raise Conflict(
                    "consent_not_active",
                    f"Consent {previous.pk} is {status}: only an active consent gets a new "
                    "version; record a new consent instead.",
                )
        org = Organization.objects.get(pk=actor.organization_id)
        try:
            with transaction.atomic():
                consent = Consent.objects.create(
                    organization_id=actor.organization_id,
                    patient=patient,
                    discloser=org.name,
                    recipient_name=recipient.name if recipient else "",
                    recipient_organization=recipient.organization if recipient else "",
                    general_designation=data.general_designation or "",
                    purpose=data.purpose,
                    purpose_detail=data.purpose_detail,
                    categories=[c for c in rule.CATEGORIES if c in data.categories],
                    expires_on=data.expires_on,
                    expiry_event=data.expiry_event,
                    signed_on=data.signed_on,
                    signature_method=data.signature_method,
                    signature_reference=data.signature_reference,
                    witness=witness,
                    language=data.language,
                    revocation_statement=texts.REVOCATION[data.language],
                    version=previous.version + 1 if previous else 1,
                    supersedes=previous,
                    recorded_by=actor.user,
                    recorded_at=now,
                )
        except IntegrityError as exc:  # two new versions of one consent at once
            raise Conflict(
                "consent_not_active", f"Consent {data.supersedes} was already superseded."
            ) from exc
        audit.record(
            actor,
            "create",
            "consent",
            consent.pk,
            patient_id=patient.pk,
            detail={
                "purpose": consent.purpose,
                "categories": consent.categories,
                "recipient": consent.recipient_name,
                "general_designation": consent.general_designation,
                "expires_on": data.expires_on.isoformat() if data.expires_on else None,
                "signature_method": consent.signature_method,
                "supersedes": previous.pk if previous else None,
            },
        )
    return selectors.consent_in_org(actor.organization_id, consent.pk)


def _end(actor: Actor, consent_id: int, kind: str, on, method: str, reference: str, note: str):
    with transaction.atomic():
        locked = (
            Consent.objects.select_for_update()
            .filter(pk=consent_id, organization_id=actor.organization_id)
            .first()
        )
        if locked is None:
            raise NotFound("consent")
        consent = selectors.consent_in_org(actor.organization_id, locked.pk)
        now = timezone.now()
        today = site_today(consent.patient.site)
        if on > today:
            raise DomainError("date_in_future", "That date is after today.", field="on")
        if on < consent.signed_on:
            raise DomainError(
                "date_before_signature",
                f"The consent was signed on {consent.signed_on.isoformat()}: that date is "
                "before it.",
                field="on",
            )
        if kind == "expiry_event" and not consent.expiry_event:
            raise Conflict("no_expiry_event", "This consent ends on a date, not at an event.")
        status = rule.consent_status(selectors.terms(consent), now, today)
        if status != rule.ACTIVE:
            raise Conflict(
                "consent_not_active",
                f"Consent {consent.pk} is already {status}: nothing to end.",
            )
        ConsentEnd.objects.create(
            organization_id=actor.organization_id,
            consent=consent,
            kind=kind,
            on=on,
            method=method,
            reference=reference,
            note=note,
            recorded_by=actor.user,
            at=now,
        )
        audit.record(
            actor,
            "revoke" if kind == "revoked" else "update",
            "consent",
            consent.pk,
            patient_id=consent.patient_id,
            detail={"ended": kind, "on": on.isoformat(), "method": method},
        )
    return selectors.consent_in_org(actor.organization_id, consent.pk)


def consent_revoke(actor: Actor, consent_id: int, data: RevokeIn) -> Consent:
    """The patient revoked the consent (in writing or aloud; staff record it). It acts from
    this moment on: disclosures made under it before stay lawful and in the accounting.
    409 ``consent_not_active`` when it had already ended."""
    actor.require("consent.revoke")
    return _end(actor, consent_id, "revoked", data.on, data.method, data.reference, data.note)


def consent_expiry_event(actor: Actor, consent_id: int, data: ExpiryEventIn) -> Consent:
    """The event the consent ends at happened (e.g. "when I leave treatment")."""
    actor.require("consent.revoke")
    return _end(actor, consent_id, "expiry_event", data.on, "", "", data.note)
