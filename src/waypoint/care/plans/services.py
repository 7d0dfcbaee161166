"""Every write of treatment plans: create a draft, edit it, sign it, revise it.

Each checks ``plan.manage``, runs in one transaction with the episode row locked (so two
people acting on one episode's plan are serialized), and writes its audit event in that
transaction. A version with any signature is read-only (409 ``plan_signed``): a revision
creates the next version, keeps the old one read-only (superseded) and starts with no
signatures. The review date comes from ``clinical.plan_review`` for the episode's current
level of care, with the organization's own intervals when it has set them.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from waypoint.assessments.models import Problem
from waypoint.audit import services as audit
from waypoint.care.episodes.selectors import episode_for_update, open_stay
from waypoint.care.models import Episode, PlanReviewInterval, TreatmentPlan
from waypoint.clinical import plan_review
from waypoint.core.errors import Conflict, DomainError, NotFound
from waypoint.core.models import User
from waypoint.core.selectors import site_today

from .schemas import PlanIn

if TYPE_CHECKING:
    from waypoint.core.actor import Actor


def review_overrides(organization_id: int) -> dict[str, int]:
    return dict(
        PlanReviewInterval.objects.filter(organization_id=organization_id).values_list(
            "level", "days"
        )
    )


def _open(ep: Episode) -> None:
    if ep.discharged_on is not None:  # not ep.is_open
        raise Conflict(
            "episode_discharged",
            f"This episode was discharged on {ep.discharged_on.isoformat()}: its plan is closed.",
        )


def _plan_locked(actor: Actor, plan_id: int) -> tuple[TreatmentPlan, Episode]:
    """The plan and its episode, the episode row locked first (same order as create)."""
    ep_id = (
        TreatmentPlan.objects.filter(pk=plan_id, organization_id=actor.organization_id)
        .values_list("episode_id", flat=True)
        .first()
    )
    if ep_id is None:
        raise NotFound("treatment plan")
    ep = episode_for_update(actor, ep_id)
    plan = TreatmentPlan.objects.select_for_update().get(pk=plan_id)
    return plan, ep


def _content(
    actor: Actor, ep: Episode, data: PlanIn, plan_date: dt.date, *, check_targets: bool = True
) -> dict:
    """Check the plan's content and return it as stored: target dates not before the plan
    date, responsible staff of this organization (active), problem-list entries of this
    patient."""
    staff_ids = {i.responsible for p in data.problems for g in p.goals for i in g.interventions}
    known = set(
        User.objects.filter(
            pk__in=staff_ids, organization_id=actor.organization_id, is_active=True
        ).values_list("pk", flat=True)
    )
    if staff_ids - known:
        raise DomainError(
            "unknown_staff",
            f"No active staff member {min(staff_ids - known)} in this organization.",
            field="responsible",
        )
    problem_ids = {p.problem_id for p in data.problems if p.problem_id is not None}
    mine = set(
        Problem.objects.filter(
            pk__in=problem_ids, organization_id=actor.organization_id, patient_id=ep.patient_id
        ).values_list("pk", flat=True)
    )
    if problem_ids - mine:
        raise DomainError(
            "unknown_problem",
            "problem_id must be an entry of this patient's problem list.",
            field="problem_id",
        )
    for p in data.problems if check_targets else ():
        for g in p.goals:
            for o in g.objectives:
                if o.target_date < plan_date:
                    raise DomainError(
                        "target_before_plan_date",
                        f"The target date {o.target_date.isoformat()} of {o.text[:40]!r} is "
                        f"before the plan date {plan_date.isoformat()}.",
                        field="target_date",
                    )
    return data.model_dump(mode="json", exclude={"plan_date"})


def _plan_date(ep: Episode, data: PlanIn) -> dt.date:
    today = site_today(ep.site)
    on = data.plan_date or today
    if on > today:
        raise DomainError(
            "date_in_future",
            f"plan_date {on.isoformat()} is after today ({today.isoformat()} at {ep.site.code}).",
            field="plan_date",
        )
    if on < ep.admitted_on:
        raise DomainError(
            "date_before_admission",
            f"plan_date {on.isoformat()} is before the admission on {ep.admitted_on.isoformat()}.",
            field="plan_date",
        )
    return on


def _dated(actor: Actor, ep: Episode, plan_date: dt.date) -> tuple[str, dt.date]:
    level = open_stay(ep).level
    due = plan_review.review_due(plan_date, level, review_overrides(actor.organization_id))
    return level, due


def plan_create(actor: Actor, episode_id: int, data: PlanIn) -> TreatmentPlan:
    """The first version of an episode's plan, as a draft. 409 ``plan_exists`` when the
    episode already has one (edit or revise it)."""
    actor.require("plan.manage")
    with transaction.atomic():
        ep = episode_for_update(actor, episode_id)
        _open(ep)
        if TreatmentPlan.objects.filter(episode=ep).exists():
            raise Conflict(
                "plan_exists", "This episode already has a treatment plan: edit or revise it."
            )
        on = _plan_date(ep, data)
        content = _content(actor, ep, data, on)
        level, due = _dated(actor, ep, on)
        try:
            with transaction.atomic():
                plan = TreatmentPlan.objects.create(
                    organization_id=actor.organization_id,
                    episode=ep,
                    patient_id=ep.patient_id,
                    version=1,
                    plan_date=on,
                    level_of_care=level,
                    review_due_on=due,
                    content=content,
                    created_by=actor.user,
                )
        except IntegrityError as exc:  # a simultaneous create won (the indexes decide)
            raise Conflict("plan_exists", "This episode already has a treatment plan.") from exc
        audit.record(
            actor,
            "create",
            "treatment_plan",
            plan.pk,
            patient_id=ep.patient_id,
            detail={"episode": ep.pk, "version": 1, "review_due_on": due.isoformat()},
        )
    return plan


def _editable(plan: TreatmentPlan) -> None:
    if not plan.is_current:
        raise Conflict("plan_superseded", f"Version {plan.version} was revised: it is read-only.")
    if plan.is_locked:
        raise Conflict(
            "plan_signed", f"Version {plan.version} is signed: revise it to make changes."
        )


def plan_update(actor: Actor, plan_id: int, data: PlanIn) -> TreatmentPlan:
    """Replace an unsigned draft's content (and plan date). 409 ``plan_signed``."""
    actor.require("plan.manage")
    with transaction.atomic():
        plan, ep = _plan_locked(actor, plan_id)
        _open(ep)
        _editable(plan)
        on = _plan_date(ep, data)
        plan.content = _content(actor, ep, data, on)
        plan.plan_date = on
        plan.level_of_care, plan.review_due_on = _dated(actor, ep, on)
        plan.save()
        audit.record(
            actor,
            "update",
            "treatment_plan",
            plan.pk,
            patient_id=ep.patient_id,
            detail={"version": plan.version, "edit": True},
        )
    return plan


