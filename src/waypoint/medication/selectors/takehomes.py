"""Take-home eligibility: days in treatment (in the current opioid treatment program stay,
from its first dose), the factors in the record against take-homes, the regulatory
ceiling, what the active order authorizes and the prescriber's determination."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from waypoint.assessments.models import Flag
from waypoint.audit import services as audit
from waypoint.care.models import LevelOfCareStay
from waypoint.clinical import takehome
from waypoint.core.selectors import site_today
from waypoint.patients.selectors import patient_ref

from ..limits import limits_for
from ..models import DoseEvent, MedicationOrder, MissedDose, TakeHomeDetermination
from .hooks import POSITIVE_TEST_COUNTERS

OTP = "opioid_treatment_program"
OTP_MEDICATION_FAMILIES = ("methadone", "buprenorphine")

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.patients.models import Patient


def otp_stay_on(organization_id: int, patient_id: int, on: dt.date) -> LevelOfCareStay | None:
    """The opioid treatment program stay the person is in on ``on`` (an episode open that
    day), if any. A transition day counts in the new level, as on the census."""
    return (
        LevelOfCareStay.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=on),
            Q(episode__discharged_on__isnull=True) | Q(episode__discharged_on__gte=on),
            organization_id=organization_id,
            episode__patient_id=patient_id,
            level=OTP,
            started_on__lte=on,
        )
        .order_by("-started_on", "-id")
        .first()
    )


def treatment_start(organization_id: int, patient_id: int, on: dt.date) -> dict:
    """Where the take-home days in treatment start on ``on``: the current OTP stay's start
    and its first methadone or buprenorphine dose (either may be None)."""
    stay = otp_stay_on(organization_id, patient_id, on)
    first = None
    if stay is not None:
        first = DoseEvent.objects.filter(
            organization_id=organization_id,
            patient_id=patient_id,
            family__in=OTP_MEDICATION_FAMILIES,
            local_day__gte=stay.started_on,
            local_day__lte=on,
        ).aggregate(m=Min("local_day"))["m"]
    return {"stay_started_on": stay.started_on if stay else None, "first_medication_on": first}


def days_in_treatment_on(organization_id: int, patient_id: int, on: dt.date) -> int:
    """Days in treatment for the take-home tiers on ``on``: from the start of the current
    opioid treatment program stay with medication (the later of the stay's start and its
    first methadone or buprenorphine dose; day 1), else 0
    (``clinical.takehome.otp_days_in_treatment``; issue 14 rule 9)."""
    start = treatment_start(organization_id, patient_id, on)
    return takehome.otp_days_in_treatment(
        start["stay_started_on"], start["first_medication_on"], on
    )


def latest_determination(organization_id: int, patient_id: int) -> TakeHomeDetermination | None:
    return (
        TakeHomeDetermination.objects.filter(organization_id=organization_id, patient_id=patient_id)
        .select_related("by")
        .first()
    )


def determination_answer(
    row: TakeHomeDetermination | None, on: dt.date, limits: takehome.TakeHomeLimits
) -> dict | None:
    """The latest determination as the eligibility answer shows it (None: none yet)."""
    if row is None:
        return None
    return {
        "id": row.pk,
        "decided_on": row.decided_on,
        "by": row.by.username,
        "current": takehome.determination_current(row.decided_on, on, limits),
        "current_until": takehome.determination_expires_on(row.decided_on, limits)
        - dt.timedelta(days=1),
        "all_favorable": row.all_favorable,
        "answers": row.answers,
        "note": row.note,
    }


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
    start = treatment_start(organization_id, patient.pk, on)
    days = takehome.otp_days_in_treatment(
        start["stay_started_on"], start["first_medication_on"], on
    )
    ceiling = takehome.max_doses(days, limits)
    determination = determination_answer(
        latest_determination(organization_id, patient.pk), on, limits
    )
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
        "otp_stay_started_on": start["stay_started_on"],
        "first_medication_on": start["first_medication_on"],
        "determination": determination,
        "determination_valid_days": limits.determination_valid_days,
        "eligible": ceiling > 0
        and not factors
        and authorized > 0
        and bool(determination and determination["current"]),
    }


def order_take_home_ceiling(organization_id: int, patient: Patient, on: dt.date) -> tuple[int, int]:
    """(days in treatment on ``on``, the take-home ceiling an order written now may
    authorize): the ceiling of the person's tier, counting a person without a first OTP dose
    yet as on day 1 (the day of that dose). No audit event (the caller's read or write
    has one)."""
    _, limits = limits_for(organization_id)
    start = treatment_start(organization_id, patient.pk, on)
    days = takehome.otp_days_in_treatment(
        start["stay_started_on"], start["first_medication_on"], on
    )
    return days, takehome.max_doses(max(days, 1), limits)


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
