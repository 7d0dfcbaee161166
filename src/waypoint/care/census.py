"""The census board: who is in care at a site now, by level of care, with the week's
counseling hours and overdue treatment-plan reviews beside each patient.

The census sits above the three sub-domains of care and composes them: it reads episodes
(``care.episodes``), sessions (``care.sessions``) and plans (``care.plans``); none of them
reads the census, and episodes read neither plans nor sessions.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from waypoint.audit import services as audit
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
    board = {
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
            patients=[ep.patient_id for ep in open_eps],
            detail={
                "view": "census",
                "site": site.code,
                "results": [ep.patient_id for ep in open_eps],
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
