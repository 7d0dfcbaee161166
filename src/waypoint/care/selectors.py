"""Reads of episodes of care: one episode, a patient's episodes, the census board, the chart
section. Always scoped to the actor's organization; API and board reads are audited (the
chart page's read is audited once for the whole chart)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Prefetch

from waypoint.audit import services as audit
from waypoint.clinical.length_of_stay import (
    LengthOfStay,
    Stay,
    average_days,
    length_of_stay,
    stay_days,
)
from waypoint.clinical.level_of_care import LEVEL_LABELS, LEVELS
from waypoint.core.errors import NotFound
from waypoint.core.models import Site
from waypoint.patients.selectors import patient_ref

from .codes import DISCHARGE_REASONS, REFERRAL_SOURCES, SUBSTANCES
from .models import Episode, LevelOfCareStay
from .services import site_today

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.patients.models import Patient

AVERAGE_LOS_WINDOW_DAYS = 90


def _episodes(organization_id: int):
    return (
        Episode.objects.filter(organization_id=organization_id)
        .select_related("site", "patient")
        .prefetch_related(
            Prefetch("stays", queryset=LevelOfCareStay.objects.order_by("started_on", "id"))
        )
    )


def episode_written(actor: Actor, episode_id: int) -> Episode:
    """An episode a service has just written, with its stays, to shape the answer (the
    service's audit event covers it)."""
    return _episodes(actor.organization_id).get(pk=episode_id)


def los_for(ep: Episode, today: dt.date | None = None) -> LengthOfStay:
    """Length of stay of an episode, counted to the site's local today while it is open."""
    stays = [Stay(s.level, s.started_on, s.ended_on) for s in ep.stays.all()]
    return length_of_stay(ep.admitted_on, ep.discharged_on, stays, today or site_today(ep.site))


def current_stay(ep: Episode) -> LevelOfCareStay | None:
    return next((s for s in ep.stays.all() if s.ended_on is None), None)


def episode_get(actor: Actor, episode_id: int) -> Episode:
    actor.require("episode.view")
    with transaction.atomic():
        ep = _episodes(actor.organization_id).filter(pk=episode_id).first()
        if ep is None:
            raise NotFound("episode")
        audit.record(actor, "read", "episode", ep.pk, patient_id=ep.patient_id)
    return ep


def episodes_for_patient(actor: Actor, patient_id: int) -> list[Episode]:
    actor.require("episode.view")
    with transaction.atomic():
        patient = patient_ref(actor, patient_id)
        rows = list(_episodes(actor.organization_id).filter(patient=patient))
        audit.record(
            actor, "read", "episode", "", patient_id=patient.pk, detail={"count": len(rows)}
        )
    return rows


def census(actor: Actor, site: Site) -> dict:
    """The site's board: current patients by level with days in level and in episode;
    counts by level; admissions and discharges this week (Monday to today, site-local);
    average length of stay of episodes discharged in the last 90 days."""
    actor.require("episode.view")
    org = actor.organization_id
    today = site_today(site)
    week_start = today - dt.timedelta(days=today.weekday())
    open_eps = list(
        _episodes(org)
        .filter(site=site, discharged_on__isnull=True)
        .order_by("patient__last_name_key", "patient__first_name_key", "id")
    )
    by_level: dict[str, list[dict]] = {lvl: [] for lvl in LEVELS}
    for ep in open_eps:
        stay = current_stay(ep)
        if stay is None:
            continue
        los = los_for(ep, today)
        by_level[stay.level].append(
            {
                "episode": ep,
                "patient": ep.patient,
                "stay": stay,
                "days_in_level": los.current_level_days,
                "days_in_episode": los.total_days,
            }
        )
    if actor.can("session.view"):  # counseling hours this week and the two flags
        from .session_selectors import census_week

        rows = [r for lv in by_level.values() for r in lv]
        weeks = census_week(org, {r["patient"].pk: r["stay"].level for r in rows}, site, week_start)
        for r in rows:
            r["week"] = weeks[r["patient"].pk]
    if actor.can("plan.view"):  # treatment plans whose review date has passed
        from .plan_selectors import plans_review_overdue

        overdue = {p.patient_id: p for p in plans_review_overdue(org, site)}
        for lv in by_level.values():
            for r in lv:
                r["plan_overdue"] = overdue.get(r["patient"].pk)
    here = Episode.objects.filter(organization_id=org, site=site)
    recent = here.filter(discharged_on__gte=today - dt.timedelta(days=AVERAGE_LOS_WINDOW_DAYS))
    lengths = [(d - a).days for a, d in recent.values_list("admitted_on", "discharged_on")]
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


def chart_context(actor: Actor, patient: Patient) -> dict:
    episodes = list(_episodes(actor.organization_id).filter(patient=patient))
    current = next((ep for ep in episodes if ep.is_open), None)
    today = site_today(current.site if current else patient.site)
    history = []
    for ep in episodes:
        los = los_for(ep)
        history.append(
            {
                "episode": ep,
                "los": los,
                "by_level": [(LEVEL_LABELS.get(k, k), v) for k, v in los.by_level.items()],
                "stay": current_stay(ep),
                "stays": [
                    {"stay": s, "days": stay_days(s.started_on, s.ended_on, site_today(ep.site))}
                    for s in ep.stays.all()
                ],
            }
        )
    suggested = ""
    from waypoint.assessments.models import LevelOfCareAssessment

    decided = (
        LevelOfCareAssessment.objects.filter(organization_id=actor.organization_id, patient=patient)
        .exclude(decided_level="")
        .first()
    )
    if decided is not None:
        suggested = decided.decided_level
    return {
        "current": next((h for h in history if h["episode"].is_open), None),
        "episodes": history,
        "today": today,
        "level_choices": [(lvl, LEVEL_LABELS[lvl]) for lvl in LEVELS],
        "reasons": [(c[0], c[1]) for c in DISCHARGE_REASONS],
        "referrals": [(c[0], c[1]) for c in REFERRAL_SOURCES],
        "substances": [(c[0], c[1]) for c in SUBSTANCES],
        "suggested_level": suggested,
        "sites": Site.objects.filter(organization_id=actor.organization_id, active=True),
        "can_manage": actor.can("episode.manage"),
    }
