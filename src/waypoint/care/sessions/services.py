"""Every write of counseling sessions: schedule (one-off or weekly) and record attendance.

Like the other care services: the role is checked first, everything runs in one
transaction, each written session or attendance leaves an audit event in that same
transaction, and a refusal raises a ``DomainError`` with a stable code before anything is
written. A weekly series is expanded into concrete sessions at the same site-local wall
time each week (so a 9:00 group stays at 9:00 across a daylight-saving change).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.care.episodes.selectors import open_episode
from waypoint.care.models import (
    ATTENDANCE_LABELS,
    SESSION_KIND_LABELS,
    SESSION_MAX_MINUTES,
    SESSION_MIN_MINUTES,
    CounselingSession,
    SessionAttendee,
    SessionSettings,
)
from waypoint.clinical.telehealth import MODALITY_LABELS
from waypoint.core.errors import Conflict, DomainError
from waypoint.core.models import User
from waypoint.core.selectors import locked_in_org, site_by_code
from waypoint.patients.selectors import patient_ref

from .schemas import MAX_OCCURRENCES, RepeatIn, SessionIn, SessionSettingsIn

if TYPE_CHECKING:
    from waypoint.core.actor import Actor


def _occurrences(starts_at: dt.datetime, tz, repeat: RepeatIn | None) -> list[dt.datetime]:
    if repeat is None:
        return [starts_at]
    if (repeat.count is None) == (repeat.until is None):
        raise DomainError(
            "invalid_repeat", "repeat needs exactly one of count or until.", field="repeat"
        )
    local = starts_at.astimezone(tz)
    wall = local.replace(tzinfo=None)
    out = []
    n = 0
    while True:
        naive = wall + dt.timedelta(weeks=n)
        if repeat.count is not None and n >= repeat.count:
            break
        if repeat.until is not None and naive.date() > repeat.until:
            break
        if n >= MAX_OCCURRENCES:
            raise DomainError(
                "too_many_occurrences",
                f"A weekly series has at most {MAX_OCCURRENCES} sessions.",
                field="repeat",
            )
        out.append(naive.replace(tzinfo=tz))
        n += 1
    if not out:
        raise DomainError(
            "invalid_repeat", "repeat.until is before the first session.", field="repeat"
        )
    return out


def _counselor(actor: Actor, user_id: int) -> User:
    user = User.objects.filter(
        pk=user_id, organization_id=actor.organization_id, is_active=True
    ).first()
    if user is None:
        raise DomainError(
            "unknown_counselor",
            "counselor must be an active staff member of your organization.",
            field="counselor",
        )
    return user


def session_schedule(actor: Actor, data: SessionIn) -> list[CounselingSession]:
    """Schedule a session, or a weekly series of them, with its roster. 422
    ``unknown_session_kind``, ``duration_out_of_range``, ``unknown_counselor``,
    ``unknown_site``, ``roster_size``, ``invalid_repeat``, ``too_many_occurrences``,
    ``unknown_modality``; 404 for a patient of another organization; 409
    ``no_open_episode``."""
    actor.require("session.manage")
    if data.kind not in SESSION_KIND_LABELS:
        raise DomainError(
            "unknown_session_kind",
            f"kind must be one of {', '.join(SESSION_KIND_LABELS)} (got {data.kind[:20]!r}).",
            field="kind",
        )
    if data.modality not in MODALITY_LABELS:
        raise DomainError(
            "unknown_modality",
            f"modality must be one of {', '.join(MODALITY_LABELS)} (got {data.modality[:10]!r}).",
            field="modality",
        )
    if not SESSION_MIN_MINUTES <= data.duration_minutes <= SESSION_MAX_MINUTES:
        raise DomainError(
            "duration_out_of_range",
            f"duration_minutes must be {SESSION_MIN_MINUTES} to {SESSION_MAX_MINUTES}.",
            field="duration_minutes",
        )
    patients = list(dict.fromkeys(data.patients))
    if data.kind == "individual" and len(patients) != 1:
        raise DomainError(
            "roster_size", "An individual session has exactly one patient.", field="patients"
        )
    if not patients:
        raise DomainError("roster_size", "A session needs at least one patient.", field="patients")
    site = site_by_code(actor.organization_id, data.site)
    counselor = _counselor(actor, data.counselor)
    try:
        times = _occurrences(data.starts_at, site.tz, data.repeat)
    except OverflowError as exc:
        raise DomainError("invalid_repeat", "The series runs past the calendar.") from exc
    with transaction.atomic():
        roster = []
        for pid in patients:
            patient = patient_ref(actor, pid)
            ep = open_episode(actor.organization_id, patient)
            if ep is None:
                raise Conflict(
                    "no_open_episode",
                    f"Patient {patient.mrn} has no open episode of care: admit them first.",
                    patient=patient.pk,
                )
            roster.append((patient, ep))
        series = uuid.uuid4() if len(times) > 1 else None
        made = []
        for at in times:
            s = CounselingSession.objects.create(
                organization_id=actor.organization_id,
                site=site,
                kind=data.kind,
                counselor=counselor,
                starts_at=at,
                duration_minutes=data.duration_minutes,
                title=data.title,
                modality=data.modality,
                series=series,
                created_by=actor.user,
            )
            for patient, ep in roster:
                SessionAttendee.objects.create(
                    organization_id=actor.organization_id, session=s, patient=patient, episode=ep
                )
            for patient, _ep in roster:
                audit.record(
                    actor,
                    "create",
                    "counseling_session",
                    s.pk,
                    patient_id=patient.pk,
                    detail={
                        "kind": data.kind,
                        "starts_at": at.isoformat(),
                        "duration_minutes": data.duration_minutes,
                        "modality": data.modality,
                        "series": str(series) if series else "",
                    },
                )
            made.append(s)
    return made


def attendance_record(
    actor: Actor, session_id: int, patient_id: int, status: str, minutes: int | None = None
) -> SessionAttendee:
    """Record (or correct) one patient's attendance. 404 for another organization's
    session; 422 ``not_on_roster``, ``unknown_attendance_status``, ``minutes_required``,
    ``minutes_exceed_duration``, ``minutes_not_allowed``; 409 ``session_in_future``."""
    actor.require("session.manage")
    if status not in ATTENDANCE_LABELS:
        raise DomainError(
            "unknown_attendance_status",
            f"status must be one of {', '.join(ATTENDANCE_LABELS)} (got {status[:20]!r}).",
            field="status",
        )
    with transaction.atomic():
        s = locked_in_org(CounselingSession, session_id, actor.organization_id, "session")
        row = (
            SessionAttendee.objects.select_for_update()
            .filter(session=s, patient_id=patient_id, organization_id=actor.organization_id)
            .first()
        )
        if row is None:
            raise DomainError(
                "not_on_roster", "That patient is not on this session's roster.", field="patient"
            )
        if s.starts_at > timezone.now():
            raise Conflict(
                "session_in_future",
                "Attendance can be recorded once the session has started.",
            )
        if status == "attended":
            if minutes is None or minutes < 1:
                raise DomainError(
                    "minutes_required",
                    "minutes (1 or more) are needed for attended.",
                    field="minutes",
                )
            if minutes > s.duration_minutes:
                raise DomainError(
                    "minutes_exceed_duration",
                    f"minutes ({minutes}) exceed the session's {s.duration_minutes} minutes.",
                    field="minutes",
                )
        elif minutes:
            raise DomainError(
                "minutes_not_allowed",
                f"minutes are only recorded for attended (not {status}).",
                field="minutes",
            )
        previous = row.status
        row.status = status
        row.minutes = minutes if status == "attended" else None
        row.recorded_by = actor.user
        row.recorded_at = timezone.now()
        row.save(update_fields=["status", "minutes", "recorded_by", "recorded_at"])
        audit.record(
            actor,
            "update",
            "counseling_session",
            s.pk,
            patient_id=row.patient_id,
            detail={"attendance": status, "minutes": row.minutes, "previous": previous},
        )
    return row


def settings_update(actor: Actor, data: SessionSettingsIn) -> SessionSettings:
    """Set the session kinds that must be held by video (a phone session of such a kind is
    flagged, ``clinical.telehealth``). 422 ``unknown_session_kind``; nothing written then."""
    actor.require("session.settings")
    kinds = list(dict.fromkeys(data.video_required_for))
    bad = [k for k in kinds if k not in SESSION_KIND_LABELS]
    if bad:
        raise DomainError(
            "unknown_session_kind",
            f"kinds must be among {', '.join(SESSION_KIND_LABELS)} (got {bad[0][:20]!r}).",
            field="video_required_for",
        )
    with transaction.atomic():
        row, _ = SessionSettings.objects.select_for_update().get_or_create(
            organization_id=actor.organization_id
        )
        previous = list(row.video_required_for)
        row.video_required_for = kinds
        row.save()
        audit.record(
            actor,
            "update",
            "session_settings",
            row.pk,
            detail={"video_required_for": kinds, "previous": previous},
        )
    return row
