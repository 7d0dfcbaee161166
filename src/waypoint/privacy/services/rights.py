"""The patient's side of Part 2: the notice received (2.22), restriction requests (2.26),
complaints (2.4); the court orders the privacy officer records (2.61-2.68); and the privacy
officer's reviews of emergency disclosures (2.51) and break-the-glass openings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.clinical import privacy as rule
from waypoint.core.errors import Conflict, DomainError, NotFound
from waypoint.core.selectors import locked_in_org, site_today
from waypoint.patients.selectors import patient_for_update, patient_ref

from .. import selectors
from ..models import (
    BreakGlassAccess,
    Complaint,
    CourtOrder,
    Disclosure,
    NoticeAcknowledgement,
    PrivacyReview,
    RestrictionRequest,
)
from ..schemas import (
    ComplaintIn,
    CourtOrderIn,
    DecisionIn,
    NoticeIn,
    ResolveIn,
    RestrictionRequestIn,
    ReviewIn,
)

if TYPE_CHECKING:
    from waypoint.core.actor import Actor


def _not_future(day, today, field: str) -> None:
    if day > today:
        raise DomainError("date_in_future", "That date is after today.", field=field)


def notice_record(actor: Actor, patient_id: int, data: NoticeIn) -> NoticeAcknowledgement:
    """The patient received the program's Part 2 notice (2.22): version, date, language."""
    actor.require("privacy.notice")
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        _not_future(data.received_on, site_today(patient.site), "received_on")
        row = NoticeAcknowledgement.objects.create(
            organization_id=actor.organization_id,
            patient=patient,
            version=data.version or selectors.NOTICE_VERSION,
            received_on=data.received_on,
            language=data.language,
            method=data.method,
            recorded_by=actor.user,
            recorded_at=timezone.now(),
        )
        audit.record(
            actor,
            "create",
            "privacy_notice",
            row.pk,
            patient_id=patient.pk,
            detail={"version": row.version, "received_on": data.received_on.isoformat()},
        )
    return row


def restriction_request_record(
    actor: Actor, patient_id: int, data: RestrictionRequestIn
) -> RestrictionRequest:
    """A patient asks to restrict disclosures (2.26); it waits for the privacy officer."""
    actor.require("restriction_request.record")
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        _not_future(data.requested_on, site_today(patient.site), "requested_on")
        row = RestrictionRequest.objects.create(
            organization_id=actor.organization_id,
            patient=patient,
            requested_on=data.requested_on,
            recipient_name=data.recipient.name if data.recipient else "",
            recipient_organization=data.recipient.organization if data.recipient else "",
            purposes=list(data.purposes),
            categories=[c for c in rule.CATEGORIES if c in data.categories],
            to_health_plan=data.to_health_plan,
            paid_in_full=data.paid_in_full,
            detail=data.detail,
            recorded_by=actor.user,
            recorded_at=timezone.now(),
        )
        audit.record(
            actor,
            "create",
            "restriction_request",
            row.pk,
            patient_id=patient.pk,
            detail={"purposes": row.purposes, "categories": row.categories},
        )
    return row


def restriction_request_decide(
    actor: Actor, request_id: int, data: DecisionIn
) -> RestrictionRequest:
    """Agree (the disclosure rule enforces it from now on) or deny. 409 ``already_decided``;
    409 ``restriction_must_be_agreed`` for a denial the law does not allow (a health plan,
    payment or operations, care paid in full: 45 CFR 164.522(a)(1)(vi))."""
    actor.require("restriction_request.decide")
    with transaction.atomic():
        row = locked_in_org(RestrictionRequest, request_id, actor.organization_id, "request")
        if row.status != "pending":
            raise Conflict("already_decided", f"This request was already {row.status}.")
        if not data.agree and rule.must_agree_to_restriction(
            set(row.purposes), row.to_health_plan, row.paid_in_full
        ):
            raise Conflict(
                "restriction_must_be_agreed",
                "A request to keep records from a health plan, for payment or operations, "
                "about care the patient paid for in full must be agreed to (45 CFR "
                "164.522(a)(1)(vi), 42 CFR 2.26).",
            )
        row.status = "agreed" if data.agree else "denied"
        row.decided_by, row.decided_at, row.decision_note = actor.user, timezone.now(), data.note
        row.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit.record(
            actor,
            "update",
            "restriction_request",
            row.pk,
            patient_id=row.patient_id,
            detail={"status": row.status},
        )
    return row


