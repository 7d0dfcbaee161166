"""Aftercare plans (written at or after discharge, printable) and naloxone kits: API."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from waypoint.clinical import aftercare as rule
from waypoint.core.actor import api_actor
from waypoint.core.schemas import PatientId, SiteCode

from ..models import AftercarePlan
from ..schemas.aftercare import AftercarePlanIn, ItemStatusIn, NaloxoneKitIn
from ..services import aftercare as services

patients_router = Router(tags=["aftercare and naloxone"])
items_router = Router(tags=["aftercare and naloxone"])


class AftercareItemOut(Schema):
    id: int
    kind: str
    detail: str
    contact: str
    next_date: dt.date | None
    status: str


class AftercarePlanOut(Schema):
    id: int
    patient: PatientId
    episode: int | None = Field(validation_alias="episode_id")
    written_at: dt.datetime
    note: str
    items: list[AftercareItemOut]

    @staticmethod
    def resolve_items(obj: AftercarePlan) -> list:
        return list(obj.items.order_by("id"))


class ItemStatusOut(AftercareItemOut):
    plan: int
    outreach_task: int | None


class NaloxoneKitOut(Schema):
    id: int
    patient: PatientId
    site: SiteCode
    given_on: dt.date
    quantity: int
    formulation: str
    route: str
    lot: str
    trained: bool
    stock_entry: int | None = Field(
        description="the naloxone stock ledger's entry the kit counted out of, when the "
        "site keeps naloxone stock"
    )


@patients_router.post("/{id:patient_id}/aftercare-plans", response={201: AftercarePlanOut})
def aftercare_plan_create(request: HttpRequest, patient_id: int, payload: AftercarePlanIn):
    """Write the person's aftercare plan (physician, nurse, counselor): 1 to 30 items. It
    belongs to their latest episode, open (written in the last days before a discharge)
    or discharged; the newest plan is the current one. 422 ``invalid_input``."""
    plan = services.aftercare_plan_write(
        api_actor(request),
        patient_id,
        [i.model_dump() for i in payload.items],
        payload.note,
    )
    return Status(201, plan)


@items_router.post("/{id:item_id}/status", response=ItemStatusOut)
def aftercare_item_status(request: HttpRequest, item_id: int, payload: ItemStatusIn):
    """Mark an aftercare item planned, attended, missed or declined. ``missed`` opens an
    outreach task (``missed_aftercare``, due in 72 h) at the discharging site
    (``outreach_task``). 409 ``status_unchanged``; 422 ``invalid_input``."""
    item, task = services.aftercare_item_status(
        api_actor(request), item_id, payload.status, payload.note
    )
    return {
        "id": item.pk,
        "plan": item.plan_id,
        "kind": item.kind,
        "detail": item.detail,
        "contact": item.contact,
        "next_date": item.next_date,
        "status": item.status,
        "outreach_task": task.pk if task else None,
    }


@patients_router.post("/{id:patient_id}/naloxone-kits", response={201: NaloxoneKitOut})
def naloxone_kit_create(request: HttpRequest, patient_id: int, payload: NaloxoneKitIn):
    """Record naloxone given (physician, nurse): ``quantity`` devices (1-10) of a
    formulation (nasal 4 or 8 mg, injection 0.4 mg/mL intramuscular, auto-injector 2 mg),
    on a day not after today, and whether the person was trained. When the site keeps
    naloxone stock the kit counts out of it (``stock_entry``). 422 ``invalid_input``,
    ``date_in_future``, ``unknown_site``."""
    kit = services.naloxone_kit_give(
        api_actor(request),
        patient_id,
        given_on=payload.given_on,
        quantity=payload.quantity,
        formulation=payload.formulation,
        trained=payload.trained,
        lot=payload.lot or "",
        site=payload.site,
    )
    return Status(
        201,
        {
            "id": kit.pk,
            "patient": kit.patient_id,
            "site": kit.site.code if kit.site else "",
            "given_on": kit.given_on,
            "quantity": kit.quantity,
            "formulation": kit.formulation,
            "route": rule.route(kit.formulation),
            "lot": kit.lot,
            "trained": kit.trained,
            "stock_entry": kit.stock_entry.pk if kit.stock_entry else None,  # type: ignore[attr-defined]
        },
    )


ROUTERS: list[tuple[str, Router]] = [
    ("/patients", patients_router),
    ("/aftercare-items", items_router),
]
