"""Counseling pages: a counselor's day (sessions, rosters, quick attendance forms) and the
scheduling form. Thin views over the session services and selectors."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from pydantic import ValidationError

from waypoint.care.models import ATTENDANCE_STATUSES, SESSION_KINDS
from waypoint.core.errors import DomainError
from waypoint.core.selectors import site_today
from waypoint.core.web import Actor, form_errors, site_from_request, staff_view

from . import selectors, services
from .schemas import AttendanceIn, RepeatIn, SessionIn


def _int(raw: str) -> int | None:
    raw = (raw or "")[:12]
    return int(raw) if raw.isdigit() else None


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
    sessions = selectors.sessions_on_day(actor, site, on, counselor_id)
    return render(
        request,
        "care/session_day.html",
        {
            "sessions": sessions,
            "site": site,
            "sites": sites,
            "on": on,
            "today": today,
            "prev": on - dt.timedelta(days=1),
            "next": on + dt.timedelta(days=1),
            "counselor_id": counselor_id,
            "counselors": selectors.counselors(actor.organization_id),
            "statuses": ATTENDANCE_STATUSES,
            "can_manage": actor.can("session.manage"),
        },
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
    try:
        minutes = p.get("minutes", "").strip()
        data = AttendanceIn(
            patient=p.get("patient", ""),
            status=p.get("status", ""),
            minutes=minutes or None,
        )
        row = services.attendance_record(actor, s.pk, data.patient, data.status, data.minutes)
        messages.success(request, f"Attendance recorded: {row.status_label.lower()}.")
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404:
            raise Http404 from exc
        errors = form_errors(exc)
        messages.error(
            request, " · ".join(v if k == "general" else f"{k}: {v}" for k, v in errors.items())
        )
    return redirect(back)


@staff_view("session.manage")
def new(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Schedule a session (or a weekly series) from a form: the roster is given as MRNs."""
    sites = selectors.active_sites(actor.organization_id)
    counselors = selectors.counselors(actor.organization_id)
    home = actor.user.site.code if actor.user.site_id else (sites[0].code if sites else "")
    data = {
        "kind": "group",
        "site": home,
        "counselor": str(actor.user.pk),
        "duration": "60",
        "date": "",
        "time": "10:00",
        "title": "",
        "mrns": "",
        "weeks": "1",
    }
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = {k: request.POST.get(k, "").strip()[:400] for k in data}
        site = next((s for s in sites if s.code == data["site"]), None)
        mrns = [m for m in data["mrns"].replace(",", " ").split() if m]
        found = selectors.patient_ids_by_mrn(actor.organization_id, mrns)
        missing = [m for m in mrns if m not in found]
        try:
            if site is None:
                raise DomainError("unknown_site", "Choose a site.")
            if missing:
                raise DomainError("unknown_patient", f"No patient with MRN {', '.join(missing)}.")
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
                    patients=[found[m] for m in mrns],
                    repeat=RepeatIn(count=weeks) if weeks > 1 else None,
                ),
            )
            messages.success(request, f"{len(sessions)} session(s) scheduled.")
            return redirect(
                reverse("care:session_day")
                + f"?site={site.code}&date={day.isoformat()}&counselor={data['counselor']}"
            )
        except ValidationError as exc:
            errors = form_errors(exc)
        except DomainError as exc:
            if exc.status == 404:
                errors = {"general": "A patient on the roster is not in this organization."}
            else:
                errors = form_errors(exc)
        except ValueError:
            errors = {"general": "Give a real date, time, duration and number of weeks."}
    return render(
        request,
        "care/session_new.html",
        {
            "data": data,
            "errors": errors,
            "sites": sites,
            "counselors": counselors,
            "kinds": SESSION_KINDS,
        },
        status=422 if errors else 200,
    )
