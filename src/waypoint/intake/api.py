"""Inquiry and walk-in queue API."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status

from waypoint.core.actor import api_actor
from waypoint.core.errors import DomainError
from waypoint.core.schemas import OptionalPatientId, SiteCode
from waypoint.core.selectors import site_by_code
from waypoint.patients import selectors as patient_selectors

from . import selectors, services
from .schemas import InquiryIn, LinkPatientIn, MakePatientIn, StatusIn

router = Router(tags=["intake"])
sites_router = Router(tags=["intake"])


class InquiryOut(Schema):
    id: int
    site: SiteCode
    channel: str
    status: str
    name: str
    is_alias: bool
    first_name: str
    last_name: str
    date_of_birth: dt.date | None
    phone: str
    referral_source: str
    substances: list[str]
    last_use_at: dt.datetime | None
    route: str
    withdrawal_now: bool
    pregnant: bool
    overdose_last_year: bool
    notes: str
    arrived_at: dt.datetime
    status_changed_at: dt.datetime
    patient: OptionalPatientId


class QueueRow(InquiryOut):
    waiting_minutes: int


class MadePatient(Schema):
    inquiry: InquiryOut
    patient_id: int
    mrn: str


@router.post("", response={201: InquiryOut})
def create(request: HttpRequest, payload: InquiryIn):
    """Record a phone call or a walk-in."""
    return Status(201, services.inquiry_create(api_actor(request), payload))


@router.get("", response=list[InquiryOut])
def list_(request: HttpRequest, site: str | None = None, status: str | None = None):
    actor = api_actor(request)
    s = site_by_code(actor.organization_id, site) if site else None
    return selectors.inquiries_list(actor, site=s, status=status)


@router.get("/{id:inquiry_id}", response=InquiryOut)
def get(request: HttpRequest, inquiry_id: int):
    return selectors.inquiry_get(api_actor(request), inquiry_id)


@router.post("/{id:inquiry_id}/status", response=InquiryOut)
def set_status(request: HttpRequest, inquiry_id: int, payload: StatusIn):
    """Move along: 409 ``invalid_status_change`` for a move the workflow does not allow,
    409 ``patient_required`` to mark admitted before registering."""
    return services.inquiry_set_status(api_actor(request), inquiry_id, payload)


@router.post("/{id:inquiry_id}/patient", response={201: MadePatient})
def make_patient(request: HttpRequest, inquiry_id: int, payload: MakePatientIn):
    """Register the person without retyping: name given here, phone and site carried over."""
    actor = api_actor(request)
    try:
        inq, patient = services.inquiry_make_patient(actor, inquiry_id, payload)
    except DomainError as exc:
        if exc.code == "possible_duplicate":  # the matches shown: an audited read
            patient_selectors.duplicates_shown(actor, exc)
        raise
    return Status(201, {"inquiry": inq, "patient_id": patient.pk, "mrn": patient.mrn})


@router.post("/{id:inquiry_id}/link-patient", response=MadePatient)
def link_patient(request: HttpRequest, inquiry_id: int, payload: LinkPatientIn):
    """A returning patient: link the inquiry to their existing record (``patient``: its id)
    instead of registering them again. 409 ``already_a_patient`` or
    ``invalid_status_change`` as for registering; 404 for another organization's patient."""
    inq, patient = services.inquiry_link_patient(api_actor(request), inquiry_id, payload)
    return {"inquiry": inq, "patient_id": patient.pk, "mrn": patient.mrn}


@sites_router.get("/{code}/walk-in-queue", response=list[QueueRow])
def queue(request: HttpRequest, code: str):
    actor = api_actor(request)
    return selectors.walk_in_queue(actor, site_by_code(actor.organization_id, code))
