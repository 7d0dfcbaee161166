"""Treatment-plan pages: the draft form (new and edit) and the sign and revise buttons of
the chart section. Thin views over the plan services; a refusal goes back with the reason.

The HTML form writes the common shape, one goal with one objective and one intervention
per problem; the API takes any number of each. A draft written through the API with a
richer shape is edited through the API (the page says so rather than flatten it)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from pydantic import ValidationError

from waypoint.care.models import Episode, TreatmentPlan
from waypoint.core.errors import DomainError
from waypoint.core.selectors import site_today
from waypoint.core.web import Actor, refusal_message, say_refused, staff_view
from waypoint.patients.chart import to_chart

from . import selectors, services
from .schemas import PlanIn, SignIn

ROWS = 5  # problem rows on the form


def _episode(actor: Actor, episode_id: int) -> Episode:
    ep = selectors.episode_for_form(actor, episode_id)
    if ep is None:
        raise Http404
    return ep


def _plan(actor: Actor, plan_id: int) -> TreatmentPlan:
    plan = selectors.plan_for_page(actor, plan_id)
    if plan is None:
        raise Http404
    return plan


def _simple(plan: TreatmentPlan) -> bool:
    return all(
        len(p.get("goals", [])) <= 1
        and all(
            len(g.get("objectives", [])) <= 1 and len(g.get("interventions", [])) <= 1
            for g in p.get("goals", [])
        )
        for p in plan.content.get("problems", [])
    )


def _rows_from_plan(plan: TreatmentPlan | None) -> list[dict]:
    rows = []
    for p in plan.content.get("problems", []) if plan else []:
        g = (p.get("goals") or [{}])[0]
        o = (g.get("objectives") or [{}])[0]
        i = (g.get("interventions") or [{}])[0]
        rows.append(
            {
                "problem_text": p.get("text", ""),
                "problem_link": p.get("problem_id") or "",
                "goal_text": g.get("text", ""),
                "objective_text": o.get("text", ""),
                "objective_target": o.get("target_date", ""),
                "intervention_text": i.get("text", ""),
                "intervention_staff": i.get("responsible", ""),
                "intervention_frequency": i.get("frequency", ""),
            }
        )
    return rows


FIELDS = (
    "problem_text",
    "problem_link",
    "goal_text",
    "objective_text",
    "objective_target",
    "intervention_text",
    "intervention_staff",
    "intervention_frequency",
)


def _rows_from_post(request: HttpRequest) -> list[dict]:
    cols = {f: request.POST.getlist(f)[:ROWS] for f in FIELDS}
    rows = []
    for n in range(ROWS):
        row = {f: (cols[f][n] if n < len(cols[f]) else "").strip() for f in FIELDS}
        if any(row.values()):
            rows.append(row)
    return rows


def _int(value: str) -> int | str:
    return int(value) if value.isdigit() and len(value) < 10 else value


def _plan_in(request: HttpRequest, rows: list[dict]) -> PlanIn:
    problems = []
    for r in rows:
        goal: dict = {"text": r["goal_text"], "objectives": [], "interventions": []}
        if r["objective_text"] or r["objective_target"]:
            goal["objectives"].append(
                {"text": r["objective_text"], "target_date": r["objective_target"]}
            )
        if r["intervention_text"] or r["intervention_staff"] or r["intervention_frequency"]:
            goal["interventions"].append(
                {
                    "text": r["intervention_text"],
                    "responsible": _int(r["intervention_staff"]),
                    "frequency": r["intervention_frequency"],
                }
            )
        problems.append(
            {
                "text": r["problem_text"],
                "problem_id": _int(r["problem_link"]) if r["problem_link"] else None,
                "goals": [goal]
                if any([goal["text"], *goal["objectives"]]) or goal["interventions"]
                else [],
            }
        )
    return PlanIn.model_validate(
        {"plan_date": request.POST.get("plan_date", "")[:20] or None, "problems": problems}
    )


def _form(
    request: HttpRequest,
    actor: Actor,
    ep: Episode,
    plan: TreatmentPlan | None,
    rows: list[dict],
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    padded = rows + [dict.fromkeys(FIELDS, "") for _ in range(ROWS - len(rows))]
    return render(
        request,
        "care/plan_form.html",
        {
            "episode": ep,
            "patient": ep.patient,
            "plan": plan,
            "rows": padded[:ROWS],
            "plan_date": request.POST.get("plan_date")
            or (plan.plan_date.isoformat() if plan else site_today(ep.site).isoformat()),
            "today": site_today(ep.site),
            "error": error,
            **selectors.form_choices(actor, ep.patient_id),
        },
        status=status,
    )


@staff_view("plan.manage")
def plan_new(request: HttpRequest, actor: Actor, episode_id: int) -> HttpResponse:
    ep = _episode(actor, episode_id)
    if request.method != "POST":
        return _form(request, actor, ep, None, [])
    rows = _rows_from_post(request)
    try:
        services.plan_create(actor, ep.pk, _plan_in(request, rows))
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404:
            raise
        return _form(request, actor, ep, None, rows, refusal_message(exc), 422)
    messages.success(request, "Treatment plan saved as a draft.")
    return to_chart(ep.patient_id, "plan")


@staff_view("plan.manage")
def plan_edit(request: HttpRequest, actor: Actor, plan_id: int) -> HttpResponse:
    plan = _plan(actor, plan_id)
    ep = plan.episode
    if plan.is_locked or not plan.is_current or not _simple(plan):
        messages.error(
            request,
            "This version is signed or superseded: revise it to make changes."
            if plan.is_locked or not plan.is_current
            else "This plan has more goals than the form shows: edit it through the API.",
        )
        return to_chart(ep.patient_id, "plan")
    if request.method != "POST":
        return _form(request, actor, ep, plan, _rows_from_plan(plan))
    rows = _rows_from_post(request)
    try:
        services.plan_update(actor, plan.pk, _plan_in(request, rows))
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404:
            raise
        return _form(request, actor, ep, plan, rows, refusal_message(exc), 422)
    messages.success(request, "Treatment plan draft updated.")
    return to_chart(ep.patient_id, "plan")


@staff_view("plan.manage")
def plan_sign(request: HttpRequest, actor: Actor, plan_id: int) -> HttpResponse:
    plan = _plan(actor, plan_id)
    if request.method == "POST":
        try:
            data = SignIn(
                signer=request.POST.get("signer", "")[:20],
                witness=request.POST.get("witness", "")[:200],
            )
            services.plan_sign(actor, plan.pk, data.signer, data.witness)
            messages.success(request, f"Signature of the {data.signer} recorded.")
        except (ValidationError, DomainError) as exc:
            say_refused(request, exc)
    return to_chart(plan.episode.patient_id, "plan")


@staff_view("plan.manage")
def plan_revise(request: HttpRequest, actor: Actor, plan_id: int) -> HttpResponse:
    plan = _plan(actor, plan_id)
    if request.method == "POST":
        try:
            new = services.plan_revise(actor, plan.pk)
        except DomainError as exc:
            say_refused(request, exc)
        else:
            messages.success(request, f"Version {new.version} started: edit it, then sign it.")
            if _simple(new):
                return redirect("plans:edit", new.pk)
    return to_chart(plan.episode.patient_id, "plan")
