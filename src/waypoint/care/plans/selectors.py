"""Reads of treatment plans: one plan, an episode's versions, the chart section, and the
plans overdue for review at a site. Scoped to the actor's organization; API reads are
audited (the chart page's read is audited once for the whole chart)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet

from waypoint.assessments.models import Problem
from waypoint.audit import services as audit
from waypoint.care.models import Episode, TreatmentPlan
from waypoint.clinical import plan_review
from waypoint.clinical.level_of_care import LEVEL_LABELS
from waypoint.core.errors import NotFound
from waypoint.core.models import Site, User
from waypoint.core.selectors import site_today

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.patients.models import Patient


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
        "view": plan_view(current, staff_names(actor.organization_id, versions))
        if current
        else None,
        "older": [p for p in versions if not p.is_current],
        "overdue": bool(current and is_overdue(current, today)),
        "today": today,
        "can_manage": actor.can("plan.manage"),
        "level_label": LEVEL_LABELS.get(current.level_of_care, "") if current else "",
    }


def plan_view(plan: TreatmentPlan, names: dict[int, str]) -> list[dict]:
    """The content with responsible staff named, for templates."""
    out = []
    for prob in plan.content.get("problems", []):
        goals = []
        for g in prob.get("goals", []):
            goals.append(
                {
                    "text": g["text"],
                    "objectives": g.get("objectives", []),
                    "interventions": [
                        {**i, "responsible_name": names.get(i["responsible"], "?")}
                        for i in g.get("interventions", [])
                    ],
                }
            )
        out.append({"text": prob["text"], "problem_id": prob.get("problem_id"), "goals": goals})
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
