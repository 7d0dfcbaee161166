"""Reads of treatment plans: one plan, an episode's versions, the chart section, and the
plans overdue for review at a site. Scoped to the actor's organization; API reads are
audited (the chart page's read is audited once for the whole chart)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet

from waypoint.assessments.models import Problem
from waypoint.audit import services as audit
from waypoint.care.models import Episode, TreatmentPlan
from waypoint.clinical import plan_review
from waypoint.clinical.level_of_care import LEVEL_LABELS
from waypoint.core.errors import NotFound
from waypoint.core.hooks import add_once
from waypoint.core.models import Site, User
from waypoint.core.selectors import site_today

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.patients.models import Patient


# Functions (actor, plan) -> {item: [note, ...]}: what addressed each problem ("2") and
# objective ("2.1.3") of a plan version, each ``{"url", "service_at", "type_label",
# "author", "status", "label", ...}`` (the notes app: the signed notes that addressed it).
# Care knows no app above it: they register from their AppConfig.ready(). The chart's plan
# section lists them under each problem and objective; the plan form of a revision (the
# plan review) shows how many per problem.
PLAN_PROGRESS: list[Callable[[Actor, TreatmentPlan], dict[str, list[dict]]]] = []


def add_plan_progress(provider: Callable[[Actor, TreatmentPlan], dict[str, list[dict]]]) -> None:
    """Have ``provider(actor, plan)`` asked what addressed each plan item (again: nothing
    added)."""
    add_once(PLAN_PROGRESS, provider)


def plan_progress(actor: Actor, plan: TreatmentPlan) -> dict[str, list[dict]]:
    """Every provider's entries per plan item ("2", "2.1.3"), in the providers' order."""
    out: dict[str, list[dict]] = {}
    for provider in PLAN_PROGRESS:
        for item, rows in provider(actor, plan).items():
            out.setdefault(item, []).extend(rows)
    return out


def progress_counts(actor: Actor, plan: TreatmentPlan) -> dict[int, dict]:
    """Per problem (numbered from 1): how many distinct entries addressed it or any of its
    objectives, and the latest one's time (the plan review's count per problem row)."""
    out: dict[int, dict] = {}
    for item, rows in plan_progress(actor, plan).items():
        head = item.split(".", 1)[0]
        if not head.isdecimal():
            continue
        entry = out.setdefault(int(head), {"seen": set(), "latest": None})
        for r in rows:
            entry["seen"].add(r.get("url"))
            at = r.get("service_at")
            if at is not None and (entry["latest"] is None or at > entry["latest"]):
                entry["latest"] = at
    return {n: {"count": len(e["seen"]), "latest": e["latest"]} for n, e in out.items()}


def _plans(organization_id: int) -> QuerySet[TreatmentPlan]:
    return TreatmentPlan.objects.filter(organization_id=organization_id).select_related(
        "episode__site",
        "clinician_signed_by",
        "patient_signature_recorded_by",
        "created_by",
    )


def staff_names(organization_id: int, plans: list[TreatmentPlan]) -> dict[int, str]:
    ids = {
        i["responsible"]
        for p in plans
        for prob in p.content.get("problems", [])
        for g in prob.get("goals", [])
        for i in g.get("interventions", [])
    }
    return {
        u.pk: (u.get_full_name() or u.username)
        for u in User.objects.filter(organization_id=organization_id, pk__in=ids)
    }


def is_overdue(plan: TreatmentPlan, today: dt.date | None = None) -> bool:
    """A current version whose review date has passed (site-local today)."""
    if not plan.is_current or not plan.episode.is_open:
        return False
    return plan_review.is_overdue(plan.review_due_on, today or site_today(plan.episode.site))


def plan_written(actor: Actor, plan_id: int) -> TreatmentPlan:
    """A plan a service just wrote (its audit event covers the read)."""
    return _plans(actor.organization_id).get(pk=plan_id)


def episode_for_form(actor: Actor, episode_id: int, *, read: bool = False) -> Episode | None:
    """An episode of the actor's organization with its site and patient, for the plan form
    (None when there is none). ``read``: the form is shown (a GET), an audited read of the
    patient's record in this transaction (a post's service audits its own write)."""
    with transaction.atomic():
        ep = (
            Episode.objects.filter(pk=episode_id, organization_id=actor.organization_id)
            .select_related("site", "patient")
            .first()
        )
        if read and ep is not None:
            audit.record(
                actor,
                "read",
                "treatment_plan",
                "",
                patient_id=ep.patient_id,
                detail={"view": "plan_form", "episode": ep.pk},
            )
    return ep


def plan_for_page(actor: Actor, plan_id: int, *, read: bool = False) -> TreatmentPlan | None:
    """A plan of the actor's organization with its episode, site and patient, for the plan
    pages (None when there is none). The chart page audits its own read; ``read``: the
    edit form shows this plan (a GET), an audited read in this transaction."""
    with transaction.atomic():
        plan = (
            TreatmentPlan.objects.filter(pk=plan_id, organization_id=actor.organization_id)
            .select_related("episode__site", "episode__patient")
            .first()
        )
        if read and plan is not None:
            audit.record(
                actor,
                "read",
                "treatment_plan",
                plan.pk,
                patient_id=plan.patient_id,
                detail={"view": "plan_form", "episode": plan.episode_id},
            )
    return plan


def plan_get(actor: Actor, plan_id: int) -> TreatmentPlan:
    actor.require("plan.view")
    with transaction.atomic():
        plan = _plans(actor.organization_id).filter(pk=plan_id).first()
        if plan is None:
            raise NotFound("treatment plan")
        audit.record(actor, "read", "treatment_plan", plan.pk, patient_id=plan.patient_id)
    return plan


def plans_for_episode(actor: Actor, episode_id: int) -> list[TreatmentPlan]:
    """All versions of an episode's plan, newest first."""
    actor.require("plan.view")
    with transaction.atomic():
        ep = Episode.objects.filter(pk=episode_id, organization_id=actor.organization_id).first()
        if ep is None:
            raise NotFound("episode")
        rows = list(_plans(actor.organization_id).filter(episode=ep))
        audit.record(
            actor,
            "read",
            "treatment_plan",
            "",
            patient_id=ep.patient_id,
            detail={"episode": ep.pk, "count": len(rows)},
        )
    return rows


