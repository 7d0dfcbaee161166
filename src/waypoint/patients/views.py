"""Patient search, registration, chart and edit pages: thin views over the services."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from pydantic import ValidationError

from waypoint.core.errors import DomainError
from waypoint.core.models import Site
from waypoint.core.web import Actor, FormState, done_redirect, refused, say_done, staff_view

from . import selectors, services
from .chart import (
    BadPage,
    bad_page,
    chart_page,
    chart_tab_url,
    chart_url,
    page_number,
    tab_for_key,
)
from .forms import IDS, LABELS, duplicate_rows
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
    found = selectors.patient_find(actor, q) if q else selectors.Found()
    return render(
        request,
        "patients/search.html",
        {"q": q, "results": found.exact, "close": found.close},
    )


@staff_view("patient.register")
def register(request: HttpRequest, actor: Actor) -> HttpResponse:
    form: FormState | None = None
    duplicates: list = []
    data: dict = {
        "site": actor.user.site.code if actor.user.site else "",
        "preferred_language": "English",
        "sex_at_birth": "unknown",
    }
    if request.method == "POST":
        data = _form_data(request.POST)
        try:
            patient = services.patient_register(actor, PatientIn(**data))
            say_done(
                request,
                "chart",
                f"Registered {patient.display_name}: MRN {patient.mrn}, {patient.site.name}.",
            )
            return done_redirect(chart_url(patient.pk, "chart"), "chart")
        except (ValidationError, DomainError) as exc:
            if isinstance(exc, DomainError) and exc.code == "possible_duplicate":
                duplicates = duplicate_rows(actor, exc)
                form = refused(
                    request,
                    "register",
                    {"": "This may be someone already registered: check the records below."},
                    title="Not registered yet: possible duplicate",
                )
                form.status = 409
            else:
                form = refused(
                    request, "register", exc, labels=LABELS, ids=IDS, title="Not registered"
                )
    return render(
        request,
        "patients/register.html",
        {
            "data": data,
            "errors": form.errors if form else {},
            "form": form,
            "duplicates": duplicates,
            "sites": _sites(actor),
        },
        status=form.status if form else 200,
    )


@staff_view("patient.view")
def chart(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """The face sheet: the banner and the summary cards of the viewer's role."""
    return chart_page(request, actor, patient_id)


@staff_view("patient.view")
def chart_tab(request: HttpRequest, actor: Actor, patient_id: int, tab: str) -> HttpResponse:
    """One tab of the chart (``?page=`` pages its long histories)."""
    if tab_for_key(tab) != tab:
        return render(request, "errors/404.html", status=404)
    try:
        page = page_number(request)
    except BadPage:
        return bad_page(request)
    return chart_page(request, actor, patient_id, tab=tab, page=page)


@staff_view("patient.edit")
def edit(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    form: FormState | None = None
    if request.method == "POST":
        data = _form_data(request.POST)
        data.pop("confirm_not_duplicate", None)
        try:
            services.patient_update(actor, patient_id, PatientUpdate(**data))
            say_done(request, "chart", "Changes saved.")
            # the Profile tab, where what changed is (the sentence is in the banner)
            return done_redirect(chart_tab_url(patient_id, "profile"), "chart")
        except (ValidationError, DomainError) as exc:
            form = refused(request, "edit", exc, labels=LABELS, ids=IDS, title="Not saved")
        patient = selectors.patient_get(actor, patient_id, purpose_detail="edit")
    else:
        patient = selectors.patient_get(actor, patient_id, purpose_detail="edit")
        data = {f: getattr(patient, f) for f in FORM_FIELDS if f != "site"}
        data["site"] = patient.site.code
        data["date_of_birth"] = patient.date_of_birth.isoformat()
    return render(
        request,
        "patients/edit.html",
        {
            "patient": patient,
            "data": data,
            "errors": form.errors if form else {},
            "form": form,
            "sites": _sites(actor),
        },
        status=form.status if form else 200,
    )
