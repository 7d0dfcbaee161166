"""Reads of counseling sessions: a counselor's day, a patient's week against the level of
care's weekly hours (``clinical.intensity``), and the per-patient figures the census board
shows. Always scoped to the actor's organization; reads naming patients are audited.

A week is Monday to Sunday in the site's local time (the site of the patient's open
episode, else the patient's home site). *Scheduled* hours count every session the patient
is on the roster of that week; *attended* hours count the minutes recorded as attended.
"Missed the last two" means the patient's two most recent sessions with a recorded
attendance were both ``absent`` (excused does not count as missed).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.care.episodes.selectors import open_episode
from waypoint.care.models import (
    CounselingSession,
    Episode,
    LevelOfCareStay,
    SessionAttendee,
    SessionSettings,
)
from waypoint.clinical import intensity, telehealth
from waypoint.clinical.level_of_care import LEVEL_LABELS
from waypoint.core.hooks import add_once
from waypoint.core.models import Site, User
from waypoint.core.selectors import site_today
from waypoint.patients import access
from waypoint.patients.models import Patient
from waypoint.patients.selectors import patient_ref

if TYPE_CHECKING:
    from waypoint.core.actor import Actor


def _sessions(organization_id: int) -> QuerySet[CounselingSession]:
    return (
        CounselingSession.objects.filter(organization_id=organization_id)
        .select_related("site", "counselor")
        .prefetch_related(
            Prefetch(
                "attendees",
                queryset=SessionAttendee.objects.select_related("patient").order_by(
                    "patient__last_name_key", "patient__first_name_key", "id"
                ),
            )
        )
    )


# Functions (actor, sessions) that set each session's and roster row's ``note_link``
# (``{"state", "text", "url"}``: whether its note is written, a draft or signed, and where
# to write or read it). Care knows no notes app: the notes app registers from its
# AppConfig.ready(); the day page shows them beside each session and roster row.
NOTE_LINKS: list[Callable[[Actor, list[CounselingSession]], None]] = []


def add_note_links(provider: Callable[[Actor, list[CounselingSession]], None]) -> None:
    """Have ``provider(actor, sessions)`` set the note links of the day's sessions."""
    add_once(NOTE_LINKS, provider)


def note_links(actor: Actor, sessions: list[CounselingSession]) -> None:
    for provider in NOTE_LINKS:
        provider(actor, sessions)


def attendance_complete(session: CounselingSession) -> bool:
    """Whether every roster row of the session has its attendance recorded."""
    return not SessionAttendee.objects.filter(session=session, status="").exists()


def video_required_for(organization_id: int) -> list[str]:
    """The session kinds the organization requires video for (empty by default)."""
    row = SessionSettings.objects.filter(organization_id=organization_id).first()
    return list(row.video_required_for) if row else []


def flag_audio_only(organization_id: int, sessions: list[CounselingSession]) -> None:
    """Set ``audio_only_flag`` on each session: a phone session of a kind the organization
    requires video for (``clinical.telehealth.audio_only_flagged``)."""
    kinds = video_required_for(organization_id)
    for s in sessions:
        s.audio_only_flag = telehealth.audio_only_flagged(s.modality, s.kind, kinds)


def local_bounds(site: Site, first: dt.date, days: int) -> tuple[dt.datetime, dt.datetime]:
    """Aware start and end (exclusive) of ``days`` site-local days from ``first``."""
    start = dt.datetime.combine(first, dt.time.min, tzinfo=site.tz)
    end = dt.datetime.combine(first + dt.timedelta(days=days), dt.time.min, tzinfo=site.tz)
    return start, end


def week_start(on: dt.date) -> dt.date:
    return on - dt.timedelta(days=on.weekday())


def session_written(actor: Actor, session_ids: list[int]) -> list[CounselingSession]:
    """Sessions a service has just written (its audit events cover them)."""
    rows = list(_sessions(actor.organization_id).filter(pk__in=session_ids))
    flag_audio_only(actor.organization_id, rows)
    return rows


def session_for_page(actor: Actor, session_id: int) -> CounselingSession | None:
    """A session of the actor's organization with its site, for the attendance form (None
    when there is none)."""
    return (
        CounselingSession.objects.filter(pk=session_id, organization_id=actor.organization_id)
        .select_related("site")
        .first()
    )


def counselors(organization_id: int) -> QuerySet[User]:
    """The organization's active counselors, to pick from on the day page and the form."""
    return User.objects.filter(
        organization_id=organization_id, role="counselor", is_active=True
    ).order_by("last_name", "username")


