"""The chart's "Incentives" section (account, plan, timeline, ledger, redemption) and the
coordinator's board per site: thin views over the same services and selectors as the API.
A refusal goes back to the page with its sentence shown; nothing is written."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from waypoint.clinical import drugtests as dtr
from waypoint.clinical import incentives as rules
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
    site_from_request,
    staff_view,
)
from waypoint.labs import selectors as labs
from waypoint.labs.services import active_medications
from waypoint.patients.chart import chart_page, chart_status_url, chart_url, paged, to_chart
from waypoint.patients.selectors import patient_ref

from . import selectors, services
from .models import REWARD_CATEGORIES, IncentiveLedgerEntry, IncentivePlan, Reward
from .svg import Point, timeline_svg

AMOUNT = re.compile(r"\d{1,7}(\.\d{1,2})?")
OUTCOME_LABELS = {
    "negative": "negative",
    "positive": "positive for a target",
    "missed": "missed test",
    "incomplete": "incomplete",
}


def money(cents: int | None) -> str:
    """Cents as dollars: ``$2.50``, ``-$2.00``; "—" for none."""
    if cents is None:
        return "—"
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) / 100:,.2f}"


def _dollars_to_cents(raw: str, field: str, name: str = "") -> int:
    text = (raw or "").strip().lstrip("$").replace(",", "")
    if not AMOUNT.fullmatch(text):
        raise DomainError(
            "invalid_input", f"Enter the {field.lower()} in dollars, like 2.50.", field=name
        )
    whole, _, frac = text.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def _targets_label(targets: list[str]) -> str:
    return ", ".join(dtr.ANALYTE_LABELS.get(t, t) for t in targets)


# --- chart section ----------------------------------------------------------------------
def _entry_row(e: IncentiveLedgerEntry, reversed_ids: set[int | None]) -> dict:
    what = e.get_kind_display()
    detail = e.note
    if e.kind == "award":
        what = f"Award: {OUTCOME_LABELS.get(e.outcome, e.outcome)}"
        bits = []
        if e.test_id and e.test is not None:
            bits.append(f"test of {e.test.local_day:%Y-%m-%d}")
        if e.outcome == "negative":
            bits.append(f"streak {e.streak}")
            if e.bonus_cents:
                bits.append(f"bonus {money(e.bonus_cents)}")
        if e.draws:
            bits.append("draws: " + ", ".join(e.draws))
        detail = " · ".join(bits) + (f" — {e.note}" if e.note else "")
    elif e.kind == "reversal":
        detail = e.note or "Reverses an earlier award (a result was corrected)."
    elif e.kind == "redemption" and e.redemption_id:
        detail = f"{e.note} (patient present)" if e.note else "Reward"
    return {
        "e": e,
        "what": what,
        "detail": detail,
        "amount": money(e.cents),
        "reversed": e.pk in reversed_ids,
        "voidable": e.kind == "redemption" and e.redemption_id and e.pk not in reversed_ids,
    }


def _timeline(entries: list[IncentiveLedgerEntry], reversed_ids: set[int | None]) -> str:
    standing = [
        e
        for e in entries
        if e.kind == "award" and e.pk not in reversed_ids and e.plan_id is not None
    ]
    standing.sort(key=lambda e: (e.on, e.pk))
    points = [
        Point(
            on=e.on,
            outcome=e.outcome,
            value_cents=max(0, e.cents - min(e.bonus_cents, e.cents)),
            bonus_cents=min(e.bonus_cents, e.cents),
            streak=e.streak,
        )
        for e in standing
    ]
    return timeline_svg(points, "Awards per test under the plan")


def summary_card(actor: Actor, patient) -> dict:
    """The face sheet's "Incentives" card: the balance, the streak and the next award (the
    account read without an audit event: the chart page's read is audited once)."""
    a = selectors.account(actor, patient, site_today(patient.site), audit_read=False)
    active = next((p for p in a.plans if p.end_on is None), None)
    return {
        "plan": active,
        "balance": money(a.balance_cents),
        "streak": a.streak,
        "next_award": money(a.next_value_cents) if a.next_value_cents is not None else "",
        "any": bool(a.entries or a.plans),
    }


