"""The accounting of disclosures (42 CFR 2.24, 2.25; HIPAA 164.528), the chart's Privacy
section and the privacy officer's board."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.clinical import privacy as rule
from waypoint.core.selectors import site_today
from waypoint.patients.selectors import patient_ref

from ..models import (
    BreakGlassAccess,
    Complaint,
    Consent,
    CourtOrder,
    Disclosure,
    NoticeAcknowledgement,
    RestrictedRecord,
    RestrictionRequest,
)
from .access import care_team, open_restriction
from .consents import consent_in_org, consent_rows, consents_of, court_orders_of

if TYPE_CHECKING:
    from waypoint.core.actor import Actor

EXPIRING_WITHIN_DAYS = 30
NOTICE_VERSION = "2026-02"  # the program's Part 2 notice (2.22) now in use


def disclosures_qs(organization_id: int, patient_id: int) -> QuerySet[Disclosure]:
    return (
        Disclosure.objects.filter(organization_id=organization_id, patient_id=patient_id)
        .select_related("by", "consent", "court_order")
        .prefetch_related("reviews")
        .order_by("-at", "-id")
    )


def accounting(actor: Actor, patient_id: int) -> list[Disclosure]:
    """Every disclosure of the patient's records, emergencies included, newest first. Rows
    are never deleted, so the accounting reaches back to the first disclosure (at least
    the three years 2.25 asks). Reading it is an audit event."""
    actor.require("privacy.view")
    with transaction.atomic():
        patient = patient_ref(actor, patient_id)
        rows = list(disclosures_qs(actor.organization_id, patient.pk))
        audit.record(
            actor,
            "read",
            "disclosure_accounting",
            patient.pk,
            patient_id=patient.pk,
            detail={"disclosures": len(rows)},
        )
    return rows


def consents_for(actor: Actor, patient_id: int) -> tuple[list, dt.date]:
    """The patient's consents, newest first, each with its status now (audited read)."""
    actor.require("privacy.view")
    with transaction.atomic():
        patient = patient_ref(actor, patient_id)
        today = site_today(patient.site)
        rows = consent_rows(consents_of(actor.organization_id, patient.pk), timezone.now(), today)
        audit.record(
            actor, "read", "consent", "", patient_id=patient.pk, detail={"consents": len(rows)}
        )
    return rows, today


def consent_get(actor: Actor, consent_id: int, *, view: str = ""):
    """One consent with its status now (audited read); 404 outside the organization."""
    actor.require("privacy.view")
    with transaction.atomic():
        c = consent_in_org(actor.organization_id, consent_id)
        row = consent_rows([c], timezone.now(), site_today(c.patient.site))[0]
        audit.record(
            actor,
            "read",
            "consent",
            c.pk,
            patient_id=c.patient_id,
            detail={"view": view} if view else None,
        )
    return row


def section(actor: Actor, patient) -> dict:
    """The chart's "Privacy" section (the chart's own read is the audit event)."""
    org = actor.organization_id
    now = timezone.now()
    today = site_today(patient.site)
    restriction = open_restriction(org, patient.pk)
    ctx = {
        "consents": consent_rows(consents_of(org, patient.pk), now, today),
        "disclosures": list(disclosures_qs(org, patient.pk)[:100]),
        "notices": list(
            NoticeAcknowledgement.objects.filter(organization_id=org, patient=patient)
            .select_related("recorded_by")
            .order_by("-received_on", "-id")
        ),
        "notice_version": NOTICE_VERSION,
        "requests": list(
            RestrictionRequest.objects.filter(organization_id=org, patient=patient).select_related(
                "decided_by"
            )
        ),
        "court_orders": list(court_orders_of(org, patient.pk)),
        "restriction": restriction,
        "today": today,
        "categories": [(c, rule.CATEGORY_LABELS[c]) for c in rule.CATEGORIES],
        "category_labels": rule.CATEGORY_LABELS,
        "restrict_reasons": RestrictedRecord.REASONS,
        "purposes": [(p, rule.PURPOSE_LABELS[p]) for p in rule.CONSENT_PURPOSES],
        "disclosure_purposes": [(p, rule.PURPOSE_LABELS[p]) for p in rule.DISCLOSURE_PURPOSES],
        "can_record_consent": actor.can("consent.record"),
        "can_revoke": actor.can("consent.revoke"),
        "can_disclose": actor.can("disclosure.make"),
        "can_emergency": actor.can("disclosure.emergency"),
        "can_court_order": actor.can("court_order.record"),
        "can_notice": actor.can("privacy.notice"),
        "can_request": actor.can("restriction_request.record"),
        "can_decide": actor.can("restriction_request.decide"),
        "can_restrict": actor.can("record.restrict"),
        "can_complain": actor.can("complaint.record"),
        "complaints": list(Complaint.objects.filter(organization_id=org, patient=patient)),
        "can_audit": actor.can("audit.view"),
    }
    if actor.can("consent.record"):
        from waypoint.core.models import User

        ctx["staff_list"] = list(
            User.objects.filter(organization_id=org, is_active=True)
            .exclude(role="")
            .order_by("last_name", "first_name", "username")
        )
    if actor.can("record.restrict"):
        from waypoint.core.models import User

        team = care_team(org, patient.pk, now)
        users = {u.pk: u for u in User.objects.filter(pk__in=team, organization_id=org)}
        ctx["care_team"] = [(users[uid], why) for uid, why in team.items() if uid in users]
        ctx["staff"] = list(
            User.objects.filter(organization_id=org, is_active=True)
            .exclude(role="")
            .order_by("last_name", "first_name", "username")
        )
    return ctx


