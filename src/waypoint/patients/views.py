"""Patient search, registration, chart and edit pages: thin views over the services."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from pydantic import ValidationError

from waypoint.core.errors import DomainError
from waypoint.core.models import Site
from waypoint.core.web import Actor, form_errors, staff_view

from . import selectors, services
from .chart import banner_for, sections_for
from .models import Patient
from .schemas import OPTIONAL_FIELDS, PatientIn, PatientUpdate

FORM_FIELDS = ("first_name", "last_name", "date_of_birth", "site", *OPTIONAL_FIELDS)
BOOL_FIELDS = {"interpreter_needed", "confirm_not_duplicate"}


def _form_data(post) -> dict:
    data = {f: post.get(f, "") for f in FORM_FIELDS if f not in BOOL_FIELDS}
    for f in BOOL_FIELDS:
        data[f] = post.get(f) in ("on", "true", "1")
    return data


def _sites(actor: Actor):
    return Site.objects.filter(organization_id=actor.organization_id, active=True)


@staff_view("patient.view")
def search(request: HttpRequest, actor: Actor) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    results = selectors.patient_search(actor, q) if q else []
    return render(request, "patients/search.html", {"q": q, "results": results})


@staff_view("patient.register")
def register(request: HttpRequest, actor: Actor) -> HttpResponse:
    errors: dict[str, str] = {}
    duplicates: list = []
    data: dict = {
        "site": actor.user.site.code if actor.user.site_id else "",
        "preferred_language": "English",
        "sex_at_birth": "unknown",
    }
    if request.method == "POST":
        data = _form_data(request.POST)
        try:
            patient = services.patient_register(actor, PatientIn(**data))
            return redirect("patients:chart", patient_id=patient.pk)
        except ValidationError as exc:
            errors = form_errors(exc)
        except DomainError as exc:
            errors = form_errors(exc)
            if exc.code == "possible_duplicate":
                ids = [d["id"] for d in exc.extra.get("duplicates", [])]
                duplicates = list(
                    Patient.objects.filter(organization_id=actor.organization_id, pk__in=ids)
                )
    status = 422 if errors else 200
    return render(
        request,
        "patients/register.html",
        {"data": data, "errors": errors, "duplicates": duplicates, "sites": _sites(actor)},
        status=status,
    )


@staff_view("patient.view")
def chart(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    patient = selectors.patient_get(actor, patient_id, purpose_detail="chart")
    return render(
        request,
        "patients/chart.html",
        {
            "patient": patient,
            "sections": sections_for(actor, patient),
            "alerts": banner_for(actor, patient),
            "can_edit": actor.can("patient.edit"),
        },
    )


@staff_view("patient.edit")
def edit(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = _form_data(request.POST)
        data.pop("confirm_not_duplicate", None)
        try:
            services.patient_update(actor, patient_id, PatientUpdate(**data))
            return redirect("patients:chart", patient_id=patient_id)
        except ValidationError as exc:
            errors = form_errors(exc)
        except DomainError as exc:
            if exc.status == 404:
                raise
            errors = form_errors(exc)
        patient = selectors.patient_get(actor, patient_id, purpose_detail="edit")
    else:
        patient = selectors.patient_get(actor, patient_id, purpose_detail="edit")
        data = {f: getattr(patient, f) for f in FORM_FIELDS if f != "site"}
        data["site"] = patient.site.code
        data["date_of_birth"] = patient.date_of_birth.isoformat()
    return render(
        request,
        "patients/edit.html",
        {"patient": patient, "data": data, "errors": errors, "sites": _sites(actor)},
        status=422 if errors else 200,
    )