def _name(user: User) -> str:
    return (user.get_full_name() or user.username)[:200]


def plan_sign(actor: Actor, plan_id: int, signer: str, witness: str = "") -> TreatmentPlan:
    """Record the clinician's signature (the actor signs) or the patient's (recorded by the
    actor, with the staff witness's name; the actor by default). 409 ``already_signed``."""
    actor.require("plan.manage")
    if signer not in ("clinician", "patient"):
        raise DomainError("unknown_signer", "signer must be clinician or patient.", field="signer")
    with transaction.atomic():
        plan, ep = _plan_locked(actor, plan_id)
        _open(ep)
        if not plan.is_current:
            raise Conflict(
                "plan_superseded", f"Version {plan.version} was revised: sign the current one."
            )
        now = timezone.now()
        if signer == "clinician":
            if plan.clinician_signed_at is not None:
                raise Conflict("already_signed", "The clinician has already signed this version.")
            plan.clinician_signed_by, plan.clinician_signed_at = actor.user, now
        else:
            if plan.patient_signed_at is not None:
                raise Conflict("already_signed", "The patient has already signed this version.")
            plan.patient_signed_at = now
            plan.patient_signature_recorded_by = actor.user
            plan.patient_signature_witness = witness or _name(actor.user)
        plan.save()
        audit.record(
            actor,
            "update",
            "treatment_plan",
            plan.pk,
            patient_id=ep.patient_id,
            detail={"version": plan.version, "signed": signer},
        )
    return plan


def plan_revise(actor: Actor, plan_id: int, data: PlanIn | None = None) -> TreatmentPlan:
    """A new version from the current signed one: the old version is kept read-only, the
    new one starts unsigned, dated today (or ``data.plan_date``) with a fresh review date.
    409 ``plan_not_signed`` for a draft (edit it instead), ``plan_superseded``."""
    actor.require("plan.manage")
    with transaction.atomic():
        old, ep = _plan_locked(actor, plan_id)
        _open(ep)
        if not old.is_current:
            raise Conflict(
                "plan_superseded", f"Version {old.version} was already revised: revise the latest."
            )
        if not old.is_locked:
            raise Conflict("plan_not_signed", "This version is an unsigned draft: edit it instead.")
        copy = data is None
        if data is None:
            data = PlanIn.model_validate({**old.content, "plan_date": None})
        on = _plan_date(ep, data)
        # A copy keeps the old targets as they were; editing the new draft checks them.
        content = _content(actor, ep, data, on, check_targets=not copy)
        level, due = _dated(actor, ep, on)
        try:
            with transaction.atomic():
                old.superseded_at = timezone.now()
                old.save(update_fields=["superseded_at"])
                new = TreatmentPlan.objects.create(
                    organization_id=actor.organization_id,
                    episode=ep,
                    patient_id=ep.patient_id,
                    version=old.version + 1,
                    previous=old,
                    plan_date=on,
                    level_of_care=level,
                    review_due_on=due,
                    content=content,
                    created_by=actor.user,
                )
        except IntegrityError as exc:  # a simultaneous revision won
            raise Conflict("plan_superseded", "This version was revised at the same time.") from exc
        audit.record(
            actor,
            "create",
            "treatment_plan",
            new.pk,
            patient_id=ep.patient_id,
            detail={"episode": ep.pk, "version": new.version, "revises": old.pk},
        )
    return new
