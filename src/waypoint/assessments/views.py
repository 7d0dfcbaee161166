"""Assessment pages: instrument forms generated from the item specs, risk factors,
problems, level of care, flag acknowledgement. Thin views over the services."""

from __future__ import annotations

import datetime as dt
import re

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from waypoint.clinical.level_of_care import DIMENSIONS
from waypoint.clinical.registry import INSTRUMENTS
from waypoint.core.errors import DomainError
from waypoint.core.selectors import site_today
from waypoint.core.web import (
    Actor,
    FormState,
    refused,
    say_done,
    site_from_request,
    staff_view,
)
from waypoint.patients.chart import chart_done, chart_page, to_chart
from waypoint.patients.selectors import patient_get

from . import selectors, services
from .models import RiskFactorScreen


def source_for_people(source: str) -> str:
    """An instrument's literature source without the project's internal references."""
    return re.sub(r";?\s*domain facts §\d+", "", source).strip(" ;")


def _items_from_post(instrument, post) -> tuple[dict, dict[str, str]]:
    """Read the form: ints for scale items, yes/no for booleans; blanks left out so the
    scorer reports a missing item. Every unanswered required item is named, in words."""
    items: dict[str, bool | int] = {}
    errors: dict[str, str] = {}
    for it in instrument.items:
        raw = post.get(it.name, "").strip()
        if raw == "":
            if not it.required and it.is_bool:
                items[it.name] = False
            elif it.required:
                errors[it.name] = f"Answer “{it.label}”."
            continue
        if it.is_bool:
            items[it.name] = raw in ("yes", "on", "true")
        else:
            try:
                items[it.name] = int(raw)
            except ValueError:
                errors[it.name] = f"“{it.label}”: enter a whole number."
    return items, errors


def _item_refusal(spec, exc: DomainError) -> dict[str, str]:
    """A scorer's refusal about one item, in the item's words."""
    name = exc.extra.get("item") or ""
    try:
        label = spec.item(name).label if name else ""
    except KeyError:
        label = ""
    if label and exc.code == "missing_item":
        return {name: f"Answer “{label}”."}
    if label and exc.code == "item_out_of_range":
        return {name: f"“{label}”: choose one of the answers."}
    return {name: exc.message}


@staff_view("assessment.record")
def record(request: HttpRequest, actor: Actor, patient_id: int, instrument: str) -> HttpResponse:
    spec = INSTRUMENTS.get(instrument)
    if spec is None:
        raise Http404
    form: FormState | None = None
    values: dict = {}
    ids = {it.name: f"item-{it.name}" for it in spec.items}
    title = f"{spec.title}: not saved"
    if request.method == "POST":
        values, errors = _items_from_post(spec, request.POST)
        if errors:
            form = refused(request, "instrument", errors, ids=ids, title=title)
        else:
            try:
                a = services.assessment_record(actor, patient_id, instrument, values)
            except DomainError as exc:
                if exc.status == 404:
                    raise
                form = refused(
                    request, "instrument", _item_refusal(spec, exc), ids=ids, title=title
                )
                form.status = exc.status
            else:
                text = f"{spec.title} saved: {a.total}, {a.severity_label.lower()}."
                if a.flags:
                    text += " " + "; ".join(a.flag_labels) + ": a flag is on the chart."
                if a.raised_flags:
                    return _next_steps(request, a.raised_flags[0].pk, text)
                return chart_done(request, patient_id, "assessments", text)
    patient = patient_get(actor, patient_id, purpose_detail=f"assessment:{instrument}")
    return render(
        request,
        "assessments/record.html",
        {
            "patient": patient,
            "spec": spec,
            "source": source_for_people(spec.source),
            "values": values,
            "errors": form.errors if form else {},
            "form": form,
        },
        status=form.status if form else 200,
    )


