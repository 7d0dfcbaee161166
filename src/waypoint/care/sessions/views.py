"""Counseling pages: a counselor's day (sessions, rosters, quick attendance forms) and the
scheduling form. Thin views over the session services and selectors."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from pydantic import ValidationError

from waypoint.care.models import (
    ATTENDANCE_STATUSES,
    SESSION_KIND_LABELS,
    SESSION_KINDS,
    SESSION_MODALITIES,
)
from waypoint.core.errors import DomainError
from waypoint.core.schemas import MAX_ID, bounded_int
from waypoint.core.selectors import site_today
from waypoint.core.web import (
    Actor,
    FormState,
    done_redirect,
    refused,
    say_done,
    site_from_request,
    staff_view,
)

from . import selectors, services
from .schemas import AttendanceIn, RepeatIn, SessionIn, SessionSettingsIn


def _int(raw: str) -> int | None:
    """A record id typed in a query string or a form, or None."""
    return bounded_int(raw, 1, MAX_ID)


def _date(raw: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat((raw or "")[:10]) if raw else default
    except ValueError:
        return default


@staff_view("session.view")
def day(request: HttpRequest, actor: Actor) -> HttpResponse:
    site, sites = site_from_request(request, actor)
    today = site_today(site)
    on = _date(request.GET.get("date", ""), today)
    raw = request.GET.get("counselor")
    counselor_id = (
        _int(raw) if raw is not None else (actor.user.pk if actor.role == "counselor" else None)
    )
    return _day_page(request, actor, site, sites, on, counselor_id)


def _day_page(
    request: HttpRequest,
    actor: Actor,
    site,
    sites,
    on: dt.date,
    counselor_id: int | None,
    form: FormState | None = None,
) -> HttpResponse:
    sessions = selectors.sessions_on_day(actor, site, on, counselor_id)
    selectors.note_links(actor, sessions)  # each session's note: to write, a draft, signed
    return render(
        request,
        "care/session_day.html",
        {
            "sessions": sessions,
            "site": site,
            "sites": sites,
            "on": on,
            "today": site_today(site),
            "prev": on - dt.timedelta(days=1),
            "next": on + dt.timedelta(days=1),
            "counselor_id": counselor_id,
            "counselors": selectors.counselors(actor.organization_id),
            "statuses": ATTENDANCE_STATUSES,
            "can_manage": actor.can("session.manage"),
            "can_settings": actor.can("session.settings"),
            "form": form,
        },
        status=form.status if form else 200,
    )


@staff_view("session.manage")
def attendance(request: HttpRequest, actor: Actor, session_id: int) -> HttpResponse:
    s = selectors.session_for_page(actor, session_id)
    if s is None:
        raise Http404
    local = s.starts_at.astimezone(s.site.tz).date()
    back = (
        reverse("care:session_day")
        + f"?site={s.site.code}&date={local.isoformat()}&counselor={s.counselor_id}"
        + f"#session-{s.pk}"
    )
    if request.method != "POST":
        return redirect(back)
    p = request.POST
    patient_id = _int(p.get("patient", ""))
    key = f"att-{s.pk}-{patient_id}"
    attendee = next((a for a in s.attendees.all() if a.patient_id == patient_id), None)
    name = (
        f"{attendee.patient.first_name} {attendee.patient.last_name}"
        if attendee
        else "this patient"
    )
    try:
        minutes = p.get("minutes", "").strip()
        if p.get("status") != "attended":
            minutes = ""  # minutes count only for attended: absent, excused... clear them
        elif not minutes:
            minutes = str(s.duration_minutes)  # attended, left blank: the whole session
        data = AttendanceIn(
            patient=p.get("patient", ""),
            status=p.get("status", ""),
            minutes=minutes or None,
        )
        row = services.attendance_record(actor, s.pk, data.patient, data.status, data.minutes)
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404:
            raise Http404 from exc
        form = refused(
            request,
            key,
            exc,
            labels={
                "minutes": f"the minutes attended (1 to {s.duration_minutes})",
                "status": "the attendance",
                "patient": "the patient",
            },
            ids={"minutes": f"mi-{s.pk}-{patient_id}", "status": f"st-{s.pk}-{patient_id}"},
            title=f"Attendance not saved for {name}",
            codes={
                "minutes_required": "Enter the minutes attended (1 or more).",
                "minutes_exceed_duration": "The minutes attended cannot be more than the "
                f"session's {s.duration_minutes} minutes.",
                "unknown_attendance_status": "Choose the attendance.",
            },
        )
        sites = selectors.active_sites(actor.organization_id)
        return _day_page(request, actor, s.site, sites, local, s.counselor_id, form)
    minutes_text = f" ({row.minutes} min)" if row.minutes else ""
    # attendance and note in one flow: the session's card links to its note (note_links)
    next_step = ""
    if s.kind == "group" and selectors.attendance_complete(s):
        next_step = " Every attendance is recorded: the group note is next."
    say_done(
        request,
        key,
        f"Attendance saved for {name}: {row.status_label.lower()}{minutes_text}.{next_step}",
    )
    if p.get("back") == "home":  # recorded from the counselor's home page: back there
        back = reverse("home")
    return done_redirect(back, key)


@staff_view("session.manage")
def new(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Schedule a session (or a weekly series) from a form: the roster is picked from the
    people in care at the site, the counselor's own caseload first (``?patient=`` ticks
    one, from the chart or the census). Typed MRNs are still taken, as a fallback."""
    sites = selectors.active_sites(actor.organization_id)
    counselors = selectors.counselors(actor.organization_id)
    home = actor.user.site.code if actor.user.site else (sites[0].code if sites else "")
    data = {
        "kind": "group",
        "modality": "in_person",
        "site": (request.GET.get("site") or home)[:20],
        "counselor": str(actor.user.pk),
        "duration": "60",
        "date": "",
        "time": "10:00",
        "title": "",
        "mrns": "",
        "weeks": "1",
    }
    picked = [i for i in [_int(request.GET.get("patient", ""))] if i]
    form: FormState | None = None
    if request.method == "POST":
        data = {k: request.POST.get(k, "").strip()[:400] for k in data}
        picked = [i for i in (_int(v) for v in request.POST.getlist("patients")[:40]) if i]
        site = next((s for s in sites if s.code == data["site"]), None)
        mrns = [m for m in data["mrns"].replace(",", " ").split() if m]
        found = selectors.patient_ids_by_mrn(actor.organization_id, mrns)
        missing = [m for m in mrns if m not in found]
        try:
            if site is None:
                raise DomainError("unknown_site", "Choose a site.", field="site")
            if missing:
                raise DomainError(
                    "unknown_patient", f"No patient with MRN {', '.join(missing)}.", field="mrns"
                )
            day = dt.date.fromisoformat(data["date"])
            at = dt.time.fromisoformat(data["time"])
            weeks = int(data["weeks"] or "1")
            starts = dt.datetime.combine(day, at, tzinfo=site.tz)
            sessions = services.session_schedule(
                actor,
                SessionIn(
                    kind=data["kind"],
                    site=site.code,
                    counselor=int(data["counselor"] or 0),
                    starts_at=starts,
                    duration_minutes=int(data["duration"] or 0),
                    title=data["title"],
                    modality=data["modality"] or "in_person",
                    patients=list(dict.fromkeys([*picked, *(found[m] for m in mrns)])),
                    repeat=RepeatIn(count=weeks) if weeks > 1 else None,
                ),
            )
            first = sessions[0]
            how = "" if first.modality == "in_person" else f", by {first.modality_label.lower()}"
            key = f"session-{first.pk}"
            say_done(
                request,
                key,
                f"{len(sessions)} session{'s' if len(sessions) != 1 else ''} scheduled"
                f"{', weekly' if len(sessions) > 1 else ''}, "
                f"starting {day:%Y-%m-%d} at {at:%H:%M}"
                f"{how}.",
            )
            return done_redirect(
                reverse("care:session_day")
                + f"?site={site.code}&date={day.isoformat()}&counselor={data['counselor']}",
                key,
            )
        except (ValidationError, DomainError, ValueError) as exc:
            problem: Exception | dict[str, str] = exc
            if isinstance(exc, DomainError) and exc.status == 404:
                problem = {"patients": "A patient on the roster is not in this organization."}
            elif isinstance(exc, DomainError) and exc.code == "roster_size":
                problem = {"patients": _sentence_roster(exc.message)}
            elif not isinstance(exc, ValidationError | DomainError):
                problem = {
                    "": "Give a real date, start time, number of minutes and number of weeks."
                }
            form = refused(
                request,
                "session",
                problem,
                labels=SESSION_LABELS,
                ids=SESSION_IDS,
                title="Not scheduled",
            )
    site = next((s for s in sites if s.code == data["site"]), sites[0] if sites else None)
    counselor_id = _int(data["counselor"])
    rows = selectors.caseload(actor, site, counselor_id) if site else []
    return render(
        request,
        "care/session_new.html",
        {
            "data": data,
            "errors": form.errors if form else {},
            "form": form,
            "sites": sites,
            "site": site,
            "counselors": counselors,
            "kinds": SESSION_KINDS,
            "modalities": SESSION_MODALITIES,
            "video_required_for": [
                SESSION_KIND_LABELS[k]
                for k in selectors.video_required_for(actor.organization_id)
                if k in SESSION_KIND_LABELS
            ],
            "caseload": rows,
            "picked": set(picked),
            "has_mine": any(r["mine"] for r in rows),
        },
        status=form.status if form else 200,
    )