def board(actor: Actor) -> dict:
    """The privacy officer's board: emergency disclosures and break-the-glass openings to
    review, consents expiring within 30 days, court orders, open complaints, restriction
    requests to decide, restricted records. One audit event names the patients shown."""
    actor.require("privacy.review")
    org = actor.organization_id
    now = timezone.now()
    emergencies = list(
        Disclosure.objects.filter(
            organization_id=org, basis="medical_emergency", review__isnull=True
        )
        .select_related("patient", "by")
        .order_by("at", "id")
    )
    openings = list(
        BreakGlassAccess.objects.filter(organization_id=org, review__isnull=True)
        .select_related("patient", "user")
        .order_by("at", "id")
    )
    horizon = now.date() + dt.timedelta(days=EXPIRING_WITHIN_DAYS + 1)
    candidates = (
        Consent.objects.filter(
            organization_id=org,
            expires_on__isnull=False,
            expires_on__gte=now.date() - dt.timedelta(days=1),
            expires_on__lte=horizon,
        )
        .select_related("patient", "patient__site")
        .prefetch_related("ends", "superseding")
        .order_by("expires_on", "id")
    )
    expiring: list[dict[str, Any]] = []
    days: dict[int, dt.date] = {}
    for c in candidates:
        day = days.setdefault(c.patient.site_id, site_today(c.patient.site))
        row = consent_rows([c], now, day)[0]
        ends = c.expires_on
        if (
            ends is not None
            and row.status == rule.ACTIVE
            and ends <= day + dt.timedelta(days=EXPIRING_WITHIN_DAYS)
        ):
            expiring.append({"row": row, "days_left": (ends - day).days})
    orders = list(
        CourtOrder.objects.filter(organization_id=org)
        .select_related("patient", "recorded_by")
        .order_by("-recorded_at")[:50]
    )
    complaints = list(
        Complaint.objects.filter(organization_id=org, status="open")
        .select_related("patient", "recorded_by")
        .order_by("received_on", "id")
    )
    requests = list(
        RestrictionRequest.objects.filter(organization_id=org, status="pending")
        .select_related("patient")
        .order_by("recorded_at", "id")
    )
    restricted = list(
        RestrictedRecord.objects.filter(organization_id=org, lifted_at__isnull=True)
        .select_related("patient", "marked_by")
        .order_by("marked_at")
    )
    shown = {
        *(d.patient_id for d in emergencies),
        *(o.patient_id for o in openings),
        *(e["row"].consent.patient_id for e in expiring),
        *(o.patient_id for o in orders),
        *(c.patient_id for c in complaints if c.patient_id),
        *(r.patient_id for r in requests),
        *(r.patient_id for r in restricted),
    }
    with transaction.atomic():
        audit.record(
            actor,
            "list",
            "privacy_board",
            "",
            patients=sorted(shown),
            detail={
                "view": "privacy_board",
                "emergencies": len(emergencies),
                "openings": len(openings),
                "expiring": len(expiring),
            },
        )
    return {
        "emergencies": emergencies,
        "openings": openings,
        "expiring": expiring,
        "expiring_days": EXPIRING_WITHIN_DAYS,
        "court_orders": orders,
        "complaints": complaints,
        "requests": requests,
        "restricted": restricted,
    }


def home_panel(actor: Actor, site) -> dict:
    """The privacy officer's home panel: how much waits for review (counts only, so no
    patient is named and nothing is audited)."""
    org = actor.organization_id
    return {
        "to_review": Disclosure.objects.filter(
            organization_id=org, basis="medical_emergency", review__isnull=True
        ).count()
        + BreakGlassAccess.objects.filter(organization_id=org, review__isnull=True).count(),
        "open_complaints": Complaint.objects.filter(organization_id=org, status="open").count(),
        "pending_requests": RestrictionRequest.objects.filter(
            organization_id=org, status="pending"
        ).count(),
    }
