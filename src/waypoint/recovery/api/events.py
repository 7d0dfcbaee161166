"""Recovery events (returns to use, overdoses, releases, hospital discharges), the lost-
tolerance flag, outreach tasks and the outreach board, the way back in: API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from waypoint.core.actor import api_actor
from waypoint.core.schemas import IsoDate, PatientId, SiteCode, StrictSchema, text
from waypoint.core.selectors import site_by_code

from ..selectors import events as selectors
from ..services import events as services

patients_router = Router(tags=["recovery"])
sites_router = Router(tags=["recovery"])
tasks_router = Router(tags=["recovery"])


class RecoveryEventIn(StrictSchema):
    kind: Annotated[str, text(30, 1)]
    on: IsoDate
    substances: Annotated[list[Annotated[str, text(40, 1)]], Field(max_length=20)] = []
    note: Annotated[str, text(1000)] = ""


class OutreachAttemptIn(StrictSchema):
    outcome: Annotated[str, text(20, 1)]
    note: Annotated[str, text(1000)] = ""
    close_reason: Annotated[str, text(20, 1)] | None = None


class OutreachCloseIn(StrictSchema):
    reason: Annotated[str, text(20, 1)]


class RaisedFlagOut(Schema):
    id: int
    kind: str
    reason: str


class OutreachAttemptOut(Schema):
    id: int
    task: int = Field(validation_alias="task_id")
    outcome: str
    note: str
    at: dt.datetime
    by: str

    @staticmethod
    def resolve_by(obj) -> str:
        return obj.by.username


class OutreachTaskOut(Schema):
    id: int
    patient: PatientId
    site: SiteCode
    reason: str
    detail: str
    due_at: dt.datetime
    status: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    close_reason: str


class OutreachTaskDetailOut(OutreachTaskOut):
    attempts: list[OutreachAttemptOut]

    @staticmethod
    def resolve_attempts(obj) -> list:
        return list(obj.attempts.all())


class OutreachTaskItemOut(Schema):
    id: int
    patient: PatientId
    reason: str
    due_at: dt.datetime
    status: str


class OutreachTasksOut(Schema):
    tasks: list[OutreachTaskItemOut]


class RecoveryEventOut(Schema):
    id: int
    patient: PatientId
    kind: str
    on: dt.date
    substances: list[str]
    note: str
    lost_tolerance: bool
    lost_tolerance_reason: str
    recorded_at: dt.datetime


class RecordedEventOut(RecoveryEventOut):
    flag: RaisedFlagOut | None
    outreach_task: OutreachTaskOut | None

    @staticmethod
    def resolve_flag(obj):
        return getattr(obj, "raised_flag", None)

    @staticmethod
    def resolve_outreach_task(obj):
        return getattr(obj, "outreach_task", None)


class SummaryCheckInOut(Schema):
    id: int
    source: str
    submitted_at: dt.datetime
    craving: int
    days_since_use: int | None
    meetings: int | None
    phq2_q1: int
    phq2_q2: int
    phq2_total: int
    need_help: bool


class SummaryNaloxoneKitOut(Schema):
    id: int
    given_on: dt.date
    quantity: int
    formulation: str
    lot: str
    trained: bool


class SummaryAftercareItemOut(Schema):
    id: int
    kind: str
    detail: str
    contact: str
    next_date: dt.date | None
    status: str


class SummaryAftercarePlanOut(Schema):
    id: int
    episode: int | None = Field(validation_alias="episode_id")
    note: str
    written_at: dt.datetime
    items: list[SummaryAftercareItemOut]

    @staticmethod
    def resolve_items(obj) -> list:
        return list(obj.items.all())


class RecoverySummaryOut(Schema):
    patient: PatientId
    last_use_on: dt.date | None
    days_abstinent: int | None
    check_ins: list[SummaryCheckInOut]
    naloxone_kits: list[SummaryNaloxoneKitOut]
    aftercare_plan: SummaryAftercarePlanOut | None
    events: list[RecoveryEventOut]


@patients_router.post("/{id:patient_id}/recovery-events", response={201: RecordedEventOut})
def recovery_event_create(request: HttpRequest, patient_id: int, payload: RecoveryEventIn):
    """Record a return to use, an overdose, naloxone used by or on the person, a release
    from incarceration or a hospital discharge (physician, nurse, counselor). A return to
    use or an overdose after a period of lost tolerance raises the ``overdose_risk`` flag
    (``flag``); every return to use or overdose opens an outreach task (``outreach_task``)
    due in 72 h or 24 h. 422 ``unknown_event_kind``, ``unknown_substance``,
    ``date_in_future``, ``date_before_birth``."""
    event = services.recovery_event_record(
        api_actor(request),
        patient_id,
        payload.kind,
        payload.on,
        substances=payload.substances,
        note=payload.note,
    )
    return Status(201, event)


@patients_router.get("/{id:patient_id}/recovery", response=RecoverySummaryOut)
def recovery_summary(request: HttpRequest, patient_id: int):
    """A person's recovery: the last known use and the days since (``null`` when no use is
    known), check-ins, naloxone kits, the newest aftercare plan (``null`` when none) and
    the recovery events, newest first."""
    return selectors.recovery_summary(api_actor(request), patient_id)


@sites_router.get("/{code}/outreach-tasks", response=OutreachTasksOut)
def outreach_tasks(
    request: HttpRequest, code: str, status: Literal["open", "closed", "all"] = "open"
):
    """A site's outreach tasks (default the open ones), most urgent first: the earliest
    due first, so overdue tasks lead."""
    actor = api_actor(request)
    site = site_by_code(actor.organization_id, code)
    return {"tasks": selectors.site_tasks(actor, site, status)}


@tasks_router.get("/{id:task_id}", response=OutreachTaskDetailOut)
def outreach_task_get(request: HttpRequest, task_id: int):
    """One outreach task with its attempts."""
    return selectors.task_detail(api_actor(request), task_id)


@tasks_router.post("/{id:task_id}/attempts", response={201: OutreachAttemptOut})
def outreach_attempt_create(request: HttpRequest, task_id: int, payload: OutreachAttemptIn):
    """Record an attempt to reach the person (``outcome``: ``reached``, ``left_message``,
    ``no_answer``, ``wrong_number``); ``close_reason`` also closes the task. 422
    ``unknown_outcome``, ``unknown_close_reason``; 409 ``task_closed``."""
    attempt = services.outreach_attempt_record(
        api_actor(request),
        task_id,
        payload.outcome,
        payload.note,
        close_reason=payload.close_reason,
    )
    return Status(201, attempt)


@tasks_router.post("/{id:task_id}/close", response=OutreachTaskOut)
def outreach_task_close(request: HttpRequest, task_id: int, payload: OutreachCloseIn):
    """Close an open task with a reason (``engaged``, ``readmitted``, ``declined``,
    ``unreachable``, ``deceased``, ``duplicate``, ``other``). 422 ``unknown_close_reason``;
    409 ``task_closed``."""
    return services.outreach_task_close(api_actor(request), task_id, payload.reason)


ROUTERS: list[tuple[str, Router]] = [
    ("/patients", patients_router),
    ("/sites", sites_router),
    ("/outreach-tasks", tasks_router),
]
