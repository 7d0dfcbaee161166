"""Aftercare plans (written at or after discharge, printable) and naloxone kits: pages.

- ``/recovery/patients/<id>/aftercare/``: the current plan with each item's status (and
  the form that changes it), and the form that writes a plan: five item rows, more with
  ``?rows=N`` (up to 30), no script needed; a refused form keeps what was typed and says
  beside each field what is wrong.
- ``/recovery/patients/<id>/aftercare/print/``: the plan the person takes home, with the
  988 line, the SAMHSA helpline and the nearest centres of the public locator.
- ``/recovery/patients/<id>/naloxone/``: give a kit, and the kits given.
``register()`` adds the chart section, the nurse's home panel, the discharge prompts and
the census's list of discharges without a plan.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from pydantic import ValidationError

from waypoint.care import census
from waypoint.care.episodes import selectors as episodes
from waypoint.clinical import aftercare as rule
from waypoint.core.errors import DomainError
from waypoint.core.home import HomePanel, register_home_panel
from waypoint.core.models import Site
from waypoint.core.schemas import bounded_int
from waypoint.core.selectors import site_today
from waypoint.core.web import Actor, FormState, done_redirect, refused, say_done, staff_view
from waypoint.patients.chart import ChartSection, register_section
from waypoint.patients.selectors import patient_get

from ..models import AFTERCARE_KINDS, AFTERCARE_STATUSES, NALOXONE_FORMULATIONS
from ..schemas.aftercare import AftercarePlanIn, ItemStatusIn, NaloxoneKitIn
from ..selectors import aftercare as selectors
from ..selectors.outreach import care_site
from ..services import aftercare as services

ROWS_DEFAULT = 5
ITEM_FIELDS = ("kind", "detail", "contact", "next_date")
LABELS = {
    "kind": "the kind",
    "detail": "what it is",
    "contact": "the contact",
    "next_date": "the next date",
    "items": "the items",
    "note": "the note",
    "given_on": "the date given",
    "quantity": "the quantity",
    "formulation": "the formulation",
    "lot": "the lot",
    "trained": "whether they were trained",
    "site": "the site",
    "status": "the status",
}


def _label(loc: tuple, error: dict) -> str | None:
    name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
    return LABELS.get(name)


# --- the plan -------------------------------------------------------------------------------
def _rows_wanted(request: HttpRequest, posted: int = 0) -> int:
    asked = bounded_int(request.GET.get("rows"), 1, rule.ITEMS_MAX) or ROWS_DEFAULT
    return max(ROWS_DEFAULT, asked, posted)


def _posted_rows(request: HttpRequest) -> list[dict[str, str]]:
    n = bounded_int(request.POST.get("rows"), 1, rule.ITEMS_MAX) or ROWS_DEFAULT
    return [
        {f: request.POST.get(f"{f}_{i}", "").strip()[:600] for f in ITEM_FIELDS} for i in range(n)
    ]


def _plan_page(
    request: HttpRequest,
    actor: Actor,
    patient_id: int,
    *,
    form: FormState | None = None,
    rows: list[dict[str, str]] | None = None,
    row_errors: dict[int, dict[str, str]] | None = None,
    note: str = "",
) -> HttpResponse:
    patient = patient_get(actor, patient_id, purpose_detail="aftercare")
    ctx = selectors.chart_context(actor, patient)
    n = _rows_wanted(request, len(rows or []))
    rows = list(rows or []) + [dict.fromkeys(ITEM_FIELDS, "") for _ in range(n - len(rows or []))]
    errs = row_errors or {}
    return render(
        request,
        "recovery/aftercare_plan.html",
        {
            "patient": patient,
            **ctx,
            "rows": [{"i": i, "v": r, "e": errs.get(i, {})} for i, r in enumerate(rows)],
            "more_rows": min(len(rows) + 5, rule.ITEMS_MAX),
            "max_rows": rule.ITEMS_MAX,
            "kinds": AFTERCARE_KINDS,
            "status_choices": AFTERCARE_STATUSES,
            "note": note,
            "form": form,
        },
        status=form.status if form is not None else 200,
    )


@staff_view("recovery.view")
def aftercare(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    if request.method != "POST":
        return _plan_page(request, actor, patient_id)
    actor.require("aftercare.manage")
    rows = _posted_rows(request)
    note = request.POST.get("note", "")[:2100]
    filled = [i for i, r in enumerate(rows) if any(r.values())]
    try:
        data = AftercarePlanIn(
            items=[
                {k: v for k, v in rows[i].items() if v or k in ("kind", "detail")} for i in filled
            ],
            note=note,
        )
        plan = services.aftercare_plan_write(
            actor, patient_id, [i.model_dump() for i in data.items], data.note
        )
    except (ValidationError, DomainError) as exc:
        form = refused(request, "aftercare-plan", exc, labels=_label, title="Plan not saved")
        row_errors: dict[int, dict[str, str]] = {}
        general = {}
        for key, message in form.errors.items():
            parts = key.split(".")
            if len(parts) == 3 and parts[0] == "items" and parts[1].isdigit():
                j = int(parts[1])
                row = filled[j] if j < len(filled) else 0
                row_errors.setdefault(row, {})[parts[2]] = f"Item {row + 1}: {message}"
            elif key == "items" and not filled:
                general[key] = "Write at least one item: its kind and what it is."
            else:
                general[key] = message
        form.errors = {
            **general,
            **{f"{f}_{i}": m for i, e in row_errors.items() for f, m in e.items()},
        }
        form.ids = {f"{f}_{i}": f"{f}_{i}" for i, e in row_errors.items() for f in e}
        return _plan_page(
            request, actor, patient_id, form=form, rows=rows, row_errors=row_errors, note=note
        )
    n = plan.items.count()
    say_done(
        request,
        "aftercare-plan",
        f"Aftercare plan written: {n} item{'s' if n != 1 else ''}. Print it for the person.",
    )
    return done_redirect(reverse("recovery:aftercare", args=[patient_id]), "aftercare-plan")


@staff_view("aftercare.manage")
def item_status(request: HttpRequest, actor: Actor, item_id: int) -> HttpResponseBase:
    patient_id = selectors.item_patient_id(actor, item_id)
    url = reverse("recovery:aftercare", args=[patient_id])
    if request.method != "POST":
        return done_redirect(url, "aftercare-items")
    try:
        data = ItemStatusIn(
            status=request.POST.get("status", ""), note=request.POST.get("note", "")[:600]
        )
        item, task = services.aftercare_item_status(actor, item_id, data.status, data.note)
    except (ValidationError, DomainError) as exc:
        form = refused(request, "aftercare-items", exc, labels=_label, title="Status not changed")
        return _plan_page(request, actor, patient_id, form=form)
    text = f"{item.detail}: {item.get_status_display().lower()}."
    if task is not None:
        text += (
            f" An outreach task is open at {task.site.name}, due "
            f"{task.due_at.astimezone(task.site.tz):%Y-%m-%d %H:%M}."
        )
    say_done(request, "aftercare-items", text)
    return done_redirect(url, "aftercare-items")


@staff_view("recovery.view")
def aftercare_print(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    return render(
        request, "recovery/aftercare_print.html", selectors.print_context(actor, patient_id)
    )


# --- naloxone -------------------------------------------------------------------------------
def _kit_page(
    request: HttpRequest, actor: Actor, patient_id: int, form: FormState | None = None
) -> HttpResponse:
    patient = patient_get(actor, patient_id, purpose_detail="naloxone")
    site = care_site(actor.organization_id, patient.pk) or actor.user.site or patient.site
    return render(
        request,
        "recovery/aftercare_naloxone.html",
        {
            "patient": patient,
            **selectors.chart_context(actor, patient),
            "formulations": NALOXONE_FORMULATIONS,
            "sites": Site.objects.filter(organization_id=actor.organization_id, active=True),
            "default_site": site,
            "today": site_today(site),
            "max_quantity": rule.KIT_QUANTITY_MAX,
            "form": form,
        },
        status=form.status if form is not None else 200,
    )


@staff_view("recovery.view")
def naloxone(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    if request.method != "POST":
        return _kit_page(request, actor, patient_id)
    actor.require("naloxone.give")
    p = request.POST
    try:
        quantity: Any = bounded_int(p.get("quantity"), 1, rule.KIT_QUANTITY_MAX)
        if quantity is None:
            raise DomainError(
                "invalid_input",
                f"The quantity is a whole number of devices from 1 to {rule.KIT_QUANTITY_MAX}.",
                field="quantity",
            )
        if p.get("trained") not in ("yes", "no"):
            raise DomainError(
                "invalid_input", "Say whether they were shown how to use it.", field="trained"
            )
        data = NaloxoneKitIn(
            given_on=p.get("given_on", ""),
            quantity=quantity,
            formulation=p.get("formulation", ""),
            lot=p.get("lot", "")[:60],
            trained=p.get("trained") == "yes",
            site=p.get("site") or None,
        )
        kit = services.naloxone_kit_give(
            actor,
            patient_id,
            given_on=data.given_on,
            quantity=data.quantity,
            formulation=data.formulation,
            trained=data.trained,
            lot=data.lot or "",
            site=data.site,
        )
    except (ValidationError, DomainError) as exc:
        form = refused(
            request,
            "naloxone",
            exc,
            labels=_label,
            title="Kit not recorded",
            ids={k: f"nx-{k}" for k in ("given_on", "quantity", "formulation", "lot", "trained")},
        )
        return _kit_page(request, actor, patient_id, form)
    text = (
        f"Naloxone given on {kit.given_on:%Y-%m-%d}: {kit.quantity} × "
        f"{selectors.FORMULATION_LABELS[kit.formulation].lower()}"
    )
    if kit.stock_entry is not None and kit.site is not None:  # type: ignore[attr-defined]
        text += f", counted out of {kit.site.name}'s naloxone stock"
    say_done(request, "naloxone", text + ".")
    return done_redirect(reverse("recovery:naloxone", args=[patient_id]), "naloxone")


urlpatterns: list[URLPattern] = [
    path("recovery/patients/<id:patient_id>/aftercare/", aftercare, name="aftercare"),
    path(
        "recovery/patients/<id:patient_id>/aftercare/print/",
        aftercare_print,
        name="aftercare_print",
    ),
    path("recovery/aftercare-items/<id:item_id>/status/", item_status, name="aftercare_item"),
    path("recovery/patients/<id:patient_id>/naloxone/", naloxone, name="naloxone"),
]


# --- hooks ----------------------------------------------------------------------------------
def _plan_link(patient_id: int) -> str:
    return reverse("recovery:aftercare", args=[patient_id])


SECTION = ChartSection(
    "aftercare",
    "Aftercare and naloxone",
    "recovery/aftercare_section.html",
    60,
    "recovery.view",
    selectors.chart_context,
)
HOME_PANEL = HomePanel(
    key="naloxone_due",
    template="recovery/aftercare_home_panel.html",
    action="naloxone.give",
    context=selectors.naloxone_home_panel,
    order=30,
)
FOLLOW_UP = census.DischargeFollowUp(
    key="aftercare_plan",
    title=f"Discharged in the last {rule.RECENT_DISCHARGE_DAYS} days without an aftercare plan",
    action="recovery.view",
    missing=selectors.episodes_without_plan,
    link=_plan_link,
    link_text="Write the aftercare plan",
)


def register() -> None:
    """Chart sections, banner providers, home panels and hooks of this part."""
    register_section(SECTION)
    register_home_panel(HOME_PANEL)
    episodes.add_discharge_prompt(selectors.discharge_prompts)
    census.register_discharge_follow_up(FOLLOW_UP)