@staff_view("session.settings")
def settings(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The session kinds that must be held by video: a phone session of such a kind is
    flagged on the day page and the chart's week (``clinical.telehealth``)."""
    chosen = selectors.video_required_for(actor.organization_id)
    form: FormState | None = None
    if request.method == "POST":
        chosen = [k[:20] for k in request.POST.getlist("video_required_for")[:10]]
        try:
            row = services.settings_update(actor, SessionSettingsIn(video_required_for=chosen))
            names = [SESSION_KIND_LABELS[k] for k in row.video_required_for]
            say_done(
                request,
                "session-settings",
                "Video required for: " + (", ".join(names) if names else "no kind") + ".",
            )
            return done_redirect(reverse("care:session_settings"), "session-settings")
        except (ValidationError, DomainError) as exc:
            form = refused(
                request,
                "session-settings",
                exc,
                labels={"video_required_for": "the session kinds"},
                ids={"video_required_for": "kinds"},
                title="Not saved",
            )
    return render(
        request,
        "care/session_settings.html",
        {"kinds": SESSION_KINDS, "chosen": set(chosen), "form": form},
        status=form.status if form else 200,
    )


def _sentence_roster(message: str) -> str:
    if "exactly one" in message:
        return "An individual session has exactly one patient: tick one name."
    return "Tick at least one patient for the roster."


SESSION_LABELS = {
    "kind": "the kind of session",
    "site": "the site",
    "counselor": "the counselor",
    "starts_at": "the date and start time",
    "duration_minutes": "the number of minutes (15 to 480)",
    "title": "the title",
    "modality": "how the session is held",
    "patients": "the roster",
    "repeat": "the number of weeks",
    "repeat.count": "the number of weeks (1 to 52)",
}
SESSION_IDS = {
    "kind": "kind",
    "site": "site",
    "counselor": "counselor",
    "starts_at": "date",
    "duration_minutes": "duration",
    "title": "title",
    "modality": "modality",
    "patients": "roster",
    "mrns": "mrns",
    "repeat": "weeks",
    "repeat.count": "weeks",
}