def chart_context(actor: Actor, patient, page: int = 1) -> dict:
    """The chart's "Incentives" section, the ledger 10 rows a page (the chart page's read is
    audited once for the whole chart, so the account is read without another event)."""
    a = services.account_settled(actor, patient.pk, audit_read=False)
    reversed_ids = {e.reverses_id for e in a.entries if e.kind == "reversal"}
    active = next((p for p in a.plans if p.end_on is None), None)
    today = site_today(patient.site)
    meds = active_medications(actor.organization_id, patient.pk, today)
    on_moud = bool(set(meds) & set(services.MOUD))
    rows = [_entry_row(e, reversed_ids) for e in a.entries]
    rows.reverse()  # newest first
    can_redeem = actor.can("incentives.redeem")
    s = selectors.settings_for(actor.organization_id)
    next_bonus = ""
    if a.next_value_cents is not None and s.bonus_every and (a.streak + 1) % s.bonus_every == 0:
        next_bonus = money(s.bonus_cents)
    return {
        "balance": money(a.balance_cents),
        "balance_cents": a.balance_cents,
        "earned": money(a.earned_in_window_cents),
        "cap": money(a.cap_cents),
        "cap_left": money(a.cap_left_cents),
        "cap_days": a.cap_window_days,
        "streak": a.streak,
        "next_award": money(a.next_value_cents) if a.next_value_cents is not None else "",
        "next_bonus": next_bonus,
        "plan": active,
        "plan_targets": _targets_label(active.targets) if active else "",
        "past_plans": [p for p in a.plans if p.end_on is not None],
        "ledger": (ledger := paged(rows, page, 10)).items,
        "ledger_pager": ledger,
        "balance_value": a.balance_cents,
        "svg": mark_safe(_timeline(a.entries, reversed_ids)),  # noqa: S308 - numbers, dates, escaped labels
        "can_plan": actor.can("incentives.plan"),
        "can_confirm": actor.can("incentives.confirm_opioid_targets"),
        "can_redeem": can_redeem,
        "rewards": [
            {"r": r, "price": money(r.cents), "affordable": r.cents <= a.balance_cents}
            for r in selectors.catalog(actor, patient.site)
        ]
        if can_redeem
        else [],
        "on_moud": on_moud,
        "targets": [
            {
                "analyte": t,
                "label": dtr.ANALYTE_LABELS[t],
                "checked": t in services.DEFAULT_TARGETS,
                "opioid": t in dtr.OPIOIDS,
            }
            for t in dtr.ANALYTES
        ],
        "today": today,
    }


def _done(request: HttpRequest, patient_id: int, text: str) -> HttpResponse:
    """Accepted: the sentence shows at the top of the chart's Incentives section."""
    say_done(request, "incentives", text)
    return done_redirect(chart_url(patient_id, "incentives"), "incentives")


def _date(raw: str, field: str, name: str = "") -> dt.date:
    try:
        return dt.date.fromisoformat((raw or "").strip())
    except ValueError as exc:
        raise DomainError(
            "invalid_input", f"Enter the {field.lower()} date as a real date.", field=name
        ) from exc


PLAN_CODES: dict[str, str] = {}