def complaint_record(actor: Actor, data: ComplaintIn) -> Complaint:
    actor.require("complaint.record")
    with transaction.atomic():
        patient = patient_ref(actor, data.patient) if data.patient is not None else None
        site = patient.site if patient else actor.user.site
        if site is not None:
            _not_future(data.received_on, site_today(site), "received_on")
        row = Complaint.objects.create(
            organization_id=actor.organization_id,
            patient=patient,
            received_on=data.received_on,
            complainant=data.complainant,
            summary=data.summary,
            recorded_by=actor.user,
            recorded_at=timezone.now(),
        )
        audit.record(
            actor,
            "create",
            "privacy_complaint",
            row.pk,
            patient_id=patient.pk if patient else None,
        )
    return row


def complaint_resolve(actor: Actor, complaint_id: int, data: ResolveIn) -> Complaint:
    actor.require("privacy.review")
    with transaction.atomic():
        row = locked_in_org(Complaint, complaint_id, actor.organization_id, "complaint")
        if row.status == "resolved":
            raise Conflict("already_resolved", "This complaint was already answered.")
        row.status, row.resolution = "resolved", data.resolution
        row.resolved_by, row.resolved_at = actor.user, timezone.now()
        row.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
        audit.record(actor, "update", "privacy_complaint", row.pk, patient_id=row.patient_id)
    return row


def court_order_record(actor: Actor, patient_id: int, data: CourtOrderIn) -> CourtOrder:
    """The privacy officer records a court order (2.64-2.67) with its findings and scope;
    disclosures for legal proceedings or law enforcement are then allowed within it only."""
    actor.require("court_order.record")
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        _not_future(data.order_date, site_today(patient.site), "order_date")
        if data.valid_until is not None and data.valid_until < data.order_date:
            raise DomainError(
                "invalid_date", "The order cannot end before its date.", field="valid_until"
            )
        row = CourtOrder.objects.create(
            organization_id=actor.organization_id,
            patient=patient,
            court=data.court,
            case_number=data.case_number,
            order_date=data.order_date,
            findings=data.findings,
            recipient_name=data.recipient.name,
            recipient_organization=data.recipient.organization,
            purposes=list(data.purposes),
            categories=[c for c in rule.CATEGORIES if c in data.categories],
            valid_until=data.valid_until,
            reference=data.reference,
            recorded_by=actor.user,
            recorded_at=timezone.now(),
        )
        audit.record(
            actor,
            "create",
            "court_order",
            row.pk,
            patient_id=patient.pk,
            detail={"court": row.court, "purposes": row.purposes, "categories": row.categories},
        )
    return row


def review(actor: Actor, kind: str, item_id: int, data: ReviewIn) -> PrivacyReview:
    """The privacy officer reviews an emergency disclosure (``kind="disclosure"``) or a
    break-the-glass opening (``kind="access"``). 409 ``already_reviewed``; 409
    ``nothing_to_review`` for a disclosure that is not an emergency one."""
    actor.require("privacy.review")
    with transaction.atomic():
        disclosure: Disclosure | None = None
        access: BreakGlassAccess | None = None
        if kind == "disclosure":
            disclosure = locked_in_org(Disclosure, item_id, actor.organization_id, "disclosure")
            if disclosure.basis != rule.MEDICAL_EMERGENCY:
                raise Conflict("nothing_to_review", "Only emergency disclosures wait for a review.")
            done = PrivacyReview.objects.filter(disclosure=disclosure).exists()
        elif kind == "access":
            access = locked_in_org(BreakGlassAccess, item_id, actor.organization_id, "opening")
            done = PrivacyReview.objects.filter(access=access).exists()
        else:
            raise NotFound("review item")
        item = disclosure if disclosure is not None else access
        assert item is not None  # one of the two was found above (else 404)
        if done:
            raise Conflict("already_reviewed", "This was already reviewed.")
        row = PrivacyReview.objects.create(
            organization_id=actor.organization_id,
            disclosure=disclosure,
            access=access,
            outcome=data.outcome,
            note=data.note,
            by=actor.user,
            at=timezone.now(),
        )
        audit.record(
            actor,
            "review",
            "privacy_review",
            row.pk,
            patient_id=item.patient_id,
            detail={"item": kind, "id": item.pk, "outcome": data.outcome},
        )
    return row
