"""MedicationRequest from the medication orders (prefix ``order``) and
MedicationAdministration from the doses given at the window (prefix ``dose``), issue 20
item 1. The medication is Waypoint's catalogue name (``codes.MEDICATION_SYSTEM``) with the
RxNorm ingredient where ``clinical.medications`` holds a verified one (domain.md §5)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from waypoint.clinical.medications import LABELS, MEDICATIONS, SCHEDULE_LABELS
from waypoint.medication.models import DoseEvent, MedicationOrder

from .. import codes
from ..registry import Provider
from .base import ModelProvider, iso, ref


def concept(name: str) -> dict[str, Any]:
    coding = [{"system": codes.MEDICATION_SYSTEM, "code": name}]
    med = MEDICATIONS.get(name)
    if med is not None and med.rxnorm:
        coding.insert(0, {"system": codes.RXNORM, "code": med.rxnorm})
    return {"coding": coding, "text": LABELS.get(name, name)}


def _medication_q(system: str | None, code: str, field: str) -> Q | None:
    if system in (None, codes.MEDICATION_SYSTEM) and code in MEDICATIONS:
        return Q(**{field: code})
    if system in (None, codes.RXNORM):
        named = [m.name for m in MEDICATIONS.values() if m.rxnorm and m.rxnorm == code]
        return Q(**{f"{field}__in": named}) if named else None
    return None


def _mg(value: Decimal) -> dict[str, Any]:
    return {
        "value": float(value),
        "unit": "mg",
        "system": "http://unitsofmeasure.org",
        "code": "mg",
    }


class OrderProvider(ModelProvider):
    resource_type = "MedicationRequest"
    prefix = "order"
    permission = "medication.view"
    category = "medications"
    date_field = "signed_at"
    order = ("-signed_at", "-pk")

    def rows(self, organization_id: int) -> QuerySet[MedicationOrder]:
        return MedicationOrder.objects.filter(organization_id=organization_id)

    def code_q(self, system: str | None, code: str) -> Q | None:
        return _medication_q(system, code, "medication")

    def resource(self, o: MedicationOrder) -> dict[str, Any]:
        period: dict[str, str] = {"start": o.start_date.isoformat()}
        if o.stop_date:
            period["end"] = o.stop_date.isoformat()
        return {
            "status": "stopped" if o.stopped_at else "active",
            "intent": "order",
            "medicationCodeableConcept": concept(o.medication),
            "subject": ref(o.patient_id),
            "authoredOn": iso(o.signed_at),
            "dosageInstruction": [
                {
                    "text": f"{o.dose_mg} mg {SCHEDULE_LABELS.get(o.schedule, o.schedule)}"
                    f" ({o.route})",
                    "route": {"text": o.route},
                    "doseAndRate": [{"doseQuantity": _mg(o.dose_mg)}],
                }
            ],
            "dispenseRequest": {"validityPeriod": period},
        }


class DoseProvider(ModelProvider):
    resource_type = "MedicationAdministration"
    prefix = "dose"
    permission = "medication.view"
    category = "medications"
    date_field = "administered_at"
    order = ("-administered_at", "-pk")

    def rows(self, organization_id: int) -> QuerySet[DoseEvent]:
        return DoseEvent.objects.filter(organization_id=organization_id).select_related("order")

    def code_q(self, system: str | None, code: str) -> Q | None:
        return _medication_q(system, code, "order__medication")

    def resource(self, d: DoseEvent) -> dict[str, Any]:
        return {
            "status": "completed",
            "medicationCodeableConcept": concept(d.order.medication),
            "subject": ref(d.patient_id),
            "effectiveDateTime": iso(d.administered_at),
            "request": {"reference": f"MedicationRequest/order-{d.order_id}"},
            "dosage": {"route": {"text": d.order.route}, "dose": _mg(d.dose_mg)},
        }


def providers() -> list[Provider]:
    return [OrderProvider(), DoseProvider()]
