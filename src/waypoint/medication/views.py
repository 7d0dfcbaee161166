"""The dosing window, outreach, stock pages and the chart's medication forms: thin views over
the same services and selectors as the API. A refusal goes back to the page with the
nurse's sentence shown; nothing is written."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from pydantic import ValidationError

from waypoint.clinical.medications import LABELS, NAMES, SCHEDULE_LABELS
from waypoint.core.errors import DomainError
from waypoint.core.web import Actor, say_refused, site_from_request, staff_view
from waypoint.patients.chart import chart_url, to_chart

from . import selectors, services
from .schemas import OrderChangeIn, OrderIn


def _mg(raw: str) -> Decimal:
    try:
        value = Decimal((raw or "").strip())
    except InvalidOperation as exc:
        raise DomainError("invalid_input", "The dose is a number of mg.", field="dose_mg") from exc
    if not value.is_finite():
        raise DomainError("invalid_input", "The dose is a number of mg.", field="dose_mg")
    return value


# --- the window -------------------------------------------------------------------------
@staff_view("medication.view")
def window(request: HttpRequest, actor: Actor) -> HttpResponse:
    site, sites = site_from_request(request, actor)
    q = request.GET.get("q", "").strip()[:100]
    found = []
    panel = None
    pid = request.GET.get("patient", "")
    if q:
        found = selectors.window_find(actor, site, q)
        if len(found) == 1:
            pid = str(found[0].pk)
    if pid.isdigit():
        panel = selectors.window_patient(actor, site, int(pid))
    board = selectors.window_board(actor, site)
    return render(
        request,
        "medication/window.html",
        {
            "site": site,
            "sites": sites,
            "board": board,
            "q": q,
            "found": found,
            "panel": panel,
            "can_dose": actor.can("dose.administer"),
            "can_take_home": actor.can("take_home.dispense"),
            "idempotency_key": uuid.uuid4().hex,
        },
    )


@staff_view("dose.administer")
def dose(request: HttpRequest, actor: Actor) -> HttpResponse:
    if request.method != "POST":
        return redirect("medication:window")
    p = request.POST
    site_code = p.get("site", "")[:20]
    back = reverse("medication:window") + f"?site={site_code}"
    order_id = p.get("order", "")
    if not order_id.isdigit():
        messages.error(request, "Choose an order.")
        return redirect(back)
    order = selectors.order_in_org(actor.organization_id, int(order_id))
    if order is None:
        raise Http404
    try:
        given, replay = services.dose_record(
            actor,
            order.pk,
            _mg(p.get("dose_mg", "")),
            idempotency_key=(p.get("idempotency_key") or "")[:100] or None,
            note=p.get("note", "")[:500],
        )
    except (DomainError, ValidationError) as exc:
        say_refused(request, exc)
        return redirect(back + f"&patient={order.patient_id}")
    p_ = order.patient
    messages.success(
        request,
        f"{'Already recorded' if replay else 'Given'}: {given.dose_mg.normalize():f} mg "
        f"{LABELS[order.medication].lower()} to {p_.first_name} {p_.last_name} "
        f"({p_.mrn}) at {timezone.localtime(given.administered_at, order.site.tz):%H:%M}.",
    )
    return redirect(back)


@staff_view("take_home.dispense")
def take_home(request: HttpRequest, actor: Actor, order_id: int) -> HttpResponse:
    order = selectors.order_in_org(actor.organization_id, order_id)
    if order is None:
        raise Http404
    chart = chart_url(order.patient_id, "medication")
    if request.method != "POST":
        return redirect(chart)
    raw = request.POST.get("days", "")
    try:
        if not raw.isdigit():
            raise DomainError("invalid_input", "Days is a whole number.", field="days")
        supply = services.take_home_dispense(actor, order.pk, int(raw))
    except DomainError as exc:
        say_refused(request, exc)
        return redirect(chart)
    messages.success(
        request,
        f"Dispensed {supply.days} take-home dose(s) of {supply.dose_mg.normalize():f} mg for "
        f"{supply.first_day:%Y-%m-%d} to "
        f"{supply.first_day + dt.timedelta(days=supply.days - 1):%Y-%m-%d}.",
    )
    return redirect(chart)


# --- outreach and closing the day -------------------------------------------------------
@staff_view("outreach.view")
def outreach(request: HttpRequest, actor: Actor) -> HttpResponse:
    site, sites = site_from_request(request, actor)
    return render(
        request,
        "medication/outreach.html",
        {
            "site": site,
            "sites": sites,
            "missed": selectors.missed_outreach(actor, site),
            "injections": selectors.injections_due(actor, site),
            "can_close": actor.can("dosing.close_day"),
        },
    )


@staff_view("dosing.close_day")
def close_day(request: HttpRequest, actor: Actor) -> HttpResponse:
    site_code = request.POST.get("site", "")[:20]
    if request.method == "POST":
        try:
            new = services.close_day(actor, site_code)
            messages.success(request, f"Day closed: {len(new)} marked missed.")
        except DomainError as exc:
            say_refused(request, exc)
    return redirect(reverse("medication:outreach") + f"?site={site_code}")


# --- stock ------------------------------------------------------------------------------
@staff_view("stock.view")
def stock(request: HttpRequest, actor: Actor) -> HttpResponse:
    site, sites = site_from_request(request, actor)
    return render(
        request,
        "medication/stock.html",
        {
            "site": site,
            "sites": sites,
            "s": selectors.stock_summary(actor, site),
            "can_manage": actor.can("stock.manage"),
        },
    )


@staff_view("stock.manage")
def stock_action(request: HttpRequest, actor: Actor, action: str) -> HttpResponse:
    p = request.POST
    site_code = p.get("site", "")[:20]
    back = reverse("medication:stock") + f"?site={site_code}"
    if request.method != "POST":
        return redirect(back)
    try:
        qty = _mg(p.get("quantity_mg", ""))
        if action == "receive":
            services.stock_receive(actor, site_code, qty, p.get("reference", "")[:100])
            messages.success(request, f"Received {qty} mg.")
        elif action == "waste":
            services.stock_waste(
                actor, site_code, qty, p.get("reason", "")[:300], p.get("witness", "")[:150]
            )
            messages.success(request, f"Recorded {qty} mg wasted.")
        elif action == "count":
            c = services.stock_count(
                actor, site_code, qty, p.get("witness", "")[:150], p.get("note", "")[:500]
            )
            if c.difference_mg:
                messages.error(
                    request,
                    f"Discrepancy: counted {c.counted_mg} mg, the ledger expects "
                    f"{c.expected_mg} mg (difference {c.difference_mg} mg). Investigate and "
                    "report as your policy requires.",
                )
            else:
                messages.success(request, f"Count matches the ledger: {c.counted_mg} mg.")
        else:
            raise Http404
    except DomainError as exc:
        say_refused(request, exc)
    return redirect(back)


# --- chart section and the prescriber's forms -------------------------------------------
def chart_context(actor: Actor, patient) -> dict:
    """The chart's Medication section (the chart page's read is audited once for the whole
    chart, so nothing here records another event)."""
    return selectors.medication_chart(actor.organization_id, patient) | {
        "can_order": actor.can("medication.order"),
        "can_take_home": actor.can("take_home.dispense"),
        "can_divert": actor.can("diversion.report"),
        "medications": [(n, LABELS[n]) for n in NAMES],
        "schedules": list(SCHEDULE_LABELS.items()),
    }


@staff_view("medication.order")
def order_new(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    if request.method != "POST":
        return to_chart(patient_id, "medication")
    p = request.POST
    try:
        data = OrderIn(
            medication=p.get("medication", ""),
            dose_mg=p.get("dose_mg", "") or "0",
            start_date=p.get("start_date", ""),
            schedule=p.get("schedule") or None,
            stop_date=p.get("stop_date") or None,
            induction=p.get("induction") or None,
            take_home_max_doses=int(p.get("take_home_max_doses") or 0)
            if (p.get("take_home_max_doses") or "0").isdigit()
            else -1,
            first_day_override_reason=p.get("first_day_override_reason", ""),
            high_dose_acknowledged=p.get("high_dose_acknowledged") == "on",
            last_opioid_use_on=p.get("last_opioid_use_on") or None,
            last_opioid_kind=p.get("last_opioid_kind", ""),
            instructions=p.get("instructions", ""),
        )
        services.order_create(
            actor,
            patient_id,
            **data.model_dump(exclude={"induction"}),
            induction=data.induction or "",
        )
        messages.success(request, "Order signed.")
    except (DomainError, ValidationError) as exc:
        say_refused(request, exc)
    return to_chart(patient_id, "medication")


def _order_patient(actor: Actor, order_id: int) -> int:
    order = selectors.order_in_org(actor.organization_id, order_id)
    if order is None:
        raise Http404
    return order.patient_id


@staff_view("medication.order")
def order_update(request: HttpRequest, actor: Actor, order_id: int, action: str) -> HttpResponse:
    pid = _order_patient(actor, order_id)
    if request.method != "POST":
        return to_chart(pid, "medication")
    p = request.POST
    try:
        if action == "change":
            data = OrderChangeIn(
                reason=p.get("reason", ""),
                dose_mg=p.get("dose_mg") or None,
                take_home_max_doses=int(p["take_home_max_doses"])
                if p.get("take_home_max_doses", "").isdigit()
                else None,
                high_dose_acknowledged=p.get("high_dose_acknowledged") == "on",
            )
            services.order_change(actor, order_id, **data.model_dump())
            messages.success(request, "Order changed.")
        elif action == "stop":
            services.order_stop(actor, order_id, p.get("reason", "")[:2000])
            messages.success(request, "Order stopped.")
        elif action == "reassess":
            dose_raw = p.get("dose_mg", "").strip()
            services.order_reassess(
                actor, order_id, p.get("note", "")[:2000], _mg(dose_raw) if dose_raw else None
            )
            messages.success(request, "Reassessment recorded: dosing may resume today.")
        else:
            raise Http404
    except (DomainError, ValidationError) as exc:
        say_refused(request, exc)
    return to_chart(pid, "medication")


@staff_view("medication.order")
def opioid_free(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    if request.method == "POST":
        try:
            on = dt.date.fromisoformat(request.POST.get("on", ""))
            services.opioid_free_confirm(
                actor, patient_id, request.POST.get("kind", ""), on, request.POST.get("note", "")
            )
            messages.success(request, "Recorded.")
        except ValueError:
            messages.error(request, "on: a date written YYYY-MM-DD.")
        except DomainError as exc:
            say_refused(request, exc)
    return to_chart(patient_id, "medication")


@staff_view("diversion.report")
def diversion(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    if request.method == "POST":
        try:
            services.diversion_concern_raise(
                actor, patient_id, request.POST.get("reason", "")[:300]
            )
            messages.success(request, "Diversion concern recorded on the chart banner.")
        except DomainError as exc:
            say_refused(request, exc)
    return to_chart(patient_id, "medication")
