"""The census board: who is in care at a site now, by level of care, with the week's
counseling hours and overdue treatment-plan reviews beside each patient.

The census sits above the three sub-domains of care and composes them: it reads episodes
(``care.episodes``), sessions (``care.sessions``) and plans (``care.plans``); none of them
reads the census, and episodes read neither plans nor sessions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction

from waypoint.audit import services as audit
from waypoint.clinical.aftercare import RECENT_DISCHARGE_DAYS, discharge_recent
from waypoint.clinical.length_of_stay import average_days
from waypoint.clinical.level_of_care import LEVEL_LABELS, LEVELS
from waypoint.core.models import Site
from waypoint.core.selectors import site_today
from waypoint.patients import access

from .episodes import selectors as episodes
from .models import Episode, LevelOfCareStay
from .plans import selectors as plans
from .sessions import selectors as sessions

if TYPE_CHECKING:
    from waypoint.core.actor import Actor

AVERAGE_LOS_WINDOW_DAYS = 90


@dataclass(frozen=True)
class DischargeFollowUp:
    """Something every discharge should be followed by, kept by an app above care (the
    recovery app: an aftercare plan). The census lists the site's discharges of the last
    30 days (the person not back in care) for which ``missing`` says it is not done."""

    key: str
    title: str  # the list's heading
    action: str  # permission needed to see the list
    missing: Callable[[Actor, list[Episode]], set[int]]  # the episode ids without it
    link: Callable[[int], str]  # patient id -> the page that does it
    link_text: str


_FOLLOW_UPS: dict[str, DischargeFollowUp] = {}


def register_discharge_follow_up(follow_up: DischargeFollowUp) -> None:
    """Add a list to the census (from ``AppConfig.ready()``; the same key again replaces)."""
    _FOLLOW_UPS[follow_up.key] = follow_up


def _recent_discharges(org: int, site: Site, today: dt.date) -> list[Episode]:
    """The site's discharges of the last 30 days, the latest per person, leaving out people
    back in care (an open episode anywhere)."""
    rows = (
        Episode.objects.filter(
            organization_id=org,
            site=site,
            discharged_on__gte=today - dt.timedelta(days=RECENT_DISCHARGE_DAYS),
            discharged_on__lte=today,
        )
        .select_related("patient")
        .order_by("-discharged_on", "-id")
    )
    back = set(
        Episode.objects.filter(
            organization_id=org,
            discharged_on__isnull=True,
            patient_id__in=rows.values("patient_id"),
        ).values_list("patient_id", flat=True)
    )
    out: dict[int, Episode] = {}
    for ep in rows:
        if (
            ep.patient_id not in back
            and ep.discharged_on
            and discharge_recent(ep.discharged_on, today)
        ):
            out.setdefault(ep.patient_id, ep)
    return list(out.values())


def _follow_ups(actor: Actor, site: Site, today: dt.date) -> list[dict]:
    wanted = [f for f in _FOLLOW_UPS.values() if actor.can(f.action)]
    if not wanted:
        return []
    recent = _recent_discharges(actor.organization_id, site, today)
    hidden = access.hidden_ids(actor, (ep.patient_id for ep in recent))
    out = []
    for f in wanted:
        missing = f.missing(actor, recent) if recent else set()
        out.append(
            {
                "key": f.key,
                "title": f.title,
                "link_text": f.link_text,
                "rows": [
                    {
                        "episode": ep,
                        "patient": access.masked_copy(ep.patient)
                        if ep.patient_id in hidden
                        else ep.patient,
                        "url": f.link(ep.patient_id),
                    }
                    for ep in recent
                    if ep.pk in missing
                ],
            }
        )
    return out


def census(actor: Actor, site: Site) -> dict:
    """The site's board: current patients by level with days in level and in episode;
    counts by level; admissions and discharges this week (Monday to today, site-local);
    average length of stay of episodes discharged in the last 90 days."""
    actor.require("episode.view")
    org = actor.organization_id
    today = site_today(site)
    week_start = today - dt.timedelta(days=today.weekday())
    open_eps = list(
        episodes.episode_rows(org)
        .filter(site=site, discharged_on__isnull=True)
        .order_by("patient__last_name_key", "patient__first_name_key", "id")
    )
    # A restricted record the actor may not open is on the board masked (one query).
    hidden = access.hidden_ids(actor, (ep.patient_id for ep in open_eps))
    by_level: dict[str, list[dict]] = {lvl: [] for lvl in LEVELS}
    for ep in open_eps:
        stay = episodes.current_stay(ep)
        if stay is None:
            continue
        los = episodes.los_for(ep, today)
        by_level[stay.level].append(
            {
                "episode": ep,
                "patient": access.masked_copy(ep.patient)
                if ep.patient_id in hidden
                else ep.patient,
                "stay": stay,
                "days_in_level": los.current_level_days,
                "days_in_episode": los.total_days,
            }
        )
    if actor.can("session.view"):  # counseling hours this week and the two flags
        rows = [r for lv in by_level.values() for r in lv]
        weeks = sessions.census_week(
            org, {r["patient"].pk: r["stay"].level for r in rows}, site, week_start
        )
        for r in rows:
            r["week"] = weeks[r["patient"].pk]
    if actor.can("plan.view"):  # treatment plans whose review date has passed
        overdue = {p.patient_id: p for p in plans.plans_review_overdue(org, site)}
        for lv in by_level.values():
            for r in lv:
                r["plan_overdue"] = overdue.get(r["patient"].pk)
    here = Episode.objects.filter(organization_id=org, site=site)
    recent = here.filter(discharged_on__gte=today - dt.timedelta(days=AVERAGE_LOS_WINDOW_DAYS))
    lengths = [
        (d - a).days
        for a, d in recent.values_list("admitted_on", "discharged_on")
        if d is not None  # the filter ensures a date
    ]
    follow_ups = _follow_ups(actor, site, today)
    board = {
        "follow_ups": follow_ups,
        "site": site,
        "today": today,
        "week_start": week_start,
        "levels": [
            {"level": lvl, "label": LEVEL_LABELS[lvl], "rows": by_level[lvl]} for lvl in LEVELS
        ],
        "counts": {lvl: len(by_level[lvl]) for lvl in LEVELS},
        "current_total": sum(len(v) for v in by_level.values()),
        "admissions_this_week": here.filter(admitted_on__gte=week_start).count(),
        "discharges_this_week": here.filter(discharged_on__gte=week_start).count(),
        "average_los_days": average_days(lengths),
        "average_los_count": len(lengths),
        "average_los_window": AVERAGE_LOS_WINDOW_DAYS,
    }
    with transaction.atomic():
        audit.record(
            actor,
            "list",
            "episode",
            "",
            patients=[ep.patient_id for ep in open_eps]
            + [r["episode"].patient_id for f in follow_ups for r in f["rows"]],
            detail={
                "view": "census",
                "site": site.code,
                "results": [ep.patient_id for ep in open_eps],
                **(
                    {
                        f["key"]: [r["episode"].patient_id for r in f["rows"]]
                        for f in follow_ups
                        if f["rows"]
                    }
                ),
            },
        )
    return board


def census_counts_by_site(actor: Actor) -> list[dict]:
    """Open episodes per site and level (no patient named, so not a patient read)."""
    actor.require("episode.view")
    org = actor.organization_id
    rows = LevelOfCareStay.objects.filter(
        organization_id=org, ended_on__isnull=True, episode__discharged_on__isnull=True
    ).values_list("episode__site_id", "level")
    counts: dict[int, dict[str, int]] = {}
    for site_id, level in rows:
        counts.setdefault(site_id, dict.fromkeys(LEVELS, 0))[level] += 1
    out = []
    for s in Site.objects.filter(organization_id=org, active=True):
        c = counts.get(s.pk, dict.fromkeys(LEVELS, 0))
        out.append({"site": s, "counts": [c[lvl] for lvl in LEVELS], "total": sum(c.values())})
    return out
