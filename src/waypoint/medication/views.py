"""The dosing window, outreach, stock pages and the chart's medication forms: thin views over
the same services and selectors as the API. A refusal goes back to the page with the
nurse's sentence shown; nothing is written.

Every form answers the one way of ``core/web.py``: a refusal renders the page again with
the reason beside the form (in words, never a code) and what was typed kept; an accepted
form redirects to the place of the change with its sentence there. Stopping an order,
recording a diversion concern and dispensing take-homes ask to confirm first
(``confirm_page``), saying what will happen. Signing a new order on the page asks for the
prescriber's password (an e-signature); the API's bearer token is unchanged."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from pydantic import ValidationError

from waypoint.clinical import dosing as dosing_rules
from waypoint.clinical import drugtests as drugtests_rules
from waypoint.clinical import federal_limits, takehome
from waypoint.clinical.medications import LABELS, NAMES, SCHEDULE_LABELS
from waypoint.core.errors import DomainError
from waypoint.core.schemas import MAX_ID, bounded_int
from waypoint.core.selectors import site_today
from waypoint.core.web import (
    Actor,
    FormState,
    confirm_page,
    confirmed,
    done_redirect,
    human_errors,
    refused,
    say_done,
    say_refused,
    site_from_request,
    staff_view,
)
from waypoint.patients.chart import chart_page, chart_status_url, chart_url, paged, to_chart
from waypoint.patients.selectors import patient_ref

from . import selectors, services
from .schemas import OrderChangeIn, OrderIn


def _mg(raw: str, *, field: str = "dose_mg") -> Decimal:
    what = "The dose" if field == "dose_mg" else "The amount"
    try:
        value = Decimal((raw or "").strip())
    except InvalidOperation as exc:
        raise DomainError("invalid_input", f"{what} is a number of mg.", field=field) from exc
    if not value.is_finite():
        raise DomainError("invalid_input", f"{what} is a number of mg.", field=field)
    return value


# --- the window -------------------------------------------------------------------------
def _window_page(
    request: HttpRequest,
    actor: Actor,
    *,
    site=None,
    sites=None,
    patient_id: str = "",
    form: FormState | None = None,
) -> HttpResponse:
    """The window (an audited read), with ``form`` when its dose or vital-signs form was
    refused: the reason beside the form, what was typed kept."""
    if site is None:
        site, sites = site_from_request(request, actor)
    q = request.GET.get("q", "").strip()[:100]
    found = []
    panel = None
    pid = patient_id or request.GET.get("patient", "")
    if q:
        found = selectors.window_find(actor, site, q)
        if len(found) == 1:
            pid = str(found[0].pk)
    if (patient := bounded_int(pid, 1, MAX_ID)) is not None:
        panel = selectors.window_patient(actor, site, patient)
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
            "form": form,
        },
        status=form.status if form is not None else 200,
    )


@staff_view("medication.view")
def window(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _window_page(request, actor)


@staff_view("medication.view")
def window_board(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The window's counts, due list and recent doses as an HTML fragment: what
    ``window-refresh.js`` puts in place every few seconds (the same audited read as the
    page's board)."""
    site, _ = site_from_request(request, actor)
    return render(
        request,
        "medication/_window_board.html",
        {"site": site, "board": selectors.window_board(actor, site)},
    )


def _window_url(site_code: str, patient_id: int | str | None = None) -> str:
    url = reverse("medication:window") + f"?site={site_code}"
    return url + (f"&patient={patient_id}" if str(patient_id or "").isdecimal() else "")


def _int_or_none(raw: str, name: str) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdecimal():
        raise DomainError("invalid_input", f"{name} is a whole number.", field=name)
    return int(raw)


VITALS_LABELS = {
    "systolic": "the systolic blood pressure",
    "diastolic": "the diastolic blood pressure",
    "pulse": "the pulse",
    "taken_at": "the time taken",
}
VITALS_IDS = {"systolic": "v-sys", "diastolic": "v-dia", "pulse": "v-pulse", "taken_at": "v-time"}


