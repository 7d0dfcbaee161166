"""The home page's care panels (core/home.py; registered in apps.py): the counselor's
caseload and sessions today, the treatment plans waiting for a clinician's signature, and
the admissions of the day.

Like the census, this module sits above care's three sub-domains and reads them. Each
panel is bounded (counts and the first ``HOME_ROWS`` rows, with a link to the full board),
reads with a few indexed queries, and records one ``list`` audit event naming the patients
it shows.

A counselor's caseload is the census's and the session form's: the patients on the roster
of one of their sessions in the last ``sessions.CASELOAD_DAYS`` days (Waypoint assigns no
counselor to an episode), in care at the counselor's site. Who falls below their level's
weekly hours is judged by ``clinical.intensity`` on the trailing seven days (today and the
six before, site-local), so a Monday is not judged on one day (review M9); a stay that
began less than seven days ago is not judged yet.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.clinical import intensity
from waypoint.clinical.level_of_care import LEVEL_LABELS
from waypoint.core.selectors import site_today
from waypoint.patients import access
from waypoint.patients.chart import chart_url

from .models import (
    ATTENDANCE_STATUSES,
    CounselingSession,
    Episode,
    LevelOfCareStay,
    SessionAttendee,
    TreatmentPlan,
)
from .sessions import selectors as sessions

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.core.models import Site

HOME_ROWS = 8
PLAN_DUE_SOON_DAYS = 7  # a plan review due within a week is on the counselor's list
TRAILING_DAYS = 7


def _audit(actor: Actor, kind: str, view: str, site: Site, patient_ids) -> None:
    ids = sorted(set(patient_ids))
    if not ids:
        return
    with transaction.atomic():
        audit.record(
            actor,
            "list",
            kind,
            "",
            patients=ids,
            detail={"view": view, "site": site.code, "results": ids[:200]},
        )


def _mask(actor: Actor, rows: list[dict]) -> list[dict]:
    hidden = access.hidden_ids(actor, (r["patient"].pk for r in rows))
    for r in rows:
        if r["patient"].pk in hidden:
            r["patient"] = access.masked_copy(r["patient"])
            r["hidden"] = True
    return rows


def _by_name(rows: list[dict]) -> list[dict]:
    return sorted(
        rows,
        key=lambda r: (
            r.get("hidden", False),
            r["patient"].last_name_key or "",
            r["patient"].first_name_key or "",
            r["patient"].pk,
        ),
    )


def _todays_sessions(actor: Actor, site: Site, today: dt.date) -> list[dict[str, Any]]:
    """The counselor's own sessions on the site's day (any site), with their rosters: each
    ``{"session", "started", "to_record", "day_url"}``."""
    start, end = sessions.local_bounds(site, today, 1)
    rows = list(
        CounselingSession.objects.filter(
            organization_id=actor.organization_id,
            counselor_id=actor.user.pk,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .select_related("site")
        .prefetch_related(
            Prefetch(
                "attendees",
                queryset=SessionAttendee.objects.select_related("patient").order_by(
                    "patient__last_name_key", "patient__first_name_key", "id"
                ),
            )
        )
        .order_by("starts_at", "id")[:20]
    )
    hidden = access.hidden_ids(actor, (a.patient_id for s in rows for a in s.attendees.all()))
    now = timezone.now()
    out = []
    for s in rows:
        for a in s.attendees.all():
            if a.patient_id in hidden:
                a.patient = access.masked_copy(a.patient)
        local = s.starts_at.astimezone(s.site.tz).date()
        out.append(
            {
                "session": s,
                "started": s.starts_at <= now,
                "to_record": sum(1 for a in s.attendees.all() if not a.status),
                "day_url": f"{sessions_day_url()}?site={s.site.code}&date={local.isoformat()}"
                f"&counselor={s.counselor_id}#session-{s.pk}",
            }
        )
    return out


def sessions_day_url() -> str:
    from django.urls import reverse

    return reverse("care:session_day")


def counselor_home(actor: Actor, site: Site | None) -> dict[str, Any]:
    """The counselor's day: their sessions today with the attendance still to record (a
    form per person, right on the home page), their caseload at the site with each
    person's level and hours of the trailing seven days, who falls below the level's
    weekly hours, and the treatment plans due for review within a week or not yet signed
    by a clinician."""
    if site is None:
        return {"counselor": None}
    actor.require("session.view")
    org = actor.organization_id
    today = site_today(site)
    todays = _todays_sessions(actor, site, today)
    since = timezone.now() - dt.timedelta(days=sessions.CASELOAD_DAYS)
    mine = set(
        SessionAttendee.objects.filter(
            organization_id=org,
            session__counselor_id=actor.user.pk,
            session__starts_at__gte=since,
        ).values_list("patient_id", flat=True)
    )
    episodes = list(
        Episode.objects.filter(
            organization_id=org, site=site, discharged_on__isnull=True, patient_id__in=mine
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
    first = today - dt.timedelta(days=TRAILING_DAYS - 1)
    figures = sessions.week_figures(org, [e.patient_id for e in episodes], site, first)
    plans = {
        p.episode_id: p
        for p in TreatmentPlan.objects.filter(
            organization_id=org, superseded_at__isnull=True, episode__in=episodes
        )
    }
    rows: list[dict] = []
    for ep in episodes:
        stay = ep.open_stays[0] if ep.open_stays else None
        level = stay.level if stay else None
        attended = round(figures[ep.patient_id]["attended"] / 60, 2)
        judged = stay is not None and stay.started_on <= first
        hours = intensity.hours_range(level) if level else None
        is_below = bool(
            judged
            and level is not None
            and hours is not None
            and hours.applies
            and intensity.classify(level, min(attended, 168.0)) == intensity.BELOW
        )
        plan = plans.get(ep.pk)
        rows.append(
            {
                "patient": ep.patient,
                "episode": ep,
                "level": LEVEL_LABELS.get(level, "") if level else "",
                "range": hours.text if hours else "",
                "attended": attended,
                "below": is_below,
                "plan": plan,
                "plan_due": plan is not None
                and plan.review_due_on <= today + dt.timedelta(PLAN_DUE_SOON_DAYS),
                "plan_overdue": plan is not None and plan.review_due_on < today,
                "plan_unsigned": plan is not None and plan.clinician_signed_at is None,
                "url": chart_url(ep.patient_id),
            }
        )
    rows = _by_name(_mask(actor, rows))
    below = [r for r in rows if r["below"]]
    plans_due = sorted(
        (r for r in rows if r["plan_due"] or r["plan_unsigned"]),
        key=lambda r: r["plan"].review_due_on,
    )
    for r in plans_due:
        r["plan_url"] = chart_url(r["patient"].pk, "plan")
    to_record = sum(s["to_record"] for s in todays)
    shown = (
        [r["patient"].pk for r in rows[:HOME_ROWS]]
        + [r["patient"].pk for r in below[:HOME_ROWS]]
        + [r["patient"].pk for r in plans_due[:HOME_ROWS]]
        + [a.patient_id for s in todays for a in s["session"].attendees.all()]
    )
    _audit(actor, "patient", "home_counselor", site, shown)
    return {
        "counselor": {
            "site": site,
            "today": today,
            "sessions": todays,
            "to_record": to_record,
            "statuses": ATTENDANCE_STATUSES,
            "caseload": rows[:HOME_ROWS],
            "caseload_count": len(rows),
            "below": below[:HOME_ROWS],
            "below_count": len(below),
            "plans": plans_due[:HOME_ROWS],
            "plans_count": len(plans_due),
            "trailing_from": first,
            "day_url": f"{sessions_day_url()}?site={site.code}",
        }
    }


def plans_to_sign_home(actor: Actor, site: Site | None) -> dict[str, Any]:
    """Current treatment plans of open episodes at the site that no clinician has signed,
    oldest first: the physician signs them on the chart's plan section."""
    if site is None:
        return {"plans_to_sign": None}
    actor.require("plan.view")
    qs = (
        TreatmentPlan.objects.filter(
            organization_id=actor.organization_id,
            superseded_at__isnull=True,
            clinician_signed_at__isnull=True,
            episode__site=site,
            episode__discharged_on__isnull=True,
        )
        .select_related("patient")
        .order_by("plan_date", "id")
    )
    count = qs.count()
    rows = _mask(actor, [{"patient": p.patient, "plan": p} for p in qs[:HOME_ROWS]])
    for r in rows:
        r["url"] = chart_url(r["patient"].pk, "plan")
    _audit(actor, "treatment_plan", "home_plans_to_sign", site, [r["patient"].pk for r in rows])
    return {"plans_to_sign": {"site": site, "rows": rows, "count": count}}


def admissions_home(actor: Actor, site: Site | None) -> dict[str, Any]:
    """Today's admissions at the site (site-local day), newest first."""
    if site is None:
        return {"admissions": None}
    actor.require("episode.view")
    today = site_today(site)
    qs = (
        Episode.objects.filter(organization_id=actor.organization_id, site=site, admitted_on=today)
        .select_related("patient")
        .prefetch_related(
            Prefetch(
                "stays",
                queryset=LevelOfCareStay.objects.order_by("started_on", "id"),
                to_attr="all_stays",
            )
        )
        .order_by("-created_at", "-id")
    )
    count = qs.count()
    rows: list[dict[str, Any]] = []
    for ep in qs[:HOME_ROWS]:
        stay = ep.all_stays[0] if ep.all_stays else None
        rows.append(
            {
                "patient": ep.patient,
                "episode": ep,
                "level": LEVEL_LABELS.get(stay.level, "") if stay else "",
                "url": chart_url(ep.patient_id, "episode"),
            }
        )
    rows = _mask(actor, rows)
    _audit(actor, "episode", "home_admissions", site, [r["patient"].pk for r in rows])
    return {"admissions": {"site": site, "today": today, "rows": rows, "count": count}}
