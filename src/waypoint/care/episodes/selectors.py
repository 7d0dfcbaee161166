"""Reads of episodes of care: one episode, a patient's episodes, the chart section, and the
row reads the other care sub-domains build on (an episode locked for update, the open stay,
a patient's open episode). Always scoped to the organization; API reads are audited (the
chart page's read is audited once for the whole chart; the census audits its own board)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet

from waypoint.assessments.models import LevelOfCareAssessment
from waypoint.audit import services as audit
from waypoint.care.codes import DISCHARGE_REASONS, REFERRAL_SOURCES, SUBSTANCES
from waypoint.care.models import Episode, LevelOfCareStay
from waypoint.clinical.aftercare import discharge_recent
from waypoint.clinical.length_of_stay import LengthOfStay, Stay, length_of_stay, stay_days
from waypoint.clinical.level_of_care import LEVEL_LABELS, LEVELS
from waypoint.core.errors import Conflict, NotFound
from waypoint.core.hooks import add_once
from waypoint.core.models import Site
from waypoint.core.selectors import locked_in_org, site_today
from waypoint.patients.selectors import patient_ref

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.patients.models import Patient


# Functions (actor, episode) -> what a discharge asks for next that is not done yet, each
# ``{"key", "text", "url"}`` (the recovery app: "Write the aftercare plan", "Give a naloxone
# kit"). Care knows no app above it: they register from their AppConfig.ready(). The
# discharge's confirmation page names them, and the chart's episode section links to them
# while the latest discharge is recent (0-30 days) and the person is not back in care.
DISCHARGE_PROMPTS: list[Callable[[Actor, Episode], list[dict[str, str]]]] = []


def add_discharge_prompt(provider: Callable[[Actor, Episode], list[dict[str, str]]]) -> None:
    """Have ``provider(actor, episode)`` asked what a discharge prompts for (again: nothing
    added)."""
    add_once(DISCHARGE_PROMPTS, provider)


def discharge_prompts(actor: Actor, episode: Episode) -> list[dict[str, str]]:
    return [p for provider in DISCHARGE_PROMPTS for p in provider(actor, episode)]


def episode_rows(organization_id: int) -> QuerySet[Episode]:
    """The organization's episodes with site, patient and stays (in order) joined."""
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
    return episode_rows(actor.organization_id).get(pk=episode_id)


def los_for(ep: Episode, today: dt.date | None = None) -> LengthOfStay:
    """Length of stay of an episode, counted to the site's local today while it is open."""
    stays = [Stay(s.level, s.started_on, s.ended_on) for s in ep.stays.all()]
    return length_of_stay(ep.admitted_on, ep.discharged_on, stays, today or site_today(ep.site))


def current_stay(ep: Episode) -> LevelOfCareStay | None:
    return next((s for s in ep.stays.all() if s.ended_on is None), None)


def episode_for_update(actor: Actor, episode_id: int) -> Episode:
    """The episode locked for update (inside the caller's transaction), with its site; 404
    ``not_found`` outside the actor's organization. Every change to an existing episode (a
    transition, a discharge) or to its treatment plan locks this row first, so they queue."""
    return locked_in_org(Episode, episode_id, actor.organization_id, "episode", "site")


def open_stay(ep: Episode) -> LevelOfCareStay:
    """The episode's current level-of-care stay; 409 ``episode_inconsistent`` if it has none
    (the constraints and services keep one open stay per open episode)."""
    stay = LevelOfCareStay.objects.filter(episode=ep, ended_on__isnull=True).first()
    if stay is None:
        raise Conflict("episode_inconsistent", "This episode has no current level of care.")
    return stay


def open_episode(organization_id: int, patient: Patient) -> Episode | None:
    """The patient's open episode (with its site), if any."""
    return (
        Episode.objects.filter(
            organization_id=organization_id, patient=patient, discharged_on__isnull=True
        )
        .select_related("site")
        .first()
    )


def episode_patient_id(actor: Actor, episode_id: int) -> int | None:
    """The patient of an episode of the actor's organization (None when there is none)."""
    return (
        Episode.objects.filter(pk=episode_id, organization_id=actor.organization_id)
        .values_list("patient_id", flat=True)
        .first()
    )


def episode_get(actor: Actor, episode_id: int) -> Episode:
    actor.require("episode.view")
    with transaction.atomic():
        ep = episode_rows(actor.organization_id).filter(pk=episode_id).first()
        if ep is None:
            raise NotFound("episode")
        audit.record(actor, "read", "episode", ep.pk, patient_id=ep.patient_id)
    return ep


