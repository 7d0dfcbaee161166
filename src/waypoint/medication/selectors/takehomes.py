"""Take-home eligibility: days in treatment, the factors in the record against take-homes,
the regulatory ceiling and what the active order authorizes."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from waypoint.assessments.models import Flag
from waypoint.audit import services as audit
from waypoint.care.models import Episode
from waypoint.clinical import takehome
from waypoint.core.selectors import site_today
from waypoint.patients.selectors import patient_ref

from ..limits import limits_for
from ..models import MedicationOrder, MissedDose
from .hooks import POSITIVE_TEST_COUNTERS

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.patients.models import Patient


def days_in_treatment_on(organization_id: int, patient_id: int, on: dt.date) -> int:
    """Continuous days in treatment on ``on``: from the admission of the episode open that
    day (day 1), else 0."""
    ep = (
        Episode.objects.filter(
            Q(discharged_on__isnull=True) | Q(discharged_on__gte=on),
            organization_id=organization_id,
            patient_id=patient_id,
            admitted_on__lte=on,
        )
        .order_by("-admitted_on")
        .first()
    )
    return takehome.days_in_treatment(ep.admitted_on if ep else None, on)


def factors_against_for(
    organization_id: int, patient_id: int, on: dt.date, limits: takehome.TakeHomeLimits
) -> list[takehome.Factor]:
    since_missed = on - dt.timedelta(limits.missed_visits_lookback_days)
    missed = MissedDose.objects.filter(
        organization_id=organization_id, patient_id=patient_id, day__gte=since_missed, day__lt=on
    ).count()
    since_div = timezone.now() - dt.timedelta(limits.diversion_lookback_days)
    diversion = Flag.objects.filter(
        organization_id=organization_id,
        patient_id=patient_id,
        kind="diversion_concern",
        raised_at__gte=since_div,
    ).count()
    since_pos = on - dt.timedelta(limits.positive_test_lookback_days)
    positives = sum(f(organization_id, patient_id, since_pos, on) for f in POSITIVE_TEST_COUNTERS)
    return takehome.factors_against(
        positive_tests=positives, missed_visits=missed, diversion_concerns=diversion, limits=limits
    )


def eligibility(organization_id: int, patient: Patient, on: dt.date) -> dict:
    """The take-home answer without an audit event (the caller audits: the API per call,
    the chart page once for the whole chart)."""
    _, limits = limits_for(organization_id)
    days = days_in_treatment_on(organization_id, patient.pk, on)
    ceiling = takehome.max_doses(days, limits)
    factors = factors_against_for(organization_id, patient.pk, on, limits)
    order = (
        MedicationOrder.objects.filter(
            organization_id=organization_id,
            patient=patient,
            family__in=("methadone", "buprenorphine"),
            stopped_at__isnull=True,
        )
        .order_by("-signed_at")
        .first()
    )
    authorized = order.take_home_max_doses if order and order.active_on(on) else 0
    return {
        "patient": patient.pk,
        "on": on,
        "days_in_treatment": days,
        "max_take_home_doses": ceiling,
        "tiers": [{"from_day": a, "max_doses": b} for a, b in limits.tiers],
        "factors_against": [asdict(f) for f in factors],
        "order": order.pk if order else None,
        "authorized_take_home_doses": min(authorized, ceiling),
        "eligible": ceiling > 0 and not factors and authorized > 0,
    }


def take_home_eligibility(actor: Actor, patient_id: int, on: dt.date | None = None) -> dict:
    """The regulatory ceiling on ``on`` (default the patient's site's today), the factors in
    the record against take-homes, and what the active order authorizes."""
    actor.require("medication.view")
    with transaction.atomic():
        patient = patient_ref(actor, patient_id)
        on = on or site_today(patient.site)
        answer = eligibility(actor.organization_id, patient, on)
        audit.record(
            actor,
            "read",
            "take_home_eligibility",
            "",
            patient_id=patient.pk,
            detail={"on": on.isoformat()},
        )
    return answer