def active_sites(organization_id: int) -> list[Site]:
    """The organization's active sites, to schedule a session at."""
    return list(Site.objects.filter(organization_id=organization_id, active=True))


def patient_ids_by_mrn(organization_id: int, mrns: list[str]) -> dict[str, int]:
    """MRN to patient id for the MRNs of the organization's patients (a roster typed as
    MRNs on the scheduling form); unknown MRNs are left out."""
    return dict(
        Patient.objects.filter(organization_id=organization_id, mrn__in=mrns).values_list(
            "mrn", "pk"
        )
    )


def sessions_on_day(
    actor: Actor, site: Site, on: dt.date, counselor_id: int | None = None
) -> list[CounselingSession]:
    """The site's sessions on a local day (one counselor's, if given), with rosters."""
    actor.require("session.view")
    start, end = local_bounds(site, on, 1)
    qs = _sessions(actor.organization_id).filter(site=site, starts_at__gte=start, starts_at__lt=end)
    if counselor_id is not None:
        qs = qs.filter(counselor_id=counselor_id)
    rows = list(qs)
    flag_audio_only(actor.organization_id, rows)
    # A restricted record the actor may not open is on the roster masked (one query).
    hidden = access.hidden_ids(actor, (a.patient_id for s in rows for a in s.attendees.all()))
    for s in rows:
        for a in s.attendees.all():
            if a.patient_id in hidden:
                a.patient = access.masked_copy(a.patient)
    with transaction.atomic():
        audit.record(
            actor,
            "list",
            "counseling_session",
            "",
            patients={a.patient_id for s in rows for a in s.attendees.all()},
            detail={
                "view": "day",
                "site": site.code,
                "date": on.isoformat(),
                "counselor": counselor_id,
                "results": sorted({a.patient_id for s in rows for a in s.attendees.all()}),
            },
        )
    return rows


def _hours(minutes: int) -> float:
    return round(minutes / 60, 2)


def _classify(level: str | None, hours: float) -> str:
    if level is None:
        return intensity.NOT_APPLICABLE
    return intensity.classify(level, min(hours, 168.0))


def week_figures(
    organization_id: int, patient_ids: list[int], site: Site, first: dt.date
) -> dict[int, dict]:
    """Scheduled and attended minutes per patient in the site-local week from ``first``."""
    start, end = local_bounds(site, first, 7)
    out: dict[int, dict] = {pid: {"scheduled": 0, "attended": 0} for pid in patient_ids}
    rows = SessionAttendee.objects.filter(
        organization_id=organization_id,
        patient_id__in=patient_ids,
        session__starts_at__gte=start,
        session__starts_at__lt=end,
    ).values_list("patient_id", "session__duration_minutes", "status", "minutes")
    for pid, duration, status, minutes in rows:
        out[pid]["scheduled"] += duration
        if status == "attended":
            out[pid]["attended"] += minutes or 0
    return out


def missed_last_two(organization_id: int, patient_ids: list[int]) -> set[int]:
    """Patients whose two most recent sessions with a recorded attendance were absences."""
    recent: dict[int, list[str]] = defaultdict(list)
    rows = (
        SessionAttendee.objects.filter(organization_id=organization_id, patient_id__in=patient_ids)
        .exclude(status="")
        .order_by("patient_id", "-session__starts_at", "-id")
        .values_list("patient_id", "status")
    )
    for pid, status in rows:
        if len(recent[pid]) < 2:
            recent[pid].append(status)
    return {pid for pid, st in recent.items() if st == ["absent", "absent"]}


def census_week(organization_id: int, levels: dict[int, str], site: Site, first: dt.date):
    """For the census: per patient id, the week's hours against the level's range and the
    two flags (below range this week, missed the last two sessions)."""
    ids = list(levels)
    figures = week_figures(organization_id, ids, site, first)
    missed = missed_last_two(organization_id, ids)
    out = {}
    for pid, level in levels.items():
        f = figures[pid]
        sched, att = _hours(f["scheduled"]), _hours(f["attended"])
        r = intensity.hours_range(level)
        out[pid] = {
            "scheduled_hours": sched,
            "attended_hours": att,
            "range": r,
            "scheduled": _classify(level, sched),
            "attended": _classify(level, att),
            "below": r.applies and _classify(level, att) == intensity.BELOW,
            "missed_last_two": pid in missed,
        }
    return out