def episodes_for_patient(actor: Actor, patient_id: int) -> list[Episode]:
    actor.require("episode.view")
    with transaction.atomic():
        patient = patient_ref(actor, patient_id)
        rows = list(episode_rows(actor.organization_id).filter(patient=patient))
        audit.record(
            actor, "read", "episode", "", patient_id=patient.pk, detail={"count": len(rows)}
        )
    return rows


def latest_recommendation(organization_id: int, patient: Patient) -> str:
    """The level the patient's latest level-of-care assessment points to — the clinician's
    decision (accepted or overridden), else the rule's pending recommendation — counting
    only assessments made after their last discharge; "" when there is none."""
    qs = LevelOfCareAssessment.objects.filter(organization_id=organization_id, patient=patient)
    last_out = (
        Episode.objects.filter(
            organization_id=organization_id, patient=patient, discharged_on__isnull=False
        )
        .select_related("site")
        .order_by("-discharged_on")
        .first()
    )
    if last_out is not None and last_out.discharged_on is not None:  # the filter says so
        # from the start of the discharge day (site time): an assessment made that day is
        # the one that decides where the person goes next
        since = dt.datetime.combine(last_out.discharged_on, dt.time.min, tzinfo=last_out.site.tz)
        qs = qs.filter(assessed_at__gte=since)
    la = qs.order_by("-assessed_at", "-id").first()
    if la is None:
        return ""
    return la.decided_level or la.recommended_level


def chart_context(actor: Actor, patient: Patient) -> dict:
    episodes = list(episode_rows(actor.organization_id).filter(patient=patient))
    current = next((ep for ep in episodes if ep.is_open), None)
    today = site_today(current.site if current else patient.site)
    history: list[dict[str, Any]] = []
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
    suggested = latest_recommendation(actor.organization_id, patient)
    pending = (
        LevelOfCareAssessment.objects.filter(organization_id=actor.organization_id, patient=patient)
        .order_by("-assessed_at", "-id")
        .values_list("decision", flat=True)
        .first()
        == "pending"
    )
    after_discharge = None
    last = None
    if episodes and current is None:
        last = max(episodes, key=lambda e: (e.discharged_on or e.admitted_on, e.admitted_on, e.pk))
    if last is not None and last.discharged_on and discharge_recent(last.discharged_on, today):
        after_discharge = {"episode": last, "prompts": discharge_prompts(actor, last)}
    return {
        "after_discharge": after_discharge,
        "current": next((h for h in history if h["episode"].is_open), None),
        "episodes": history,
        "today": today,
        "level_choices": [(lvl, LEVEL_LABELS[lvl]) for lvl in LEVELS],
        "reasons": [(c[0], c[1]) for c in DISCHARGE_REASONS],
        "referrals": [(c[0], c[1]) for c in REFERRAL_SOURCES],
        "substances": [(c[0], c[1]) for c in SUBSTANCES],
        "suggested_level": suggested,
        "suggested_label": LEVEL_LABELS.get(suggested, ""),
        "suggested_pending": bool(suggested) and pending,
        "sites": Site.objects.filter(organization_id=actor.organization_id, active=True),
        "can_manage": actor.can("episode.manage"),
    }


def summary_card(actor: Actor, patient: Patient) -> dict:
    """The face sheet's "Level of care" card: the open episode's current level and the days
    in it, the admission, and the current treatment plan's review date (two indexed
    queries; no audit event: the chart page's read is audited once)."""
    from waypoint.care.models import TreatmentPlan

    stay = (
        LevelOfCareStay.objects.filter(
            organization_id=actor.organization_id,
            episode__patient=patient,
            episode__discharged_on__isnull=True,
            ended_on__isnull=True,
        )
        .select_related("episode__site")
        .first()
    )
    if stay is None:
        last = (
            Episode.objects.filter(organization_id=actor.organization_id, patient=patient)
            .order_by("-admitted_on", "-id")
            .first()
        )
        return {"stay": None, "last_episode": last}
    today = site_today(stay.episode.site)
    plan = (
        TreatmentPlan.objects.filter(
            organization_id=actor.organization_id, episode=stay.episode, superseded_at__isnull=True
        )
        .only("review_due_on", "version", "clinician_signed_at", "patient_signed_at")
        .first()
    )
    return {
        "stay": stay,
        "level": LEVEL_LABELS.get(stay.level, stay.level),
        "days": stay_days(stay.started_on, None, today),
        "episode_days": stay_days(stay.episode.admitted_on, None, today),
        "plan": plan,
        "plan_overdue": plan is not None and plan.review_due_on < today,
    }