@staff_view("incentives.plan")
def plan_new(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    patient_ref(actor, patient_id)
    if request.method != "POST":
        return to_chart(patient_id, "incentives")
    p = request.POST
    try:
        per_week = (p.get("tests_per_week") or "").strip()
        if per_week and not per_week.isdecimal():
            raise DomainError(
                "invalid_input",
                "Tests per week: a whole number from 1 to 7.",
                field="tests_per_week",
            )
        plan = services.plan_create(
            actor,
            patient_id,
            schedule=p.get("schedule", "escalating")[:12],
            start_on=_date(p.get("start_on", ""), "Start", "start_on"),
            tests_per_week=int(per_week) if per_week else None,
            targets=[t[:20] for t in p.getlist("targets")[:10]] or None,
            confirm_without_medication=p.get("confirm_without_medication") == "on",
            confirmation_reason=p.get("confirmation_reason", "")[:500],
        )
    except DomainError as exc:
        form = refused(
            request,
            "incentive-plan",
            exc,
            ids={
                "start_on": "pl-start",
                "tests_per_week": "pl-week",
                "confirmation_reason": "pl-reason",
                "reason": "pl-reason",
            },
            title="Plan not started",
            codes=PLAN_CODES,
        )
        return chart_page(request, actor, patient_id, form=form)
    return _done(
        request,
        patient_id,
        f"Plan started {plan.start_on:%Y-%m-%d}: {plan.get_schedule_display().lower()} for "
        f"tests negative for {_targets_label(plan.targets)}.",
    )


@staff_view("incentives.plan")
def plan_end(request: HttpRequest, actor: Actor, plan_id: int) -> HttpResponse:
    plan = IncentivePlan.objects.filter(pk=plan_id, organization_id=actor.organization_id).first()
    if plan is None:
        raise Http404
    if request.method != "POST":
        return to_chart(plan.patient_id, "incentives")
    try:
        services.plan_end(
            actor,
            plan.pk,
            _date(request.POST.get("end_on", ""), "End", "end_on"),
            request.POST.get("reason", "")[:300],
        )
    except DomainError as exc:
        form = refused(
            request,
            "plan-end",
            exc,
            ids={"end_on": "pe-on", "reason": "pe-reason"},
            title="Plan not ended",
        )
        return chart_page(request, actor, plan.patient_id, form=form)
    return _done(request, plan.patient_id, "Plan ended; the balance stays spendable.")


REDEEM_IDS = {"reward": "rd-reward", "quantity": "rd-qty", "patient_present": "rd-present"}
REDEEM_CODES = {
    "patient_not_present": "Tick “Patient present”: a reward is handed over with the patient "
    "there.",
}


@staff_view("incentives.redeem")
def redeem(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    """A redemption in two steps: the form, then a page that says what is exchanged and
    what the balance becomes; only the confirmed post (``confirm=1``) redeems."""
    patient = patient_ref(actor, patient_id)
    if request.method != "POST":
        return to_chart(patient_id, "incentives")
    p = request.POST
    try:
        reward_id = p.get("reward", "")
        if not reward_id.isdecimal():
            raise DomainError("invalid_input", "Choose a reward.", field="reward")
        quantity = (p.get("quantity") or "1").strip()
        if not quantity.isdecimal() or not 1 <= int(quantity) <= 20:
            raise DomainError("invalid_input", "Enter a quantity from 1 to 20.", field="quantity")
        if p.get("patient_present") != "on":
            raise DomainError(
                "patient_not_present", REDEEM_CODES["patient_not_present"], field="patient_present"
            )
        if not confirmed(request):
            reward = Reward.objects.filter(
                pk=int(reward_id), organization_id=actor.organization_id, active=True
            ).first()
            if reward is None:
                raise DomainError("invalid_input", "Choose a reward.", field="reward")
            cost = reward.cents * int(quantity)
            balance = services.balance_cents(actor.organization_id, patient_id)
            if cost > balance:
                raise DomainError(
                    "insufficient_balance",
                    f"{reward.name} costs {money(cost)}; the balance is {money(balance)}.",
                    409,
                    field="reward",
                )
            who = f"{patient.first_name} {patient.last_name}"
            return confirm_page(
                request,
                question=f"Redeem {quantity} × {reward.name} ({money(cost)}) for {who}?",
                facts=[
                    ("Balance now", money(balance)),
                    ("Balance after", money(balance - cost)),
                    ("Patient present", "yes"),
                ],
                consequence="Hand the reward over once confirmed. A redemption given in "
                "error can be voided afterwards, with a reason.",
                action=reverse("incentives:redeem", args=[patient_id]) + "#status-incentives",
                back_url=chart_status_url(patient_id, "redeem"),
                confirm_label=f"Redeem for {who}",
            )
        red = services.redeem(
            actor,
            patient_id,
            int(reward_id),
            quantity=int(quantity),
            patient_present=True,
        )
    except DomainError as exc:
        if exc.code == "insufficient_balance" and "field" not in exc.extra:
            exc.extra["field"] = "reward"
        form = refused(
            request, "redeem", exc, ids=REDEEM_IDS, title="Not redeemed", codes=REDEEM_CODES
        )
        return chart_page(request, actor, patient_id, form=form)
    balance = services.balance_cents(actor.organization_id, patient_id)
    return _done(
        request,
        patient_id,
        f"Redeemed {red.quantity} × {red.reward.name} for {money(red.cents)}; "
        f"the balance is now {money(balance)}.",
    )


@staff_view("incentives.redeem")
def void(request: HttpRequest, actor: Actor, patient_id: int, redemption_id: int) -> HttpResponse:
    """Void a redemption with a reason, after a confirmation; the ledger keeps both."""
    from .models import Redemption

    patient = patient_ref(actor, patient_id)
    red = (
        Redemption.objects.filter(
            pk=redemption_id, organization_id=actor.organization_id, patient=patient
        )
        .select_related("reward")
        .first()
    )
    if red is None:
        raise Http404
    if request.method != "POST":
        return to_chart(patient_id, "incentives")
    key = f"void-{red.pk}"
    try:
        reason = request.POST.get("reason", "").strip()[:300]
        if len(reason) < 3:
            raise DomainError(
                "reason_required", "Give the reason for voiding this redemption.", field="reason"
            )
        if not confirmed(request):
            return confirm_page(
                request,
                question=f"Void the redemption of {red.quantity} × {red.reward.name} "
                f"({money(red.cents)}) of {red.local_day:%Y-%m-%d} for "
                f"{patient.first_name} {patient.last_name}?",
                facts=[("Reason", reason), ("Credit given back", money(red.cents))],
                consequence="The ledger keeps the redemption and adds a reversal that gives "
                "the credit back; both stay in the record.",
                action=reverse("incentives:void", args=[patient_id, red.pk]) + "#status-incentives",
                back_url=chart_url(patient_id, "incentives"),
                confirm_label="Void the redemption",
            )
        services.redemption_void(actor, patient_id, red.pk, reason)
    except DomainError as exc:
        form = refused(
            request, key, exc, ids={"reason": f"void-reason-{red.pk}"}, title="Not voided"
        )
        return chart_page(request, actor, patient_id, form=form)
    return _done(
        request,
        patient_id,
        f"Redemption of {red.reward.name} voided: {money(red.cents)} given back.",
    )


# --- the coordinator's board ------------------------------------------------------------
@staff_view("incentives.view")
def board(request: HttpRequest, actor: Actor) -> HttpResponse:
    return board_page(request, actor)


def board_page(request: HttpRequest, actor: Actor, form: FormState | None = None) -> HttpResponse:
    """The coordinator's board (also the answer to its refused forms, with ``form``)."""
    site, sites = site_from_request(request, actor)
    b = selectors.board(actor, site)
    can_schedule = actor.can("drugtest.schedule")
    budget = b["budget_cents"]
    return render(
        request,
        "incentives/board.html",
        {
            "site": site,
            "sites": sites,
            "b": b,
            "earned": money(b["earned_cents"]),
            "spent": money(b["spent_cents"]),
            "budget": money(budget),
            "budget_dollars": f"{budget / 100:.2f}" if budget is not None else "",
            "budget_left": money(budget - b["spent_cents"]) if budget is not None else "",
            "over_budget": budget is not None and b["spent_cents"] > budget,
            "plans": [
                {"plan": p, "balance": money(bal), "targets": _targets_label(p.targets)}
                for p, bal in b["plans"]
            ],
            "rewards": [{"r": r, "price": money(r.cents)} for r in b["rewards"]],
            "behind": labs.behind(actor, site.code) if can_schedule else None,
            "can_schedule": can_schedule,
            "can_manage": actor.can("rewards.manage"),
            "categories": REWARD_CATEGORIES,
            "form": form,
        },
        status=form.status if form else 200,
    )


def _board(site_code: str) -> HttpResponse:
    return redirect(reverse("incentives:board") + f"?site={site_code}")


def _board_done(request: HttpRequest, site_code: str, key: str, text: str) -> HttpResponse:
    say_done(request, key, text)
    return done_redirect(reverse("incentives:board") + f"?site={site_code}", key)


@staff_view("rewards.manage")
def reward_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    p = request.POST
    site_code = p.get("site", "")[:20]
    if request.method != "POST":
        return _board(site_code)
    try:
        reward = services.reward_create(
            actor,
            site_code,
            p.get("name", "")[:200],
            p.get("category", "")[:12],
            _dollars_to_cents(p.get("price", ""), "Price", "price"),
        )
    except DomainError as exc:
        form = refused(
            request,
            "reward",
            exc,
            ids={"name": "rw-name", "price": "rw-price", "category": "rw-cat"},
            title="Reward not added",
        )
        return board_page(request, actor, form)
    return _board_done(
        request, site_code, "reward", f"Added {reward.name} at {money(reward.cents)}."
    )


@staff_view("rewards.manage")
def reward_update(request: HttpRequest, actor: Actor, reward_id: int, action: str) -> HttpResponse:
    reward = (
        Reward.objects.filter(pk=reward_id, organization_id=actor.organization_id)
        .select_related("site")
        .first()
    )
    if reward is None or action not in ("deactivate", "activate"):
        raise Http404
    if request.method != "POST":
        return _board(reward.site.code)
    try:
        services.reward_update(actor, reward.pk, active=action == "activate")
    except DomainError as exc:
        form = refused(request, "reward", exc, title="Catalog not changed")
        return board_page(request, actor, form)
    return _board_done(
        request,
        reward.site.code,
        "reward",
        f"{reward.name} {'is back in' if action == 'activate' else 'taken out of'} the catalog.",
    )


@staff_view("rewards.manage")
def budget(request: HttpRequest, actor: Actor) -> HttpResponse:
    site_code = request.POST.get("site", "")[:20]
    if request.method != "POST":
        return _board(site_code)
    try:
        row = services.budget_set(
            actor,
            site_code,
            _dollars_to_cents(request.POST.get("monthly", ""), "Budget", "monthly"),
        )
    except DomainError as exc:
        form = refused(
            request, "budget", exc, ids={"monthly": "bg-monthly"}, title="Budget not set"
        )
        return board_page(request, actor, form)
    return _board_done(
        request, site_code, "budget", f"Monthly rewards budget set to {money(row.monthly_cents)}."
    )


@staff_view("drugtest.schedule")
def random_pick(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The board's "pick today's random tests" (labs.services.random_tests_pick)."""
    from waypoint.labs import services as labs_services

    site_code = request.POST.get("site", "")[:20]
    if request.method != "POST":
        return _board(site_code)
    try:
        picked = labs_services.random_tests_pick(actor, site_code)
    except DomainError as exc:
        form = refused(request, "random-pick", exc, title="No test picked")
        return board_page(request, actor, form)
    names = ", ".join(f"{r.patient.first_name} {r.patient.last_name}" for r in picked)
    return _board_done(
        request,
        site_code,
        "random-pick",
        f"Picked {len(picked)} for a random test today" + (f": {names}." if names else "."),
    )


# --- the schedule's numbers (admin) -----------------------------------------------------
SETTINGS_KEY = "incentive-settings"
SETTING_SOURCES = {
    "first_cents": "Higgins et al. 1994 (escalating vouchers): $2.50 for the first negative.",
    "step_cents": "Higgins et al. 1994: $1.25 more for each further consecutive negative.",
    "bonus_every": "Higgins et al. 1994: a bonus every third consecutive negative.",
    "bonus_cents": "Higgins et al. 1994: a $10.00 bonus.",
    "restore_after": "Higgins et al. 1994: 5 negatives restore the value before a reset "
    "(0: off, the default).",
    "cap_cents": "SAMHSA (January 2025): at most $750 per patient in a rolling 12 months.",
    "cap_window_days": "SAMHSA (January 2025): a rolling 12 months.",
    "draws_first": "Petry et al. 2000 (prize draws): 1 draw for the first negative.",
    "draws_step": "Petry et al. 2000: one more draw for each consecutive negative.",
    "draws_max": "Petry et al. 2000: at most 10 draws.",
}


def _incentive_label(name: str) -> str:
    words = name.replace("_cents", " (cents)").replace("_days", " (days)").replace("_", " ")
    return words[:1].upper() + words[1:]


def _incentive_hint(name: str) -> str:
    if name.endswith("_cents"):
        return "a whole number of cents (250 is $2.50)"
    return "a whole number"


@staff_view("incentives.settings")
def settings_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The contingency management schedule and cap: each number with its value, its
    default and its source, changed through ``services.settings_update`` (the API's
    PATCH /settings/incentives) with the same refusals."""
    current = selectors.settings_for(actor.organization_id)
    default = rules.DEFAULT
    rows = {}
    for name in services.SETTING_KEYS:
        value, dflt = getattr(current, name), getattr(default, name)
        rows[name] = {
            "name": name,
            "id": "cm-" + name.replace("_", "-"),
            "label": _incentive_label(name),
            "value": str(value),
            "default": str(dflt),
            "changed": value != dflt,
            "federal": False,
            "source": "Practice, the program's choice; default: "
            + SETTING_SOURCES.get(name, "Waypoint's schedule."),
            "switch": False,
            "hint": _incentive_hint(name),
        }
    url = reverse("incentives:settings")
    form: FormState | None = None
    if request.method == "POST":
        changes: dict[str, Any] = {}
        try:
            for name, row in rows.items():
                if name not in request.POST:
                    continue
                raw = request.POST.get(name, "").strip()
                if raw == row["value"]:
                    continue
                if not raw.isdecimal():
                    raise DomainError("invalid_setting", "not a whole number", field=name)
                changes[name] = int(raw)
            if changes:
                services.settings_update(actor, changes)
        except DomainError as exc:
            if exc.status == 403:
                raise
            field = str(exc.extra.get("field") or "")
            if field in rows:
                errors = {field: f"{rows[field]['label']}: enter {rows[field]['hint']}, 0 or more."}
            else:
                errors = {"": "The cap window and the most draws are at least 1."}
            form = refused(request, SETTINGS_KEY, errors, ids={n: r["id"] for n, r in rows.items()})
        else:
            said = "; ".join(f"{rows[k]['label']} {v}" for k, v in changes.items())
            say_done(request, SETTINGS_KEY, f"Saved: {said}." if said else "Nothing was changed.")
            return done_redirect(url, SETTINGS_KEY)
    for r in rows.values():
        r["typed"] = form.values.get(r["name"], r["value"]) if form else r["value"]
        r["error"] = form.errors.get(r["name"], "") if form else ""
    return render(
        request,
        "core/manage/settings_page.html",
        {
            "groups": [{"title": "Schedule and cap", "rows": list(rows.values())}],
            "form": form,
            "key": SETTINGS_KEY,
            "url": url,
            "title": "Contingency management schedule and yearly cap",
            "api": "GET / PATCH /api/v1/settings/incentives",
            "intro": (
                "What each negative test earns under a plan, the bonus, the prize draws and "
                "the cap per patient. Every number is the program's choice; a change applies "
                "to awards from now on."
            ),
        },
        status=form.status if form else 200,
    )
