"""Patient registry API: thin routes over services and selectors."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from waypoint.core.actor import api_actor
from waypoint.core.errors import DomainError
from waypoint.core.schemas import has_control_chars

from . import selectors, services
from .schemas import PatientBrief, PatientIn, PatientOut, PatientUpdate

router = Router(tags=["patients"])


class SearchParams(Schema):
    q: str


@router.post("", response={201: PatientOut})
def register(request: HttpRequest, payload: PatientIn):
    """Register a patient. 409 ``possible_duplicate`` lists matching records unless
    ``confirm_not_duplicate`` is true; the matches shown are an audited read, restricted
    records masked (``selectors.duplicates_shown``)."""
    actor = api_actor(request)
    try:
        return Status(201, services.patient_register(actor, payload))
    except DomainError as exc:
        if exc.code == "possible_duplicate":
            selectors.duplicates_shown(actor, exc)
        raise


@router.get("", response=list[PatientBrief])
def search(request: HttpRequest, params: Query[SearchParams]):
    """Search by name (``Reyes Ana``), MRN or date of birth (``1988-04-12``)."""
    if not params.q.strip() or len(params.q) > 100 or has_control_chars(params.q):
        raise DomainError("invalid_query", "Give a name, an MRN or a date of birth (YYYY-MM-DD).")
    return selectors.patient_search(api_actor(request), params.q, close=False)


@router.get("/{id:patient_id}", response=PatientOut)
def get(request: HttpRequest, patient_id: int):
    return selectors.patient_get(api_actor(request), patient_id)


@router.patch("/{id:patient_id}", response=PatientOut)
def update(request: HttpRequest, patient_id: int, payload: PatientUpdate):
    return services.patient_update(api_actor(request), patient_id, payload)