@staff_view("assessment.record")
def risk(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    form: FormState | None = None
    if request.method == "POST":
        factors = {k: request.POST.get(k) == "on" for k, _ in RiskFactorScreen.FACTORS}
        accepted = request.POST.get("infection_testing_accepted", "")
        try:
            screen = services.risk_screen_record(
                actor,
                patient_id,
                factors,
                infection_testing_offered=request.POST.get("infection_testing_offered") == "on",
                infection_testing_accepted={"yes": True, "no": False}.get(accepted),
                notes=request.POST.get("notes", "")[:2000],
            )
        except DomainError as exc:
            form = refused(request, "risk", exc, title="Risk factors not saved")
        else:
            if screen.raised_flags:
                return _next_steps(
                    request,
                    screen.raised_flags[0].pk,
                    "Risk factors recorded. High overdose risk: a flag is on the chart.",
                )
            return chart_done(request, patient_id, "risk", "Risk factors recorded.")
    patient = patient_get(actor, patient_id, purpose_detail="risk_factors")
    return render(
        request,
        "assessments/risk.html",
        {"patient": patient, "factors": RiskFactorScreen.FACTORS, "form": form},
        status=form.status if form else 200,
    )


@staff_view("problem.manage")
def problem_add(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    if request.method != "POST":
        return to_chart(patient_id, "problems")
    raw = request.POST.get("onset", "").strip()
    ids = {"condition": "condition", "description": "pdesc", "onset": "onset"}
    try:
        try:
            onset = dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            raise DomainError(
                "invalid_input",
                "Enter the onset as a real date (year, month, day), or leave it empty.",
                field="onset",
            ) from None
        p = services.problem_add(
            actor,
            patient_id,
            request.POST.get("condition", ""),
            description=request.POST.get("description", "")[:200],
            onset=onset,
        )
    except DomainError as exc:
        form = refused(request, "problems", exc, ids=ids, title="Condition not added")
        return chart_page(request, actor, patient_id, form=form)
    return chart_done(request, patient_id, "problems", f"{p.display} added to the problem list.")


@staff_view("problem.manage")
def problem_resolve(request: HttpRequest, actor: Actor, problem_id: int) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    p = services.problem_resolve(actor, problem_id)
    return chart_done(request, p.patient_id, "problems", f"{p.display} marked resolved.")


LEVEL_IDS = {name: f"dim-{name}" for name, _ in DIMENSIONS}


@staff_view("level_of_care.assess")
def level_assess(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    form: FormState | None = None
    values: dict = {}
    if request.method == "POST":
        missing = {}
        for n, (name, label) in enumerate(DIMENSIONS, start=1):
            raw = request.POST.get(name, "")
            if raw.isdecimal():
                values[name] = int(raw)
            else:
                missing[name] = f"Rate dimension {n}, {label.lower()} (0 to 4)."
        try:
            if missing:
                form = refused(
                    request, "level", missing, ids=LEVEL_IDS, title="No recommendation yet"
                )
            else:
                la = services.level_of_care_assess(
                    actor,
                    patient_id,
                    values,
                    overdose_last_year=request.POST.get("overdose_last_year") == "on",
                    pregnant=request.POST.get("pregnant") == "on",
                )
                return chart_done(
                    request,
                    patient_id,
                    "level_of_care",
                    f"Recommended level of care: {la.recommended_label}. "
                    "A clinician accepts it or overrides it below.",
                )
        except DomainError as exc:
            form = refused(request, "level", exc, ids=LEVEL_IDS, title="No recommendation yet")
    patient = patient_get(actor, patient_id, purpose_detail="level_of_care")
    return render(
        request,
        "assessments/level.html",
        {
            "patient": patient,
            "dimensions": DIMENSIONS,
            "values": values,
            "errors": form.errors if form else {},
            "form": form,
        },
        status=form.status if form else 200,
    )


@staff_view("level_of_care.decide")
def level_decide(request: HttpRequest, actor: Actor, assessment_id: int) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    accept = request.POST.get("decision") == "accept"
    try:
        la = services.level_of_care_decide(
            actor,
            assessment_id,
            accept=accept,
            level=None if accept else request.POST.get("level", ""),
            reason=request.POST.get("reason", "")[:2000],
        )
    except DomainError as exc:
        if exc.status == 404:
            raise
        from .models import LevelOfCareAssessment

        la = LevelOfCareAssessment.objects.get(
            pk=assessment_id, organization_id=actor.organization_id
        )
        form = refused(
            request,
            f"decide-{la.pk}",
            exc,
            ids={"reason": f"ovr-{la.pk}", "level": f"ovl-{la.pk}"},
            title="Decision not saved",
        )
        return chart_page(request, actor, la.patient_id, form=form)
    verb = "accepted" if la.decision == "accepted" else "overridden"
    return chart_done(
        request, la.patient_id, "level_of_care", f"Level of care {verb}: {la.decided_label}."
    )


@staff_view("flag.acknowledge")
def flag_ack(request: HttpRequest, actor: Actor, flag_id: int) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    try:
        flag = services.flag_acknowledge(actor, flag_id, request.POST.get("note", ""))
    except DomainError as exc:
        if exc.status == 404:
            raise
        from .models import Flag

        flag = Flag.objects.get(pk=flag_id, organization_id=actor.organization_id)
        form = refused(
            request,
            f"flag-{flag.pk}",
            exc,
            ids={"note": f"ack-note-{flag.pk}"},
            title=f"{flag.get_kind_display()} flag not acknowledged",
        )
        return chart_page(request, actor, flag.patient_id, form=form)
    return chart_done(
        request, flag.patient_id, "chart", f"{flag.get_kind_display()} flag acknowledged."
    )


# --- safety flags: the next steps at once, the site's open list ---------------------------
def _next_steps(request: HttpRequest, flag_id: int, text: str) -> HttpResponse:
    """A safety flag was just raised: the person who entered it goes straight to the
    next-steps page (not back to the chart, where the banner may be out of sight)."""
    say_done(request, "prompt", text)
    return HttpResponseRedirect(reverse("assessments:flag_prompt", args=[flag_id]))


@staff_view("assessment.view")
def flag_prompt(request: HttpRequest, actor: Actor, flag_id: int) -> HttpResponse:
    """What to do now about a suicide-risk or overdose-risk flag, and whom to call."""
    flag = selectors.flag_for_prompt(actor, flag_id)
    staff = selectors.responsible_staff(actor.organization_id, flag.patient.site_id)
    return render(
        request,
        "assessments/flag_prompt.html",
        {
            "flag": flag,
            "patient": flag.patient,
            "staff": staff,
            "can_ack": actor.can("flag.acknowledge") and flag.acknowledged_at is None,
            "can_list": actor.can("safety_flags.view"),
        },
    )


def _age(raised: dt.datetime) -> str:
    minutes = max(0, int((timezone.now() - raised).total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        return f"{hours // 24} days"
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


@staff_view("safety_flags.view")
def site_flags(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The open safety flags of a site, oldest first, with how long each has waited and
    whether the same-day review (domain facts §3) was missed."""
    site, sites = site_from_request(request, actor)
    today = site_today(site)
    rows = []
    for f in selectors.site_open_flags(actor, site):
        raised_local = timezone.localtime(f.raised_at, site.tz)
        rows.append(
            {
                "flag": f,
                "raised": raised_local,
                "age": _age(f.raised_at),
                "overdue": raised_local.date() < today,
            }
        )
    return render(
        request,
        "assessments/site_flags.html",
        {
            "site": site,
            "sites": sites,
            "rows": rows,
            "staff": selectors.responsible_staff(actor.organization_id, site.pk),
            "can_ack": actor.can("flag.acknowledge"),
        },
    )