@staff_view("vitals.record")
def vitals(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Vital signs from the window's form (the time is the site's local time today)."""
    if request.method != "POST":
        return redirect("medication:window")
    p = request.POST
    site, sites = site_from_request(request, actor)
    pid = p.get("patient", "")
    try:
        if not pid.isdecimal():
            raise DomainError("invalid_input", "Choose a person.")
        taken_at = None
        raw = (p.get("taken_at") or "").strip()
        if raw:
            try:
                t = dt.time.fromisoformat(raw)
            except ValueError as exc:
                raise DomainError(
                    "invalid_input",
                    "Enter the time taken as hours and minutes (HH:MM).",
                    field="taken_at",
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
    except (DomainError, ValidationError) as exc:
        form = _words(
            refused(
                request,
                "vitals",
                exc,
                labels=VITALS_LABELS,
                ids=VITALS_IDS,
                title="Vital signs not recorded",
            )
        )
        return _window_page(request, actor, site=site, sites=sites, patient_id=pid, form=form)
    parts = [
        f"BP {row.systolic}/{row.diastolic}" if row.systolic else "",
        f"pulse {row.pulse}" if row.pulse else "",
    ]
    say_done(
        request,
        "vitals",
        "Vital signs recorded: "
        + ", ".join(x for x in parts if x)
        + f" at {timezone.localtime(row.taken_at, site.tz):%H:%M}.",
    )
    return done_redirect(_window_url(site.code, pid), "vitals")


@staff_view("dose.administer")
def dose(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The window's button. Refused: the window again with the person's panel and the
    reason above it, in words (focused); given: the window for the next person, the sentence
    at its top above the search field."""
    if request.method != "POST":
        return redirect("medication:window")
    p = request.POST
    site, sites = site_from_request(request, actor)
    order_id = p.get("order", "")
    order_pk = bounded_int(order_id, 1, MAX_ID)
    order = selectors.order_in_org(actor.organization_id, order_pk) if order_pk else None
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
        form = _words(refused(request, "dose", exc, title="Not given"))
        return _window_page(
            request, actor, site=site, sites=sites, patient_id=str(order.patient_id), form=form
        )
    p_ = order.patient
    # Given: a message at the top of the window, right above the search field, which keeps
    # the focus for the next person's card (a scanner types into it).
    messages.success(
        request,
        f"{'Already recorded' if replay else 'Given'}: {given.dose_mg.normalize():f} mg "
        f"{LABELS[order.medication].lower()} to {p_.first_name} {p_.last_name} "
        f"({p_.mrn}) at {timezone.localtime(given.administered_at, order.site.tz):%H:%M}.",
    )
    return redirect(_window_url(site.code))


@staff_view("take_home.dispense")
def take_home(request: HttpRequest, actor: Actor, order_id: int) -> HttpResponse:
    """Dispensing take-homes in two steps: the form, then a page that says what will happen
    (how many bottles of what, for which days, the factors against) and asks to confirm."""
    order = selectors.order_in_org(actor.organization_id, order_id)
    if order is None:
        raise Http404
    pid = order.patient_id
    if request.method != "POST":
        return to_chart(pid, "medication")
    raw = request.POST.get("days", "").strip()
    try:
        if not raw.isdecimal() or int(raw) < 1:
            raise DomainError(
                "invalid_input", "Enter the number of days as a whole number.", field="days"
            )
        days = int(raw)
        if not confirmed(request):
            patient = patient_ref(actor, pid)
            e = selectors.take_home_eligibility(actor, pid)
            first = site_today(patient.site) + dt.timedelta(days=1)
            last = first + dt.timedelta(days=days - 1)
            facts = [
                ("Patient", f"{patient.first_name} {patient.last_name}, MRN {patient.mrn}"),
                ("Medication", f"{order.label}, {order.dose_mg.normalize():f} mg a bottle"),
                ("Bottles", f"{days}, for {first:%Y-%m-%d} to {last:%Y-%m-%d}"),
                (
                    "Ceiling",
                    f"day {e['days_in_treatment']} in treatment: at most "
                    f"{e['max_take_home_doses']}; the order authorizes "
                    f"{e['authorized_take_home_doses']}",
                ),
            ]
            if e["factors_against"]:
                facts.append(("Factors against", " ".join(f["text"] for f in e["factors_against"])))
            return confirm_page(
                request,
                question=f"Dispense {days} take-home dose{'s' if days != 1 else ''} to "
                f"{patient.first_name} {patient.last_name}?",
                facts=facts,
                consequence="The bottles leave the clinic: these days are then neither due "
                "at the window nor counted as missed, and the stock ledger is debited.",
                action=reverse("medication:take_home", args=[order.pk]) + "#status-take-home",
                back_url=chart_status_url(pid, "take-home"),
                confirm_label=f"Dispense {days} bottle{'s' if days != 1 else ''}",
                fields=("days",),
            )
        supply = services.take_home_dispense(actor, order.pk, days)
    except (DomainError, ValidationError) as exc:
        form = _words(
            refused(
                request,
                "take-home",
                exc,
                labels={"days": "the number of days"},
                ids={"days": "th-days"},
                title="No take-homes dispensed",
            )
        )
        return chart_page(request, actor, pid, form=form)
    say_done(
        request,
        "take-home",
        f"Dispensed {supply.days} take-home dose(s) of {supply.dose_mg.normalize():f} mg for "
        f"{supply.first_day:%Y-%m-%d} to "
        f"{supply.first_day + dt.timedelta(days=supply.days - 1):%Y-%m-%d}.",
    )
    return done_redirect(chart_url(pid, "take-home"), "take-home")


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
    back = reverse("medication:outreach") + f"?site={site_code}"
    if request.method == "POST":
        try:
            new = services.close_day(actor, site_code)
            say_done(request, "close-day", f"Day closed: {len(new)} marked missed.")
        except DomainError as exc:
            say_refused(request, exc)
            return redirect(back)
        return done_redirect(back, "close-day")
    return redirect(back)


