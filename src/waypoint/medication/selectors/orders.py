"""Reads of medication orders: one order, a patient's orders. Scoped by organization;
reads of a patient's record leave an audit event."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet

from waypoint.audit import services as audit
from waypoint.core.errors import NotFound
from waypoint.patients.selectors import patient_ref

from ..models import MedicationOrder

if TYPE_CHECKING:
    from waypoint.core.actor import Actor


def _orders(organization_id: int) -> QuerySet[MedicationOrder]:
    return MedicationOrder.objects.filter(organization_id=organization_id).select_related(
        "site", "prescriber"
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
