"""Treatment-plan pages: the draft form (new and edit) and the sign and revise buttons of
the chart section. Thin views over the plan services; a refusal goes back with the reason.

The HTML form writes the common shape, one goal with one objective and one intervention
per problem; the API takes any number of each. A draft written through the API with a
richer shape is edited through the API (the page says so rather than flatten it)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from pydantic import ValidationError

from waypoint.care.models import Episode, TreatmentPlan
from waypoint.core.errors import DomainError
from waypoint.core.selectors import site_today
from waypoint.core.web import (
    Actor,
    FormState,
    confirm_page,
    confirmed,
    done_redirect,
    refused,
    say_done,
    staff_view,
)
from waypoint.patients.chart import chart_done, chart_page, chart_url, to_chart

from . import selectors, services
from .schemas import PlanIn, SignIn

ROWS = 5  # problem rows on the form


# The page's words for the service's refusals that name fields.
PLAN_CODES = {
    "date_in_future": "The plan date cannot be after today.",
    "date_before_admission": "The plan date cannot be before the admission.",
    "unknown_problem": "Choose the problem from this patient's problem list.",
    "unknown_staff": "Choose the staff member responsible from the list.",
}
_PART = {
    "text": "",
    "objectives": "the objective",
    "interventions": "the intervention",
}


def _positions(rows: list[dict]) -> list[int]:
    """For each problem sent (the filled rows), its row on the form (0-based)."""
    return [i for i, r in enumerate(rows) if any(r.values())]


def _plan_labels(rows: list[dict]):
    """Sentences for the plan form's errors, counting problems from 1 as the form does
    (``rows``: every row of the form, blank ones included)."""
    where = _positions(rows)

    def label(loc: tuple, error: dict) -> str | None:
        if loc[:1] == ("plan_date",):
            given = error.get("input")
            return "Enter the plan date" if given in ("", None) else "Enter a real plan date"
        if len(loc) < 3 or loc[0] != "problems" or not isinstance(loc[1], int):
            return None
        at = where[loc[1]] if loc[1] < len(where) else loc[1]
        n = at + 1
        row = rows[at] if at < len(rows) else {}
        rest = loc[2:]
        if rest == ("text",):
            if row.get("goal_text") or row.get("objective_text") or row.get("intervention_text"):
                return f"Problem {n} has a goal but no problem: write the problem, or empty the row"
            return f"Problem {n}: write the problem"
        if rest[:1] == ("goals",) and rest[2:] == ("text",):
            return f"Problem {n} has an objective or intervention but no goal: write the goal"
        if rest[:1] == ("goals",) and len(rest) >= 5:
            part, field = rest[2], rest[4]
            if part == "objectives":
                if field == "text":
                    return f"Problem {n}: write the objective (it has a target date)"
                if field == "target_date":
                    return f"Problem {n}: give the objective's target date"
            if part == "interventions":
                if field == "text":
                    return f"Problem {n}: write the intervention"
                if field == "responsible":
                    return f"Problem {n}: choose who is responsible for the intervention"
                if field == "frequency":
                    return f"Problem {n}: say how often the intervention happens"
        return f"Problem {n}: check this row"

    return label


def _plan_ids(rows: list[dict]) -> dict[str, str]:
    ids = {"plan_date": "plan-date"}
    for i, at in enumerate(_positions(rows)):
        n = at + 1
        base = f"problems.{i}"
        ids[f"{base}.text"] = f"pt{n}"
        ids[f"{base}.problem_id"] = f"pl{n}"
        ids[f"{base}.goals.0.text"] = f"gt{n}"
        ids[f"{base}.goals.0.objectives.0.text"] = f"ot{n}"
        ids[f"{base}.goals.0.objectives.0.target_date"] = f"od{n}"
        ids[f"{base}.goals.0.interventions.0.text"] = f"it{n}"
        ids[f"{base}.goals.0.interventions.0.responsible"] = f"is{n}"
        ids[f"{base}.goals.0.interventions.0.frequency"] = f"if{n}"
    return ids


def _plan_refused(request: HttpRequest, exc: Exception, rows: list[dict]) -> FormState:
    return refused(
        request,
        "plan-form",
        exc,
        labels=_plan_labels(rows),
        ids=_plan_ids(rows),
        title="Treatment plan not saved",
        codes=PLAN_CODES,
    )


def _episode(actor: Actor, episode_id: int, *, read: bool = False) -> Episode:
    ep = selectors.episode_for_form(actor, episode_id, read=read)
    if ep is None:
        raise Http404
    return ep


def _plan(actor: Actor, plan_id: int, *, read: bool = False) -> TreatmentPlan:
    plan = selectors.plan_for_page(actor, plan_id, read=read)
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


def _rows_from_post(request: HttpRequest, *, keep_blank: bool = False) -> list[dict]:
    """The form's rows as typed; empty rows left out unless ``keep_blank`` (so that a
    refused form shows each row where it was typed)."""
    cols = {f: request.POST.getlist(f)[:ROWS] for f in FIELDS}
    rows = []
    for n in range(ROWS):
        row = {f: (cols[f][n] if n < len(cols[f]) else "").strip() for f in FIELDS}
        if keep_blank or any(row.values()):
            rows.append(row)
    return rows


def _filled(rows: list[dict]) -> list[dict]:
    return [r for r in rows if any(r.values())]


def _int(value: str) -> int | str:
    return int(value) if value.isdecimal() and len(value) < 10 else value


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
    form: FormState | None = None,
) -> HttpResponse:
    padded = rows + [dict.fromkeys(FIELDS, "") for _ in range(ROWS - len(rows))]
    # the plan review: how many signed notes addressed each problem so far (a hook)
    counts = selectors.progress_counts(actor, plan) if plan else {}
    padded = [{**r, "addressed": counts.get(n)} for n, r in enumerate(padded, start=1)]
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
            "form": form,
            **selectors.form_choices(actor, ep.patient_id),
        },
        status=form.status if form else 200,
    )


@staff_view("plan.manage")
def plan_new(request: HttpRequest, actor: Actor, episode_id: int) -> HttpResponse:
    ep = _episode(actor, episode_id, read=request.method != "POST")
    if request.method != "POST":
        return _form(request, actor, ep, None, [])
    rows = _rows_from_post(request, keep_blank=True)
    try:
        services.plan_create(actor, ep.pk, _plan_in(request, _filled(rows)))
    except (ValidationError, DomainError) as exc:
        return _form(request, actor, ep, None, rows, _plan_refused(request, exc, rows))
    return chart_done(request, ep.patient_id, "plan", "Treatment plan saved as a draft.")


@staff_view("plan.manage")
def plan_edit(request: HttpRequest, actor: Actor, plan_id: int) -> HttpResponse:
    plan = _plan(actor, plan_id, read=request.method != "POST")
    ep = plan.episode
    if plan.is_locked or not plan.is_current or not _simple(plan):
        form = refused(
            request,
            "plan",
            {
                "": "This version is signed or superseded: revise it to make changes."
                if plan.is_locked or not plan.is_current
                else "This plan has more goals than the form shows: edit it through the API."
            },
            title="This plan cannot be edited here",
        )
        form.status = 409
        return chart_page(request, actor, ep.patient_id, form=form)
    if request.method != "POST":
        return _form(request, actor, ep, plan, _rows_from_plan(plan))
    rows = _rows_from_post(request, keep_blank=True)
    try:
        services.plan_update(actor, plan.pk, _plan_in(request, _filled(rows)))
    except (ValidationError, DomainError) as exc:
        return _form(request, actor, ep, plan, rows, _plan_refused(request, exc, rows))
    return chart_done(request, ep.patient_id, "plan", "Treatment plan draft updated.")


@staff_view("plan.manage")
def plan_sign(request: HttpRequest, actor: Actor, plan_id: int) -> HttpResponse:
    """A signature in two steps: the button, then a page that says what is being signed
    and by whom; only the confirmed post (``confirm=1``) records it."""
    plan = _plan(actor, plan_id)
    patient = plan.episode.patient
    if request.method == "POST":
        try:
            data = SignIn(
                signer=request.POST.get("signer", "")[:20],
                witness=request.POST.get("witness", "")[:200],
            )
            if not confirmed(request):
                me = actor.user.get_full_name() or actor.user.username
                who = f"{patient.first_name} {patient.last_name}"
                if data.signer == "clinician":
                    question = (
                        f"Sign version {plan.version} of {who}'s treatment plan as the clinician?"
                    )
                    facts = [
                        ("Signed by", f"{me} (you)"),
                        ("Plan date", f"{plan.plan_date:%Y-%m-%d}"),
                    ]
                    label = "Sign the plan"
                else:
                    question = (
                        f"Record that {who} signed version {plan.version} of their treatment plan?"
                    )
                    facts = [
                        ("Witnessed by", data.witness or f"{me} (you)"),
                        ("Plan date", f"{plan.plan_date:%Y-%m-%d}"),
                    ]
                    label = "Record the patient's signature"
                return confirm_page(
                    request,
                    question=question,
                    facts=facts,
                    consequence="A signature cannot be taken back. Once the clinician and the "
                    "patient have both signed, this version is read-only: a change is a new "
                    "version.",
                    action=reverse("plans:sign", args=[plan.pk]) + "#status-plan",
                    back_url=chart_url(patient.pk, "plan"),
                    confirm_label=label,
                    fields=("signer", "witness"),
                )
            services.plan_sign(actor, plan.pk, data.signer, data.witness)
        except (ValidationError, DomainError) as exc:
            form = refused(
                request,
                "plan",
                exc,
                labels={"witness": "the witness's name", "signer": "who signs"},
                ids={"witness": "plan-witness"},
                title="Signature not recorded",
            )
            return chart_page(request, actor, patient.pk, form=form)
        who = "the clinician" if data.signer == "clinician" else "the patient"
        return chart_done(
            request, patient.pk, "plan", f"Signature of {who} recorded on version {plan.version}."
        )
    return to_chart(patient.pk, "plan")


@staff_view("plan.manage")
def plan_revise(request: HttpRequest, actor: Actor, plan_id: int) -> HttpResponse:
    plan = _plan(actor, plan_id)
    if request.method == "POST":
        try:
            new = services.plan_revise(actor, plan.pk)
        except DomainError as exc:
            form = refused(request, "plan", exc, title="Not revised")
            return chart_page(request, actor, plan.episode.patient_id, form=form)
        say_done(request, "plan", f"Version {new.version} started: edit it, then sign it.")
        if _simple(new):
            return redirect("plans:edit", new.pk)
        return done_redirect(chart_url(plan.episode.patient_id, "plan"), "plan")
    return to_chart(plan.episode.patient_id, "plan")