def patient_week(actor: Actor, patient_id: int, on: dt.date | None = None, *, audit_read=True):
    """A patient's counseling in the site-local week holding ``on`` (default: this week):
    hours scheduled and attended, the level of care that day and its range, the sessions."""
    actor.require("session.view")
    patient = patient_ref(actor, patient_id)
    ep = open_episode(actor.organization_id, patient)
    site = ep.site if ep else patient.site
    on = on or site_today(site)
    first = week_start(on)
    stay = (
        LevelOfCareStay.objects.filter(
            organization_id=actor.organization_id,
            episode__patient=patient,
            started_on__lte=on,
        )
        .exclude(ended_on__lt=on)
        .order_by("-started_on", "-id")
        .first()
    )
    level = stay.level if stay else None
    start, end = local_bounds(site, first, 7)
    rows = list(
        SessionAttendee.objects.filter(
            organization_id=actor.organization_id,
            patient=patient,
            session__starts_at__gte=start,
            session__starts_at__lt=end,
        )
        .select_related("session", "session__counselor", "session__site")
        .order_by("session__starts_at", "id")
    )
    flag_audio_only(actor.organization_id, [a.session for a in rows])
    sched = _hours(sum(a.session.duration_minutes for a in rows))
    att = _hours(sum(a.minutes or 0 for a in rows if a.status == "attended"))
    r = intensity.hours_range(level) if level else None
    week = {
        "patient": patient,
        "site": site,
        "week_start": first,
        "week_end": first + dt.timedelta(days=6),
        "level": level,
        "level_label": stay.level_label if stay else "",
        "range": r,
        "range_text": r.text if r else "no level of care that week",
        "scheduled_hours": sched,
        "attended_hours": att,
        "scheduled": _classify(level, sched),
        "attended": _classify(level, att),
        "attendances": rows,
        "audio_only_flags": sum(1 for a in rows if a.session.audio_only_flag),
    }
    if audit_read:
        with transaction.atomic():
            audit.record(
                actor,
                "read",
                "counseling_session",
                "",
                patient_id=patient.pk,
                detail={"view": "week", "week_start": first.isoformat()},
            )
    return week


CASELOAD_DAYS = 60  # a counselor's own patients: on one of their rosters in these days


def caseload(actor: Actor, site: Site, counselor_id: int | None) -> list[dict]:
    """Who a session at ``site`` can take, to pick a roster from: every patient with an open
    episode there, with their current level. A counselor's own caseload comes first: the
    patients on the roster of one of their sessions in the last ``CASELOAD_DAYS`` days
    (Waypoint assigns no counselor to an episode). One ``list`` audit event names them."""
    actor.require("session.manage")
    episodes = list(
        Episode.objects.filter(
            organization_id=actor.organization_id, site=site, discharged_on__isnull=True
        )
        .select_related("patient")
        .prefetch_related(
            Prefetch(
                "stays",
                queryset=LevelOfCareStay.objects.filter(ended_on__isnull=True),
                to_attr="open_stays",
            )
        )
    )
    mine: set[int] = set()
    if counselor_id is not None:
        since = timezone.now() - dt.timedelta(days=CASELOAD_DAYS)
        mine = set(
            SessionAttendee.objects.filter(
                organization_id=actor.organization_id,
                session__counselor_id=counselor_id,
                session__starts_at__gte=since,
            ).values_list("patient_id", flat=True)
        )
    rows: list[dict[str, Any]] = [
        {
            "patient": ep.patient,
            "level": LEVEL_LABELS.get(ep.open_stays[0].level, "") if ep.open_stays else "",
            "mine": ep.patient_id in mine,
        }
        for ep in episodes
    ]
    rows.sort(
        key=lambda r: (not r["mine"], r["patient"].last_name_key, r["patient"].first_name_key)
    )
    with transaction.atomic():
        audit.record(
            actor,
            "list",
            "patient",
            "",
            detail={
                "view": "session_caseload",
                "site": site.code,
                "results": sorted(r["patient"].pk for r in rows),
            },
        )
    return rows


def next_appointments(actor: Actor, patient: Patient, limit: int = 4) -> dict:
    """The face sheet's "Next appointments": the person's next counseling sessions (from
    now, on their rosters), soonest first (one indexed query; no audit event)."""
    rows = list(
        SessionAttendee.objects.filter(
            organization_id=actor.organization_id,
            patient=patient,
            session__starts_at__gte=timezone.now(),
        )
        .select_related("session__counselor", "session__site")
        .order_by("session__starts_at")[:limit]
    )
    return {"sessions": [r.session for r in rows]}
