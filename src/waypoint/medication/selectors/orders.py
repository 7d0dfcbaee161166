"""Reads of medication orders: one order, a patient's orders, the chart's Medication
section. Scoped by organization; reads of a patient's record leave an audit event."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet

from waypoint.audit import services as audit
from waypoint.clinical import injectables, takehome
from waypoint.clinical.medications import MEDICATIONS, offered
from waypoint.core.errors import NotFound
from waypoint.core.selectors import site_today
from waypoint.patients.selectors import patient_ref

from ..limits import limits_for
from ..models import (
    DoseEvent,
    Implant,
    MedicationOrder,
    OpioidFreeConfirmation,
    TakeHomeDetermination,
    TakeHomeSupply,
    VitalSigns,
)
from .takehomes import eligibility

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.patients.models import Patient


def _orders(organization_id: int) -> QuerySet[MedicationOrder]:
    return MedicationOrder.objects.filter(organization_id=organization_id).select_related(
        "site", "prescriber"
    )


def order_in_org(organization_id: int, order_id: int) -> MedicationOrder | None:
    """An order of the organization with its site and patient, or None (no audit event:
    the page that asks hands the order to a service, which audits)."""
    return (
        MedicationOrder.objects.filter(pk=order_id, organization_id=organization_id)
        .select_related("site", "patient")
        .first()
    )


def order_written(actor: Actor, order_id: int) -> MedicationOrder:
    """An order just written by a service (which audited it): no second audit event."""
    row = _orders(actor.organization_id).filter(pk=order_id).first()
    if row is None:
        raise NotFound("medication order")
    return row


def order_get(actor: Actor, order_id: int) -> MedicationOrder:
    actor.require("medication.view")
    with transaction.atomic():
        row = _orders(actor.organization_id).prefetch_related("changes").filter(pk=order_id).first()
        if row is None:
            raise NotFound("medication order")
        audit.record(actor, "read", "medication_order", row.pk, patient_id=row.patient_id)
    return row


def orders_for_patient(actor: Actor, patient_id: int) -> list[MedicationOrder]:
    actor.require("medication.view")
    with transaction.atomic():
        patient = patient_ref(actor, patient_id)
        rows = list(
            _orders(actor.organization_id).prefetch_related("changes").filter(patient=patient)
        )
        audit.record(
            actor,
            "read",
            "medication_order",
            "",
            patient_id=patient.pk,
            detail={"count": len(rows)},
        )
    return rows


def dose_history(organization_id: int, patient: Patient):
    """The person's doses, newest first (a queryset the chart pages)."""
    return (
        DoseEvent.objects.filter(organization_id=organization_id, patient=patient)
        .select_related("order", "administered_by", "site")
        .order_by("-administered_at", "-id")
    )


def medication_chart(organization_id: int, patient: Patient) -> dict:
    """What the chart's Medication section shows: the orders with their history, the last
    doses and take-home supplies, the opioid-free confirmations, and the take-home answer
    when an active order may go home. No audit event: the chart page's read is audited once
    for the whole chart."""
    orders = list(
        _orders(organization_id)
        .select_related("stopped_by")
        .prefetch_related("changes")
        .filter(patient=patient)
    )
    recent = list(dose_history(organization_id, patient)[:10])
    supplies = list(
        TakeHomeSupply.objects.filter(organization_id=organization_id, patient=patient)
        .prefetch_related("bottles")
        .order_by("-dispensed_at")[:5]
    )
    confirmations = OpioidFreeConfirmation.objects.filter(
        organization_id=organization_id, patient=patient
    ).order_by("-on")[:3]
    today = site_today(patient.site)
    active = [o for o in orders if o.stopped_at is None]
    answer = None
    if any(MEDICATIONS[o.medication].take_home for o in active):
        answer = eligibility(organization_id, patient, today)
    dosing_limits, _ = limits_for(organization_id)
    implants = list(
        Implant.objects.filter(organization_id=organization_id, patient=patient).select_related(
            "inserted_by", "removed_by"
        )[:5]
    )
    return {
        "orders": orders,
        "active": active,
        # stopped orders, newest stop first, with who stopped them, why and when
        "stopped": sorted(
            (o for o in orders if o.stopped_at is not None),
            key=lambda o: o.stopped_at or o.signed_at,  # stopped_at is set: filtered above
            reverse=True,
        )[:10],
        "recent": recent,
        "supplies": supplies,
        "eligibility": answer,
        "confirmations": confirmations,
        "today": today,
        "implants": implants,
        "implant_in_place": next((i for i in implants if i.in_place), None),
        "implant_orders": [o for o in active if MEDICATIONS[o.medication].procedure],
        "implant_offered": offered("buprenorphine_implant", dosing_limits) is None,
        "implant_overdue": [
            i
            for i in implants
            if i.in_place and injectables.implant_removal_overdue(i.inserted_on, today)
        ],
        "determinations": list(
            TakeHomeDetermination.objects.filter(
                organization_id=organization_id, patient=patient
            ).select_related("by")[:3]
        ),
        "criteria": takehome.DETERMINATION_CRITERIA,
        "vitals": list(
            VitalSigns.objects.filter(organization_id=organization_id, patient=patient)[:5]
        ),
    }


def vitals_for_patient(actor: Actor, patient_id: int, limit: int = 50) -> list[VitalSigns]:
    """A person's vital signs, newest first (audited read)."""
    actor.require("medication.view")
    with transaction.atomic():
        patient = patient_ref(actor, patient_id)
        rows = list(
            VitalSigns.objects.filter(
                organization_id=actor.organization_id, patient=patient
            ).select_related("recorded_by", "site")[:limit]
        )
        audit.record(
            actor, "read", "vital_signs", "", patient_id=patient.pk, detail={"count": len(rows)}
        )
    return rows


def implants_for_patient(actor: Actor, patient_id: int) -> list[Implant]:
    """A person's implants, newest first (audited read)."""
    actor.require("medication.view")
    with transaction.atomic():
        patient = patient_ref(actor, patient_id)
        rows = list(
            Implant.objects.filter(
                organization_id=actor.organization_id, patient=patient
            ).select_related("inserted_by", "removed_by", "order")
        )
        audit.record(
            actor, "read", "implant", "", patient_id=patient.pk, detail={"count": len(rows)}
        )
    return rows


def implant_written(actor: Actor, implant_id: int) -> Implant:
    """An implant just written by a service (which audited it): no second audit event."""
    row = (
        Implant.objects.filter(pk=implant_id, organization_id=actor.organization_id)
        .select_related("inserted_by", "removed_by", "order")
        .first()
    )
    if row is None:
        raise NotFound("implant")
    return row


def determinations_for_patient(actor: Actor, patient_id: int) -> list[TakeHomeDetermination]:
    """A person's take-home determinations, newest first (audited read)."""
    actor.require("medication.view")
    with transaction.atomic():
        patient = patient_ref(actor, patient_id)
        rows = list(
            TakeHomeDetermination.objects.filter(
                organization_id=actor.organization_id, patient=patient
            ).select_related("by")
        )
        audit.record(
            actor,
            "read",
            "take_home_determination",
            "",
            patient_id=patient.pk,
            detail={"count": len(rows)},
        )
    return rows
