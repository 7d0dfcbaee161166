"""Assessment pages: instrument forms generated from the item specs, risk factors,
problems, level of care, flag acknowledgement. Thin views over the services."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from waypoint.clinical.level_of_care import DIMENSIONS
from waypoint.clinical.registry import INSTRUMENTS
from waypoint.core.errors import DomainError
from waypoint.core.web import Actor, staff_view
from waypoint.patients.chart import to_chart
from waypoint.patients.selectors import patient_get

from . import services
from .models import RiskFactorScreen


def _items_from_post(instrument, post) -> tuple[dict, dict[str, str]]:
    """Read the form: ints for scale items, yes/no for booleans; blanks left out so the
    scorer reports a missing item."""
    items, errors = {}, {}
    for it in instrument.items:
        raw = post.get(it.name, "").strip()
        if raw == "":
            if not it.required and it.is_bool:
                items[it.name] = False
            continue
        if it.is_bool:
            items[it.name] = raw in ("yes", "on", "true")
        else:
            try:
                items[it.name] = int(raw)
            except ValueError:
                errors[it.name] = "Enter a whole number."
    return items, errors


@staff_view("assessment.record")
def record(request: HttpRequest, actor: Actor, patient_id: int, instrument: str) -> HttpResponse:
    spec = INSTRUMENTS.get(instrument)
    if spec is None:
        raise Http404
    errors: dict[str, str] = {}
    values: dict = {}
    if request.method == "POST":
        values, errors = _items_from_post(spec, request.POST)
        if not errors:
            try:
                a = services.assessment_record(actor, patient_id, instrument, values)
                messages.success(
                    request, f"{spec.title}: {a.total} ({a.severity.replace('_', ' ')})"
                )
                return to_chart(patient_id, "assessments")
            except DomainError as exc:
                errors[exc.extra.get("item") or "general"] = exc.message
    patient = patient_get(actor, patient_id, purpose_detail=f"assessment:{instrument}")
    return render(
        request,
        "assessments/record.html",
        {"patient": patient, "spec": spec, "values": values, "errors": errors},
        status=422 if errors else 200,
    )


@staff_view("assessment.record")
def risk(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    if request.method == "POST":
        factors = {k: request.POST.get(k) == "on" for k, _ in RiskFactorScreen.FACTORS}
        accepted = request.POST.get("infection_testing_accepted", "")
        services.risk_screen_record(
            actor,
            patient_id,
            factors,
            infection_testing_offered=request.POST.get("infection_testing_offered") == "on",
            infection_testing_accepted={"yes": True, "no": False}.get(accepted),
            notes=request.POST.get("notes", "")[:2000],
        )
        messages.success(request, "Risk factors recorded.")
        return to_chart(patient_id, "risk")
    patient = patient_get(actor, patient_id, purpose_detail="risk_factors")
    return render(
        request, "assessments/risk.html", {"patient": patient, "factors": RiskFactorScreen.FACTORS}
    )


@staff_view("problem.manage")
def problem_add(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    if request.method != "POST":
        return to_chart(patient_id, "problems")
    onset = None
    raw = request.POST.get("onset", "").strip()
    try:
        onset = dt.date.fromisoformat(raw) if raw else None
        services.problem_add(
            actor,
            patient_id,
            request.POST.get("condition", ""),
            description=request.POST.get("description", "")[:200],
            onset=onset,
        )
        messages.success(request, "Condition added to the problem list.")
    except ValueError:
        messages.error(request, "The onset date is not a real date (YYYY-MM-DD).")
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
    return to_chart(patient_id, "problems")


@staff_view("problem.manage")
def problem_resolve(request: HttpRequest, actor: Actor, problem_id: int) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    p = services.problem_resolve(actor, problem_id)
    return to_chart(p.patient_id, "problems")


@staff_view("level_of_care.assess")
def level_assess(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    errors: dict[str, str] = {}
    values: dict = {}
    if request.method == "POST":
        for name, _ in DIMENSIONS:
            raw = request.POST.get(name, "")
            if raw.isdigit():
                values[name] = int(raw)
        try:
            services.level_of_care_assess(
                actor,
                patient_id,
                values,
                overdose_last_year=request.POST.get("overdose_last_year") == "on",
                pregnant=request.POST.get("pregnant") == "on",
            )
            return to_chart(patient_id, "level_of_care")
        except DomainError as exc:
            if exc.status == 404:
                raise
            errors[exc.extra.get("item") or "general"] = exc.message
    patient = patient_get(actor, patient_id, purpose_detail="level_of_care")
    return render(
        request,
        "assessments/level.html",
        {"patient": patient, "dimensions": DIMENSIONS, "values": values, "errors": errors},
        status=422 if errors else 200,
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
        messages.success(request, f"Level of care {la.decision}: {la.decided_label}.")
        return to_chart(la.patient_id, "level_of_care")
    except DomainError as exc:
        if exc.status == 404:
            raise
        from .models import LevelOfCareAssessment

        la = LevelOfCareAssessment.objects.get(
            pk=assessment_id, organization_id=actor.organization_id
        )
        messages.error(request, exc.message)
        return to_chart(la.patient_id, "level_of_care")


@staff_view("flag.acknowledge")
def flag_ack(request: HttpRequest, actor: Actor, flag_id: int) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    try:
        flag = services.flag_acknowledge(actor, flag_id, request.POST.get("note", ""))
        messages.success(request, f"{flag.get_kind_display()} flag acknowledged.")
        return to_chart(flag.patient_id, "flags")
    except DomainError as exc:
        if exc.status == 404:
            raise
        from .models import Flag

        flag = Flag.objects.get(pk=flag_id, organization_id=actor.organization_id)
        messages.error(request, exc.message)
        return to_chart(flag.patient_id, "flags")
