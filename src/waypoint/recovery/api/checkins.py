"""Recovery check-ins: links a person answers without signing in, check-ins by phone,
trends and abstinence days: API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from waypoint.clinical import checkins as rules
from waypoint.clinical.recovery import CRAVING_MAX, PHQ2_ITEM_MAX, PHQ2_POSITIVE
from waypoint.core.actor import api_actor
from waypoint.core.schemas import Bool, PatientId, StrictSchema

from ..services import checkins as services

patients_router = Router(tags=["recovery check-ins"])

ROUTERS: list[tuple[str, Router]] = [("/patients", patients_router)]


def _int(low: int, high: int):
    return Field(ge=low, le=high, strict=True)


class LinkIn(StrictSchema):
    expires_in_days: Annotated[int, _int(services.LINK_DAYS_MIN, services.LINK_DAYS_MAX)] | None = (
        None
    )


class LinkOut(Schema):
    url: str
    expires_at: dt.datetime


class CheckInIn(StrictSchema):
    craving: Annotated[int, _int(0, CRAVING_MAX)]
    days_since_use: Annotated[int, _int(0, rules.DAYS_SINCE_USE_MAX)] | None = None
    meetings: Annotated[int, _int(0, rules.MEETINGS_MAX)] | None = None
    phq2_q1: Annotated[int, _int(0, PHQ2_ITEM_MAX)]
    phq2_q2: Annotated[int, _int(0, PHQ2_ITEM_MAX)]
    need_help: Bool


class CheckInOut(Schema):
    id: int
    patient: PatientId
    source: str
    craving: int
    days_since_use: int | None
    meetings: int | None
    phq2_q1: int
    phq2_q2: int
    phq2_total: int
    phq2_positive: bool
    need_help: bool
    submitted_at: dt.datetime

    @staticmethod
    def resolve_phq2_positive(obj) -> bool:
        return obj.phq2_total >= PHQ2_POSITIVE


@patients_router.post("/{id:patient_id}/check-in-links", response={201: LinkOut})
def check_in_link_create(request: HttpRequest, patient_id: int, payload: LinkIn):
    """Make a check-in link (physician, nurse, counselor): ``expires_in_days`` 1–90,
    default 14. The answer's ``url`` holds the link's secret, shown only now (only its hash
    is kept): print it or copy it into the clinic's texting tool (Waypoint sends no SMS or
    email). 422 ``invalid_input``."""
    link, secret = services.link_create(api_actor(request), patient_id, payload.expires_in_days)
    url = request.build_absolute_uri(services.CHECK_IN_PATH.format(secret=secret))
    return Status(201, {"url": url, "expires_at": link.expires_at})


@patients_router.post("/{id:patient_id}/check-ins", response={201: CheckInOut})
def check_in_create(request: HttpRequest, patient_id: int, payload: CheckInIn):
    """Record a check-in taken by phone (physician, nurse, counselor): craving 0–10,
    ``days_since_use`` 0–36500 and ``meetings`` (mutual-help, past 7 days) 0–50 optional,
    PHQ-2 items 0–3, ``need_help`` (opens an outreach task due within 1 hour). 422
    ``invalid_input``."""
    check_in = services.check_in_record(api_actor(request), patient_id, payload.model_dump())
    return Status(201, check_in)
