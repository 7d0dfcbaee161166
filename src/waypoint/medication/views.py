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

from waypoint.clinical import takehome
from waypoint.clinical.medications import LABELS, NAMES, SCHEDULE_LABELS
from waypoint.core.errors import DomainError
from waypoint.core.web import Actor, refusal_message, say_refused, site_from_request, staff_view
from waypoint.patients.chart import chart_url, to_chart
from waypoint.patients.selectors import patient_ref

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
            "last_episode_label": selectors.discharge_label(panel.last_episode) if panel else "",
            "can_dose": actor.can("dose.administer"),
            "can_take_home": actor.can("take_home.dispense"),
            "can_vitals": actor.can("vitals.record"),
            "now_time": timezone.localtime(timezone.now(), site.tz).strftime("%H:%M"),
            "idempotency_key": uuid.uuid4().hex,
        },
    )


def _int_or_none(raw: str, name: str) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise DomainError("invalid_input", f"{name} is a whole number.", field=name)
    return int(raw)


@staff_view("vitals.record")
def vitals(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Vital signs from the window's form (the time is the site's local time today)."""
    if request.method != "POST":
        return redirect("medication:window")
    p = request.POST
    site, _ = site_from_request(request, actor)
    pid = p.get("patient", "")
    back = (
        reverse("medication:window")
        + f"?site={site.code}"
        + (f"&patient={pid}" if pid.isdigit() else "")
    )
    if not pid.isdigit():
        messages.error(request, "Choose a person.")
        return redirect(back)
    try:
        taken_at = None
        raw = (p.get("taken_at") or "").strip()
        if raw:
            try:
                t = dt.time.fromisoformat(raw)
            except ValueError as exc:
                raise DomainError(
                    "invalid_input", "Taken at: a time written HH:MM.", field="taken_at"
                ) from exc
            now = timezone.localtime(timezone.now(), site.tz)
            taken_at = dt.datetime.combine(now.date(), t, site.tz)
            if taken_at > now + services.FUTURE_TOLERANCE:
                taken_at -= dt.timedelta(days=1)  # a time after now was yesterday's
        row = services.vitals_record(
            actor,
            int(pid),
            taken_at=taken_at,
            systolic=_int_or_none(p.get("systolic", ""), "systolic"),
            diastolic=_int_or_none(p.get("diastolic", ""), "diastolic"),
            pulse=_int_or_none(p.get("pulse", ""), "pulse"),
            site=site.code,
        )
    except DomainError as exc:
        say_refused(request, exc)
        return redirect(back)
    parts = [
        f"BP {row.systolic}/{row.diastolic}" if row.systolic else "",
        f"pulse {row.pulse}" if row.pulse else "",
    ]
    messages.success(
        request,
        "Vital signs recorded: "
        + ", ".join(x for x in parts if x)
        + f" at {timezone.localtime(row.taken_at, site.tz):%H:%M}.",
    )
    return redirect(back)


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
        "check_url": f"/api/v1/patients/{patient.pk}/medication-orders/check",
    }


def _order_form(p) -> OrderIn:
    """The order form's fields as the API's body (one schema, the same checks)."""
    return OrderIn(
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
        blockade_acknowledged=p.get("blockade_acknowledged") == "on",
        titration_reason=p.get("titration_reason", ""),
        transfer_source=p.get("transfer_source", ""),
        transfer_last_dose_on=p.get("transfer_last_dose_on") or None,
        transfer_treated_since=p.get("transfer_treated_since") or None,
        implant_supplemental=p.get("implant_supplemental") == "on",
        last_opioid_use_on=p.get("last_opioid_use_on") or None,
        last_opioid_kind=p.get("last_opioid_kind", ""),
        instructions=p.get("instructions", ""),
    )


@staff_view("medication.order")
def order_new(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    if request.method != "POST":
        return to_chart(patient_id, "medication")
    try:
        data = _order_form(request.POST)
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


@staff_view("medication.order")
def order_check(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """The "Check order" button without JavaScript: what signing would answer, on a page
    with the form as typed (nothing is written; the check is audited as a read)."""
    if request.method != "POST":
        return to_chart(patient_id, "medication")
    p = request.POST
    try:
        data = _order_form(p)
        answer = services.order_check(
            actor,
            patient_id,
            **data.model_dump(exclude={"induction", "instructions"}),
            induction=data.induction or "",
        )
    except (DomainError, ValidationError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404:
            raise
        if isinstance(exc, DomainError):
            refused = {"code": exc.code, "detail": exc.message}
        else:
            refused = {"code": "invalid_input", "detail": refusal_message(exc)}
        answer = {"refusals": [refused], "warnings": []}
    patient = patient_ref(actor, patient_id)
    return render(
        request,
        "medication/order_check.html",
        {
            "patient": patient,
            "answer": answer,
            "form": {k: v for k, v in p.items() if k != "csrfmiddlewaretoken"},
            "section": chart_context(actor, patient),
        },
    )


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
                titration_reason=p.get("titration_reason", ""),
                implant_supplemental=(p.get("implant_supplemental") == "on")
                if "implant_supplemental_shown" in p
                else None,
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
        p = request.POST
        try:
            raw_on = (p.get("on") or "").strip()
            on = dt.date.fromisoformat(raw_on) if raw_on else None
            kind = p.get("kind", "")
            test = _int_or_none(p.get("drug_test", ""), "drug_test")
            services.opioid_free_confirm(
                actor,
                patient_id,
                kind,
                None if kind == "negative_test" and test else on,
                p.get("note", ""),
                drug_test=test,
            )
            messages.success(request, "Recorded.")
        except ValueError:
            messages.error(request, "on: a date written YYYY-MM-DD.")
        except DomainError as exc:
            say_refused(request, exc)
    return to_chart(patient_id, "medication")


@staff_view("medication.order")
def determination(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """The take-home determination form: each 8.12(i)(2) criterion yes/no with a note."""
    if request.method == "POST":
        p = request.POST
        answers = {}
        for code in (c.code for c in takehome.DETERMINATION_CRITERIA):
            raw = p.get(f"c_{code}", "")
            answers[code] = {
                "favorable": {"yes": True, "no": False}.get(raw),
                "note": p.get(f"n_{code}", "")[:1000],
            }
        try:
            services.take_home_determination_record(
                actor, patient_id, answers, note=p.get("note", "")[:2000]
            )
            messages.success(request, "Take-home determination recorded.")
        except DomainError as exc:
            say_refused(request, exc)
    return to_chart(patient_id, "medication")


@staff_view("medication.order")
def implant(request: HttpRequest, actor: Actor, order_id: int, action: str) -> HttpResponse:
    """The implant's insertion (under its order) and removal (``implant`` is then the
    implant's id, posted with the form)."""
    pid = _order_patient(actor, order_id)
    if request.method != "POST":
        return to_chart(pid, "medication")
    p = request.POST
    try:
        raw = (p.get("on") or "").strip()
        try:
            on = dt.date.fromisoformat(raw) if raw else None
        except ValueError as exc:
            raise DomainError("invalid_input", "A date written YYYY-MM-DD.", field="on") from exc
        if action == "insert":
            row = services.implant_insert(
                actor,
                order_id,
                lot=p.get("lot", "")[:50],
                inserted_on=on,
                arm=p.get("arm", "")[:5],
                note=p.get("note", "")[:500],
            )
            messages.success(
                request,
                f"Implant lot {row.lot} inserted; removal due {row.removal_due_on:%Y-%m-%d}.",
            )
        elif action == "remove":
            implant_id = _int_or_none(p.get("implant", ""), "implant")
            if implant_id is None:
                raise DomainError("invalid_input", "Choose the implant.", field="implant")
            services.implant_remove(actor, implant_id, removed_on=on, note=p.get("note", "")[:500])
            messages.success(request, "Implant removal recorded.")
        else:
            raise Http404
    except DomainError as exc:
        say_refused(request, exc)
    return to_chart(pid, "medication")


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