# --- stock ------------------------------------------------------------------------------
# The ledgers a site may keep (methadone, and naloxone: kits given count out of it).
STOCK_MEDICATIONS = {"methadone": "Methadone", "naloxone": "Naloxone"}


def _stock_medication(request: HttpRequest) -> str:
    asked = request.POST.get("medication") or request.GET.get("medication") or "methadone"
    return asked if asked in STOCK_MEDICATIONS else "methadone"


def _stock_page(request: HttpRequest, actor: Actor, form: FormState | None = None) -> HttpResponse:
    site, sites = site_from_request(request, actor)
    medication = _stock_medication(request)
    return render(
        request,
        "medication/stock.html",
        {
            "site": site,
            "sites": sites,
            "medication": medication,
            "medication_label": STOCK_MEDICATIONS[medication],
            "medications": STOCK_MEDICATIONS,
            "s": selectors.stock_summary(actor, site, medication),
            "can_manage": actor.can("stock.manage"),
            "form": form,
        },
        status=form.status if form is not None else 200,
    )


@staff_view("stock.view")
def stock(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _stock_page(request, actor)


STOCK_LABELS = {
    "quantity_mg": "the amount in mg",
    "witness": "the witness",
    "witness_password": "the witness's password or code",
    "reason": "the reason",
    "reference": "the reference",
}
STOCK_IDS = {
    "count": {"quantity_mg": "c-q", "witness": "c-w", "witness_password": "c-wp"},
    "receive": {"quantity_mg": "r-q", "reference": "r-ref"},
    "waste": {"quantity_mg": "w-q", "reason": "w-r", "witness": "w-w", "witness_password": "w-wp"},
}


@staff_view("stock.manage")
def stock_action(request: HttpRequest, actor: Actor, action: str) -> HttpResponse:
    p = request.POST
    site_code = p.get("site", "")[:20]
    medication = _stock_medication(request)
    back = reverse("medication:stock") + f"?site={site_code}&medication={medication}"
    if action not in STOCK_IDS:
        raise Http404
    if request.method != "POST":
        return redirect(back)
    key = f"stock-{action}"
    try:
        qty = _mg(p.get("quantity_mg", ""), field="quantity_mg")
        if action == "receive":
            services.stock_receive(actor, site_code, qty, p.get("reference", "")[:100], medication)
            text = f"Received {qty.normalize():f} mg."
        elif action == "waste":
            services.stock_waste(
                actor,
                site_code,
                qty,
                p.get("reason", "")[:300],
                p.get("witness", "")[:150],
                medication,
                witness_password=p.get("witness_password", "")[:200],
                witness_code=p.get("witness_code", "")[:12],
            )
            text = f"Recorded {qty.normalize():f} mg wasted."
        else:
            c = services.stock_count(
                actor,
                site_code,
                qty,
                p.get("witness", "")[:150],
                p.get("note", "")[:500],
                medication,
                witness_password=p.get("witness_password", "")[:200],
                witness_code=p.get("witness_code", "")[:12],
            )
            if c.difference_mg:
                text = (
                    f"Discrepancy: counted {c.counted_mg} mg, the ledger expects "
                    f"{c.expected_mg} mg (difference {c.difference_mg} mg). Investigate and "
                    "report as your policy requires."
                )
            else:
                text = f"Count matches the ledger: {c.counted_mg} mg."
    except (DomainError, ValidationError) as exc:
        form = _words(
            refused(
                request,
                key,
                exc,
                labels=STOCK_LABELS,
                ids=STOCK_IDS[action],
                title="Not recorded",
            )
        )
        return _stock_page(request, actor, form)
    say_done(request, key, text)
    return done_redirect(back, key)


# --- chart section and the prescriber's forms -------------------------------------------
def chart_context(actor: Actor, patient, page: int = 1) -> dict:
    """The chart's Medication section, the dose history 10 a page (the chart page's read is
    audited once for the whole chart, so nothing here records another event)."""
    days, ceiling = selectors.order_take_home_ceiling(
        actor.organization_id, patient, site_today(patient.site)
    )
    doses = paged(selectors.dose_history(actor.organization_id, patient), page, 10)
    return selectors.medication_chart(actor.organization_id, patient) | {
        "recent": doses.items,
        "doses_pager": doses,
        "can_order": actor.can("medication.order"),
        "can_take_home": actor.can("take_home.dispense"),
        "can_divert": actor.can("diversion.report"),
        "medications": [(n, LABELS[n]) for n in NAMES],
        "schedules": list(SCHEDULE_LABELS.items()),
        "check_url": f"/api/v1/patients/{patient.pk}/medication-orders/check",
        "take_home_ceiling": ceiling,
        "take_home_days": days,
    }


def summary_card(actor: Actor, patient) -> dict:
    """The face sheet's "Medication today" card (no audit event of its own)."""
    return selectors.today_status(actor.organization_id, patient)


# The order form's fields, named for a person (the refusal sentences and the API's field
# names are turned into these words on the page).
ORDER_LABELS = {
    "medication": "the medication",
    "dose_mg": "the dose",
    "start_date": "the start date",
    "stop_date": "the stop date",
    "schedule": "the schedule",
    "induction": "the induction",
    "take_home_max_doses": "the take-home doses at a time",
    "first_day_override_reason": "the reason to exceed the first-day limit",
    "titration_reason": "the reason for a faster increase",
    "transfer_source": "the transfer's prescriber or program",
    "transfer_last_dose_on": "the date of the last dose there",
    "transfer_treated_since": "the date treated there since",
    "last_opioid_use_on": "the last opioid use",
    "last_opioid_kind": "the kind of the last opioid",
    "instructions": "the instructions",
    "repeat_dose_mg": "the repeat dose",
    "repeat_interval_hours": "the hours between doses",
    "day_one_max_mg": "the day-1 maximum",
    "signature_password": "your password",
    "reason": "the reason",
    "note": "the note",
    "days": "the number of days",
    "on": "the date",
    "drug_test": "the drug test number",
    "kind": "the kind of check",
    "lot": "the implant lot",
    "implant": "the implant",
}
ORDER_IDS = {
    "medication": "o-med",
    "dose_mg": "o-dose",
    "start_date": "o-start",
    "stop_date": "o-stop",
    "schedule": "o-sched",
    "induction": "o-ind",
    "take_home_max_doses": "o-th",
    "first_day_override_reason": "o-over",
    "titration_reason": "o-titr",
    "transfer_source": "o-tsrc",
    "transfer_last_dose_on": "o-tlast",
    "transfer_treated_since": "o-tsince",
    "last_opioid_use_on": "o-last",
    "last_opioid_kind": "o-kind",
    "instructions": "o-instr",
    "repeat_dose_mg": "o-rep",
    "repeat_interval_hours": "o-repint",
    "day_one_max_mg": "o-daymax",
    "signature_password": "o-sign-pw",
    "high_dose_acknowledged": "o-hd",
    "blockade_acknowledged": "o-blk",
    "implant_supplemental": "o-supp",
}
# The API's field names and values inside a rule's sentence, as a person reads them.
WORDS = {
    "(high_dose_acknowledged)": "(tick the high-dose acknowledgement)",
    "(blockade_acknowledged)": "(tick the blockade acknowledgement)",
    "(implant_supplemental)": "(tick supplemental doses)",
    "(titration_reason)": "(the reason for a faster increase)",
    "(transfer_source)": "(prescriber or program)",
    "(transfer_last_dose_on)": "(last dose there)",
    "stop_date is before start_date": "The stop date is before the start date",
    "take_home_max_doses is 0 to 28": "Take-home doses at a time are 0 to 28",
    "transfer_treated_since": "The date treated there since",
    "last_opioid_kind is short_acting or long_acting": "Choose the kind of the last opioid",
    "induction is standard or low_dose": "Choose standard or low-dose induction",
    "implant_supplemental": "supplemental doses",
    "administered_at": "the time given",
    "Enter the medication": "Choose a medication",
}


def _words(form: FormState) -> FormState:
    """The form's sentences with the API's field names put in words (never a code)."""
    for name, text in list(form.errors.items()):
        for raw, words in WORDS.items():
            text = text.replace(raw, words)
        for field, label in ORDER_LABELS.items():
            if text.startswith(f"{field} "):
                text = label[0].upper() + label[1:] + text[len(field) :]
        form.errors[name] = text
    return form


def _order_refused(
    request: HttpRequest, key: str, exc: Exception, title: str, ids: dict | None = None
) -> FormState:
    return _words(
        refused(
            request,
            key,
            exc,
            labels=ORDER_LABELS,
            ids=ids if ids is not None else ORDER_IDS,
            title=title,
            # the password is never sent back to the page
            values={"signature_password": ""},
        )
    )


def _opt_int(raw: str | None) -> int | None | str:
    raw = (raw or "").strip()
    if not raw:
        return None
    return int(raw) if raw.isdecimal() else raw  # not a number: the schema refuses it


def _order_form(p) -> OrderIn:
    """The order form's fields as the API's body (one schema, the same checks)."""
    return OrderIn(
        medication=p.get("medication", ""),
        dose_mg=p.get("dose_mg", "") or None,
        start_date=p.get("start_date", ""),
        schedule=p.get("schedule") or None,
        stop_date=p.get("stop_date") or None,
        induction=p.get("induction") or None,
        take_home_max_doses=int(p.get("take_home_max_doses") or 0)
        if (p.get("take_home_max_doses") or "0").isdecimal()
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
        repeat_dose_mg=p.get("repeat_dose_mg") or None,
        repeat_interval_hours=_opt_int(p.get("repeat_interval_hours")),
        day_one_max_mg=p.get("day_one_max_mg") or None,
    )


def _signature(request: HttpRequest) -> None:
    """The prescriber's electronic signature on the page: the password typed again (a
    re-authentication, not one click). The API's bearer token is unchanged."""
    password = request.POST.get("signature_password", "")
    if not password:
        raise DomainError(
            "signature_required",
            "Type your password to sign the order.",
            field="signature_password",
        )
    if not request.user.check_password(password):
        raise DomainError(
            "signature_failed",
            "That password is not yours: the order is not signed. Type it again.",
            field="signature_password",
        )


def _order_summary(order) -> str:
    parts = [
        f"{order.label} {order.dose_mg.normalize():f} mg {order.get_schedule_display().lower()}"
    ]
    if order.repeat_plan:
        plan = order.repeat_plan
        parts.append(
            f"may repeat {plan.repeat_dose_mg.normalize():f} mg after {plan.interval_hours} h, "
            f"up to {plan.day_one_max_mg.normalize():f} mg on day 1"
        )
    if order.take_home_max_doses:
        parts.append(f"take-homes up to {order.take_home_max_doses} at a time")
    return ", ".join(parts) + f", from {order.start_date:%Y-%m-%d}"


@staff_view("medication.order")
def order_new(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """Write and sign an order from the chart: the form's values through the API's schema,
    the prescriber's password as the signature, take-homes above today's ceiling refused.
    Refused: the chart again with the reason beside the form and every value typed kept.
    A GET with ``?medication=NAME`` shows the chart with the new-order form prefilled with
    that medication and today (a restart offered after a return to use: nothing is
    written, every rule applies when it is signed)."""
    if request.method != "POST":
        return _order_prefilled(request, actor, patient_id)
    try:
        data = _order_form(request.POST)
        _signature(request)
        order = services.order_create(
            actor,
            patient_id,
            **data.model_dump(exclude={"induction"}),
            induction=data.induction or "",
            enforce_take_home_ceiling=True,
        )
    except (DomainError, ValidationError) as exc:
        form = _order_refused(request, "order", exc, "Order not signed")
        return chart_page(request, actor, patient_id, form=form)
    say_done(request, "medication", f"Order signed: {_order_summary(order)}.")
    return done_redirect(chart_url(patient_id, "medication"), "medication")


def _order_prefilled(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    medication = request.GET.get("medication", "")[:40]
    if medication not in NAMES:
        return to_chart(patient_id, "medication")
    patient = patient_ref(actor, patient_id)
    form = FormState(
        key="order",
        values={
            "medication": medication,
            "start_date": site_today(patient.site).isoformat(),
            "take_home_max_doses": "0",
        },
        status=200,
    )
    return chart_page(request, actor, patient_id, form=form)


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
        code = exc.code if isinstance(exc, DomainError) else "invalid_input"
        words = human_errors(exc, ORDER_LABELS)
        answer = {"refusals": [{"code": code, "detail": w} for w in words.values()], "warnings": []}
    for r in answer["refusals"]:
        r["detail"] = _words(FormState(key="", errors={"": r["detail"]})).errors[""]
    patient = patient_ref(actor, patient_id)
    values = {
        k: str(v) for k, v in p.items() if k not in ("csrfmiddlewaretoken", "signature_password")
    }
    return render(
        request,
        "medication/order_check.html",
        {
            "patient": patient,
            "answer": answer,
            "order_form": FormState(key="order", values=values),
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
    """Change, reassess or stop an order. Stopping asks to confirm first (who, what, why)."""
    order = selectors.order_in_org(actor.organization_id, order_id)
    if order is None or action not in ("change", "stop", "reassess"):
        raise Http404
    pid = order.patient_id
    if request.method != "POST":
        return to_chart(pid, "medication")
    p = request.POST
    key = f"{action}-{order_id}"
    try:
        if action == "change":
            data = OrderChangeIn(
                reason=p.get("reason", ""),
                dose_mg=p.get("dose_mg") or None,
                take_home_max_doses=int(p["take_home_max_doses"])
                if p.get("take_home_max_doses", "").isdecimal()
                else None,
                high_dose_acknowledged=p.get("high_dose_acknowledged") == "on",
                titration_reason=p.get("titration_reason", ""),
                implant_supplemental=(p.get("implant_supplemental") == "on")
                if "implant_supplemental_shown" in p
                else None,
            )
            changed = services.order_change(actor, order_id, **data.model_dump())
            text = f"Order changed: {_order_summary(changed)}."
        elif action == "stop":
            reason = p.get("reason", "").strip()[:300]
            if not reason:
                raise DomainError("invalid_input", "Enter the reason to stop.", field="reason")
            if not confirmed(request):
                patient = patient_ref(actor, pid)
                return confirm_page(
                    request,
                    question=f"Stop {order.label.lower()} {order.dose_mg.normalize():f} mg for "
                    f"{patient.first_name} {patient.last_name}?",
                    facts=[
                        ("Patient", f"{patient.first_name} {patient.last_name}, MRN {patient.mrn}"),
                        ("Order", _order_summary(order)),
                        ("Reason", reason),
                        ("Stopped by", actor.user.get_full_name() or actor.user.username),
                    ],
                    consequence="From now the window gives no dose of this order and no "
                    "take-home is dispensed under it. It cannot be restarted: a new order "
                    "is written instead.",
                    action=reverse("medication:order_update", args=[order_id, "stop"])
                    + "#status-medication",
                    back_url=chart_status_url(pid, key),
                    confirm_label="Stop the order",
                    fields=("reason",),
                )
            services.order_stop(actor, order_id, reason)
            text = f"Order stopped: {order.label} {order.dose_mg.normalize():f} mg ({reason})."
        else:
            dose_raw = p.get("dose_mg", "").strip()
            services.order_reassess(
                actor, order_id, p.get("note", "")[:2000], _mg(dose_raw) if dose_raw else None
            )
            text = "Reassessment recorded: dosing may resume today."
    except (DomainError, ValidationError) as exc:
        form = _order_refused(
            request,
            key,
            exc,
            {"change": "Order not changed", "stop": "Order not stopped"}.get(
                action, "Reassessment not recorded"
            ),
            ids={
                "dose_mg": f"{key}-dose",
                "take_home_max_doses": f"{key}-th",
                "reason": f"{key}-reason",
                "note": f"{key}-note",
                "titration_reason": f"{key}-titr",
            },
        )
        return chart_page(request, actor, pid, form=form)
    say_done(request, "medication", text)
    return done_redirect(chart_url(pid, "medication"), "medication")


@staff_view("medication.order")
def opioid_free(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    if request.method != "POST":
        return to_chart(patient_id, "medication")
    p = request.POST
    try:
        raw_on = (p.get("on") or "").strip()
        try:
            on = dt.date.fromisoformat(raw_on) if raw_on else None
        except ValueError as exc:
            raise DomainError(
                "invalid_input", "Enter the date as a real date (year, month, day).", field="on"
            ) from exc
        kind = p.get("kind", "")
        test = _int_or_none(p.get("drug_test", ""), "drug_test")
        row = services.opioid_free_confirm(
            actor,
            patient_id,
            kind,
            None if kind == "negative_test" and test else on,
            p.get("note", ""),
            drug_test=test,
        )
    except (DomainError, ValidationError) as exc:
        form = _order_refused(
            request,
            "opioid-free",
            exc,
            "Not recorded",
            ids={"kind": "of-kind", "drug_test": "of-test", "on": "of-on"},
        )
        return chart_page(request, actor, patient_id, form=form)
    say_done(
        request,
        "opioid-free",
        f"Opioid-free check recorded: {row.get_kind_display().lower()} on {row.on:%Y-%m-%d}.",
    )
    return done_redirect(chart_url(patient_id, "opioid-free"), "opioid-free")


@staff_view("medication.order")
def determination(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """The take-home determination form: each 8.12(i)(2) criterion yes/no with a note."""
    if request.method != "POST":
        return to_chart(patient_id, "medication")
    p = request.POST
    answers = {}
    labels = {}
    for c in takehome.DETERMINATION_CRITERIA:
        raw = p.get(f"c_{c.code}", "")
        answers[c.code] = {
            "favorable": {"yes": True, "no": False}.get(raw),
            "note": p.get(f"n_{c.code}", "")[:1000],
        }
        labels[c.code] = c.text
    try:
        services.take_home_determination_record(
            actor, patient_id, answers, note=p.get("note", "")[:2000]
        )
    except (DomainError, ValidationError) as exc:
        form = _order_refused(
            request,
            "determination",
            exc,
            "Determination not recorded",
            ids={c.code: f"det-{c.code}" for c in takehome.DETERMINATION_CRITERIA},
        )
        for name, sentence in form.errors.items():  # a criterion by its words, not its code
            for code, words in labels.items():
                for raw in (code, code[0].upper() + code[1:]):
                    sentence = sentence.replace(f"{raw} is", f"“{words}” is").replace(raw, words)
            form.errors[name] = sentence
        return chart_page(request, actor, patient_id, form=form)
    say_done(request, "determination", "Take-home determination recorded.")
    return done_redirect(chart_url(patient_id, "determination"), "determination")


@staff_view("medication.order")
def implant(request: HttpRequest, actor: Actor, order_id: int, action: str) -> HttpResponse:
    """The implant's insertion (under its order) and removal (``implant`` is then the
    implant's id, posted with the form)."""
    pid = _order_patient(actor, order_id)
    if action not in ("insert", "remove"):
        raise Http404
    if request.method != "POST":
        return to_chart(pid, "medication")
    p = request.POST
    key = "implant-remove" if action == "remove" else f"implant-insert-{order_id}"
    try:
        raw = (p.get("on") or "").strip()
        try:
            on = dt.date.fromisoformat(raw) if raw else None
        except ValueError as exc:
            raise DomainError(
                "invalid_input", "Enter the date as a real date (year, month, day).", field="on"
            ) from exc
        if action == "insert":
            row = services.implant_insert(
                actor,
                order_id,
                lot=p.get("lot", "")[:50],
                inserted_on=on,
                arm=p.get("arm", "")[:5],
                note=p.get("note", "")[:500],
            )
            text = f"Implant lot {row.lot} inserted; removal due {row.removal_due_on:%Y-%m-%d}."
        else:
            implant_id = _int_or_none(p.get("implant", ""), "implant")
            if implant_id is None:
                raise DomainError("invalid_input", "Choose the implant.", field="implant")
            services.implant_remove(actor, implant_id, removed_on=on, note=p.get("note", "")[:500])
            text = "Implant removal recorded."
    except (DomainError, ValidationError) as exc:
        form = _order_refused(
            request,
            key,
            exc,
            "Not recorded",
            ids={"on": "im-off" if action == "remove" else f"{key}-on", "lot": f"{key}-lot"},
        )
        return chart_page(request, actor, pid, form=form)
    say_done(request, "implant", text)
    return done_redirect(chart_url(pid, "implant"), "implant")


@staff_view("diversion.report")
def diversion(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """A diversion concern in two steps: the form, then what it will do (a flag on the
    chart and the window, a factor against take-homes) and a confirmation."""
    if request.method != "POST":
        return to_chart(patient_id, "medication")
    reason = request.POST.get("reason", "").strip()[:300]
    try:
        if not reason:
            raise DomainError("invalid_input", "Enter what was seen (the concern).", field="reason")
        if not confirmed(request):
            patient = patient_ref(actor, patient_id)
            return confirm_page(
                request,
                question=f"Record a diversion concern for {patient.first_name} "
                f"{patient.last_name}?",
                facts=[
                    ("Patient", f"{patient.first_name} {patient.last_name}, MRN {patient.mrn}"),
                    ("What was seen", reason),
                    ("Recorded by", actor.user.get_full_name() or actor.user.username),
                ],
                consequence="A diversion-concern flag goes on the chart banner and the dosing "
                "window until a clinician acknowledges it, and it counts against take-homes "
                "for 90 days. It stays in the record.",
                action=reverse("medication:diversion", args=[patient_id]) + "#status-diversion",
                back_url=chart_status_url(patient_id, "diversion"),
                confirm_label="Record the concern",
                fields=("reason",),
            )
        services.diversion_concern_raise(actor, patient_id, reason)
    except (DomainError, ValidationError) as exc:
        form = _order_refused(
            request, "diversion", exc, "Concern not recorded", ids={"reason": "dv"}
        )
        return chart_page(request, actor, patient_id, form=form)
    say_done(request, "diversion", "Diversion concern recorded on the chart banner.")
    return done_redirect(chart_url(patient_id, "diversion"), "diversion")


# --- the organization's limits (admin) --------------------------------------------------
SETTINGS_KEY = "medication-settings"
SETTING_GROUPS: tuple[tuple[str, str, type], ...] = (
    ("dosing", "Dosing", dosing_rules.DosingLimits),
    ("take_home", "Take-home doses", takehome.TakeHomeLimits),
    ("testing", "Drug testing", drugtests_rules.TestingLimits),
)
# the three settings that carry a federal number (clinical.federal_limits): tightened only
FEDERAL_SOURCES = {
    "dosing.methadone_first_day_max_mg": (
        f"Federal limit: at most {federal_limits.FEDERAL_FIRST_DAY_MAX_MG} mg on the first "
        "day (42 CFR 8.12(h)(3)). It may only be lowered."
    ),
    "take_home.tiers": (
        "Federal limit: at most 7 take-home doses from day 1, 14 from day 15, 28 from day 31 "
        "(42 CFR 8.12(i)(3)). It may only be tightened."
    ),
    "testing.random_tests_per_year": (
        f"Federal minimum: at least {federal_limits.FEDERAL_RANDOM_TESTS_PER_YEAR} random "
        "tests a year (42 CFR 8.12(f)(6)). It may only be raised."
    ),
}
PRACTICE_SOURCE = "Practice: the program's choice."


def _setting_label(name: str) -> str:
    words = name.replace("_mg", " (mg)").replace("_", " ")
    return words[:1].upper() + words[1:]


def _setting_text(value: object) -> str:
    """A limit as typed on the page: 50, 0.72, yes/no, tiers as ``1:7, 15:14, 31:28``."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, tuple):
        return ", ".join(f"{a}:{b}" for a, b in value)
    return str(value)


def _setting_hint(default: object) -> str:
    if isinstance(default, bool):
        return "yes or no"
    if isinstance(default, Decimal):
        return "a number from 0 to 10000"
    if isinstance(default, tuple):
        return "day:doses pairs separated by commas, such as 1:7, 15:14, 31:28 (doses 0 to 28)"
    return "a whole number from 0 to 10000"


def _setting_rows(actor: Actor) -> list[dict[str, Any]]:
    d, t = selectors.limits_for(actor.organization_id)
    current = {
        "dosing": d,
        "take_home": t,
        "testing": selectors.testing_limits_for(actor.organization_id),
    }
    groups = []
    for group, title, cls in SETTING_GROUPS:
        rows = []
        for f in dataclasses.fields(cls):
            name = f"{group}.{f.name}"
            default = getattr(cls(), f.name)
            value = getattr(current[group], f.name)
            rows.append(
                {
                    "name": name,
                    "id": name.replace(".", "-").replace("_", "-"),
                    "label": _setting_label(f.name),
                    "value": _setting_text(value),
                    "default": _setting_text(default),
                    "changed": value != default,
                    "federal": name in FEDERAL_SOURCES,
                    "source": FEDERAL_SOURCES.get(name, PRACTICE_SOURCE),
                    "switch": isinstance(default, bool),
                    "hint": _setting_hint(default),
                }
            )
        groups.append({"title": title, "rows": rows})
    return groups


def _setting_value(row: dict[str, Any], raw: str) -> object:
    """What the page sent, as the service takes it (the service checks it)."""
    if row["switch"]:
        return raw == "yes"
    if row["name"] == "take_home.tiers":
        pairs = []
        for part in raw.split(","):
            day, sep, doses = part.partition(":")
            if not sep or not day.strip().isdecimal() or not doses.strip().isdecimal():
                raise DomainError("invalid_setting", "bad tiers", field=row["name"])
            pairs.append([int(day), int(doses)])
        return pairs
    return raw


def _setting_sentence(exc: DomainError, labels: dict[str, str], hints: dict[str, str]) -> str:
    field = str(exc.extra.get("field") or "")
    label = labels.get(field, "This setting")
    if exc.code == "setting_exceeds_federal_limit":
        why = exc.message.split(": ", 1)[-1]
        return f"{label}: {why}"
    if field in hints:
        return f"{label}: enter {hints[field]}."
    return exc.message


@staff_view("medication.settings")
def settings_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The organization's dosing, take-home and drug-testing limits: each with its value,
    its default and its source, changed through ``services.settings_update`` (the API's
    PATCH /settings/medication), so a federal limit may only be tightened."""
    groups = _setting_rows(actor)
    rows = {r["name"]: r for g in groups for r in g["rows"]}
    url = reverse("medication:settings")
    form: FormState | None = None
    if request.method == "POST":
        changes: dict[str, dict[str, object]] = {g: {} for g, _, _ in SETTING_GROUPS}
        said: list[str] = []
        try:
            for name, row in rows.items():
                if name not in request.POST:
                    continue
                raw = request.POST.get(name, "").strip()
                if raw == row["value"]:
                    continue
                group, key = name.split(".", 1)
                changes[group][key] = _setting_value(row, raw)
                said.append(f"{row['label']} {raw}")
            if said:
                services.settings_update(
                    actor, changes["dosing"], changes["take_home"], changes["testing"]
                )
        except DomainError as exc:
            if exc.status == 403:
                raise
            labels = {n: r["label"] for n, r in rows.items()}
            hints = {n: r["hint"] for n, r in rows.items()}
            field = str(exc.extra.get("field") or "")
            form = refused(
                request,
                SETTINGS_KEY,
                {field if field in rows else "": _setting_sentence(exc, labels, hints)},
                ids={n: r["id"] for n, r in rows.items()},
            )
        else:
            say_done(
                request,
                SETTINGS_KEY,
                "Saved: " + "; ".join(said) + "." if said else "Nothing was changed.",
            )
            return done_redirect(url, SETTINGS_KEY)
    _typed_into(groups, form)
    return render(
        request,
        "core/manage/settings_page.html",
        {
            "groups": groups,
            "form": form,
            "key": SETTINGS_KEY,
            "url": url,
            "title": "Dosing, take-home and drug-testing limits",
            "api": "GET / PATCH /api/v1/settings/medication",
            "intro": (
                "The organization's own limits, used by the dosing window, orders and "
                "take-homes. A federal limit (42 CFR 8.12) may be tightened here, never "
                "loosened; every other number is the program's choice."
            ),
        },
        status=form.status if form else 200,
    )


def _typed_into(groups: list[dict[str, Any]], form: FormState | None) -> None:
    """Each row's input shows what was typed (after a refusal) or the current value, and
    the sentence of its refusal beside it."""
    for g in groups:
        for r in g["rows"]:
            r["typed"] = form.values.get(r["name"], r["value"]) if form else r["value"]
            r["error"] = form.errors.get(r["name"], "") if form else ""