def plans_review_overdue(organization_id: int, site: Site) -> list[TreatmentPlan]:
    """Current plan versions of the site's open episodes whose review date has passed, the
    most overdue first. No audit: the caller (e.g. the census) audits what it shows."""
    today = site_today(site)
    return list(
        _plans(organization_id)
        .select_related("patient")
        .filter(
            episode__site=site,
            episode__discharged_on__isnull=True,
            superseded_at__isnull=True,
            review_due_on__lt=today,
        )
        .order_by("review_due_on", "id")
    )


def chart_context(actor: Actor, patient: Patient) -> dict:
    """The open (else latest) episode's plan: the current version in full, older versions
    listed; problem-list entries and staff to pick from when editing."""
    mine = Episode.objects.filter(
        organization_id=actor.organization_id, patient=patient
    ).select_related("site")
    ep = mine.filter(discharged_on__isnull=True).first() or mine.order_by("-admitted_on").first()
    versions = list(_plans(actor.organization_id).filter(episode=ep)) if ep else []
    current = next((p for p in versions if p.is_current), None)
    today = site_today(ep.site) if ep else site_today(patient.site)
    return {
        "episode": ep,
        "plan": current,
        "view": plan_view(
            current, staff_names(actor.organization_id, versions), plan_progress(actor, current)
        )
        if current
        else None,
        "older": [p for p in versions if not p.is_current],
        "overdue": bool(current and is_overdue(current, today)),
        "today": today,
        "can_manage": actor.can("plan.manage"),
        "level_label": LEVEL_LABELS.get(current.level_of_care, "") if current else "",
    }


def plan_view(
    plan: TreatmentPlan, names: dict[int, str], progress: dict[str, list[dict]] | None = None
) -> list[dict]:
    """The content with responsible staff named, for templates; with ``progress``
    (``plan_progress``), what addressed each problem and objective (``addressed``)."""
    progress = progress or {}
    out = []
    for p, prob in enumerate(plan.content.get("problems", []), start=1):
        goals = []
        for gi, g in enumerate(prob.get("goals", []), start=1):
            goals.append(
                {
                    "text": g["text"],
                    "objectives": [
                        {**o, "addressed": progress.get(f"{p}.{gi}.{oi}", [])}
                        for oi, o in enumerate(g.get("objectives", []), start=1)
                    ],
                    "interventions": [
                        {**i, "responsible_name": names.get(i["responsible"], "?")}
                        for i in g.get("interventions", [])
                    ],
                }
            )
        out.append(
            {
                "text": prob["text"],
                "problem_id": prob.get("problem_id"),
                "goals": goals,
                "addressed": progress.get(str(p), []),
            }
        )
    return out


def form_choices(actor: Actor, patient_id: int) -> dict:
    return {
        "staff": User.objects.filter(organization_id=actor.organization_id, is_active=True)
        .exclude(role__in=["auditor"])
        .order_by("last_name", "first_name", "username"),
        "problems": Problem.objects.filter(
            organization_id=actor.organization_id, patient_id=patient_id
        ),
    }
