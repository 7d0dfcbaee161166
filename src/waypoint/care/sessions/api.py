"""Counseling sessions API: schedule (one-off or weekly), list a day, record attendance,
and a patient's week of counseling hours against the level of care."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from waypoint.core.actor import api_actor
from waypoint.core.schemas import PatientId, SiteCode
from waypoint.core.selectors import site_by_code, site_today

from . import selectors, services
from .schemas import AttendanceIn, DayQuery, SessionIn, WeekQuery

router = Router(tags=["sessions"])
patients_router = Router(tags=["sessions"])


class AttendeeOut(Schema):
    id: int = Field(description="the roster row's id (a group note's entries name it)")
    patient: PatientId
    episode: int
    status: str
    minutes: int | None

    @staticmethod
    def resolve_episode(obj) -> int:
        return obj.episode_id


class SessionOut(Schema):
    id: int
    kind: str
    site: SiteCode
    counselor: int
    starts_at: dt.datetime
    duration_minutes: int
    title: str
    modality: str
    audio_only_flag: bool
    series: str | None
    roster: list[AttendeeOut]

    @staticmethod
    def resolve_counselor(obj) -> int:
        return obj.counselor_id

    @staticmethod
    def resolve_series(obj) -> str | None:
        return str(obj.series) if obj.series else None

    @staticmethod
    def resolve_roster(obj) -> list:
        return list(obj.attendees.all())


class WeekSessionOut(Schema):
    session: int
    kind: str
    starts_at: dt.datetime
    duration_minutes: int
    modality: str
    audio_only_flag: bool
    status: str
    minutes: int | None


class WeekOut(Schema):
    patient: int
    week_start: dt.date
    week_end: dt.date
    level_of_care: str | None
    required: str
    scheduled_hours: float
    attended_hours: float
    scheduled: str
    attended: str
    sessions: list[WeekSessionOut]


@router.post("", response={201: list[SessionOut]})
def schedule(request: HttpRequest, payload: SessionIn):
    """Schedule a session; with ``repeat`` ({"count": N} or {"until": DATE}) a weekly series
    expanded into one session per week. 201 with the sessions made. 422
    ``duration_out_of_range``, ``unknown_counselor``, ``unknown_session_kind``,
    ``unknown_site``, ``roster_size``, ``invalid_repeat``, ``too_many_occurrences``,
    ``unknown_modality`` (``modality`` is optional: ``in_person`` by default, ``video``,
    ``phone``); 409 ``no_open_episode``; 404 a patient of another organization."""
    actor = api_actor(request)
    made = services.session_schedule(actor, payload)
    return Status(201, selectors.session_written(actor, [s.pk for s in made]))


@router.get("", response=list[SessionOut])
def list_day(request: HttpRequest, q: Query[DayQuery]):
    """Sessions on a site-local ``date`` (default today) at ``site`` (default the caller's
    home site), optionally one ``counselor``'s."""
    actor = api_actor(request)
    code = q.site or (actor.user.site.code if actor.user.site else "")
    site = site_by_code(actor.organization_id, code)
    return selectors.sessions_on_day(actor, site, q.date or site_today(site), q.counselor)


@router.post("/{id:session_id}/attendance", response={201: AttendeeOut})
def attendance(request: HttpRequest, session_id: int, payload: AttendanceIn):
    """Record (or correct) a patient's attendance: attended (with minutes), absent,
    excused. 404 another organization's session; 422 ``not_on_roster``,
    ``minutes_exceed_duration``, ``minutes_required``, ``minutes_not_allowed``,
    ``unknown_attendance_status``; 409 ``session_in_future``."""
    row = services.attendance_record(
        api_actor(request), session_id, payload.patient, payload.status, payload.minutes
    )
    return Status(201, row)


@patients_router.get("/{id:patient_id}/week", response=WeekOut)
def week(request: HttpRequest, patient_id: int, q: Query[WeekQuery]):
    """Counseling hours scheduled and attended in the site-local week (Monday-Sunday) that
    holds ``on`` (default today), against the level of care's weekly range."""
    w = selectors.patient_week(api_actor(request), patient_id, q.on)
    return {
        "patient": w["patient"].pk,
        "week_start": w["week_start"],
        "week_end": w["week_end"],
        "level_of_care": w["level"],
        "required": w["range_text"],
        "scheduled_hours": w["scheduled_hours"],
        "attended_hours": w["attended_hours"],
        "scheduled": w["scheduled"],
        "attended": w["attended"],
        "sessions": [
            {
                "session": a.session_id,
                "kind": a.session.kind,
                "starts_at": a.session.starts_at,
                "duration_minutes": a.session.duration_minutes,
                "modality": a.session.modality,
                "audio_only_flag": a.session.audio_only_flag,
                "status": a.status,
                "minutes": a.minutes,
            }
            for a in w["attendances"]
        ],
    }
