"""Reads of contingency management: an organization's schedule numbers, a person's account
(balance, ledger, cap, streak) and the coordinator's board per site (tests due today,
earnings this month, spend against budget). Selectors never import services: the account
is brought up to date first by ``services.account_settled``, which reads it through here."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Sum

from waypoint.audit import services as audit
from waypoint.clinical import incentives as rules
from waypoint.core.errors import NotFound
from waypoint.core.selectors import site_today
from waypoint.labs import selectors as labs
from waypoint.patients import access
from waypoint.patients.models import Patient

from .models import (
    IncentiveLedgerEntry,
    IncentivePlan,
    IncentiveSettings,
    Redemption,
    Reward,
    SiteBudget,
)

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.core.models import Site


def settings_for(organization_id: int) -> rules.IncentiveSettings:
    row = IncentiveSettings.objects.filter(organization_id=organization_id).first()
    if row is None or not row.values:
        return rules.DEFAULT
    overrides: dict[str, Any] = {k: int(v) for k, v in row.values.items()}
    return dataclasses.replace(rules.DEFAULT, **overrides)


@dataclass
class Account:
    patient: Patient
    balance_cents: int
    entries: list[IncentiveLedgerEntry]
    plans: list[IncentivePlan]
    earned_in_window_cents: int
    cap_cents: int
    cap_window_days: int
    streak: int
    next_value_cents: int | None

    @property
    def cap_left_cents(self) -> int:
        return max(0, self.cap_cents - self.earned_in_window_cents)


def account(actor: Actor, patient: Patient, today: dt.date, *, audit_read: bool = True) -> Account:
    """The person's account as the ledger holds it on ``today`` (site-local). The caller
    holds the patient row locked in its transaction and has settled the ledger first:
    ``services.account_settled``."""
    actor.require("incentives.view")
    org = actor.organization_id
    entries = list(
        IncentiveLedgerEntry.objects.filter(organization_id=org, patient_id=patient.pk)
        .select_related("test", "redemption__reward", "created_by")
        .order_by("id")
    )
    plans = list(IncentivePlan.objects.filter(organization_id=org, patient_id=patient.pk))
    if audit_read:
        audit.record(actor, "read", "incentive_account", "", patient_id=patient.pk)
    s = settings_for(org)
    reversed_ids = {e.reverses_id for e in entries if e.kind == "reversal"}
    standing = [e for e in entries if e.kind == "award" and e.pk not in reversed_ids]
    earned = rules.earned_in_window([(e.on, e.cents) for e in standing], today, s)
    active = next((p for p in plans if p.end_on is None), None)
    streak, next_value = 0, None
    mine = [e for e in standing if active and e.plan_id == active.pk and e.outcome != "incomplete"]
    if mine:
        streak = mine[-1].streak
    if active and active.schedule == "escalating":
        next_value = s.first_cents + streak * s.step_cents
    return Account(
        patient=patient,
        balance_cents=sum(e.cents for e in entries),
        entries=entries,
        plans=plans,
        earned_in_window_cents=earned,
        cap_cents=s.cap_cents,
        cap_window_days=s.cap_window_days,
        streak=streak,
        next_value_cents=next_value,
    )


def catalog(actor: Actor, site: Site, *, include_inactive: bool = False) -> list[Reward]:
    actor.require("incentives.view")
    rows = Reward.objects.filter(organization_id=actor.organization_id, site=site)
    if not include_inactive:
        rows = rows.filter(active=True)
    return list(rows)


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)


def board(actor: Actor, site: Site) -> dict:
    """The coordinator's view of a site today."""
    actor.require("incentives.view")
    org = actor.organization_id
    today = site_today(site)
    first, last = month_bounds(today)
    earned = (
        IncentiveLedgerEntry.objects.filter(
            organization_id=org,
            plan__site=site,
            kind__in=("award", "reversal"),
            on__gte=first,
            on__lte=last,
        ).aggregate(s=Sum("cents"))["s"]
        or 0
    )
    spent = (
        Redemption.objects.filter(
            organization_id=org, site=site, local_day__gte=first, local_day__lte=last
        )
        .exclude(entry__reversed_by__isnull=False)  # voided: the credit went back
        .aggregate(s=Sum("cents"))["s"]
        or 0
    )
    budget = SiteBudget.objects.filter(organization_id=org, site=site).first()
    plans = list(
        IncentivePlan.objects.filter(organization_id=org, site=site, end_on__isnull=True)
        .select_related("patient")
        .order_by("patient__last_name", "patient__first_name")
    )
    plans = access.mask_rows(actor, plans)  # restricted records masked
    balances = dict(
        IncentiveLedgerEntry.objects.filter(
            organization_id=org, patient_id__in=[p.patient_id for p in plans]
        )
        .values_list("patient_id")
        .annotate(s=Sum("cents"))
    )
    due = labs.tests_due(actor, site, today)
    audit.record(
        actor,
        "read",
        "incentive_board",
        site.code,
        patients=[p.patient_id for p in plans],
        detail={"site": site.code},
    )
    return {
        "site": site,
        "today": today,
        "month": first,
        "earned_cents": earned,
        "spent_cents": spent,
        "budget_cents": budget.monthly_cents if budget else None,
        "plans": [(p, balances.get(p.patient_id, 0)) for p in plans],
        "due": due,
        "rewards": catalog(actor, site, include_inactive=True),
    }


def plan_get(actor: Actor, plan_id: int) -> IncentivePlan:
    actor.require("incentives.view")
    plan = IncentivePlan.objects.filter(pk=plan_id, organization_id=actor.organization_id).first()
    if plan is None:
        raise NotFound("incentive plan")
    return plan


HOME_ROWS = 8


def _dollars(cents: int) -> str:
    return f"-${-cents / 100:,.2f}" if cents < 0 else f"${cents / 100:,.2f}"


def home_day(actor: Actor, site: Site | None) -> dict[str, Any]:
    """The coordinator's home at their site today: the drug tests collected today (each
    with whether it showed use), today's redemptions, and who can redeem now (an active
    plan whose balance covers the site's cheapest active reward), each row a link to the
    chart's Incentives section where the redemption is made. Bounded; one ``list`` audit
    event names the patients shown."""
    if site is None:
        return {"incentives_day": None}
    actor.require("incentives.view")
    from waypoint.labs.models import DrugTest
    from waypoint.patients.chart import chart_url

    org = actor.organization_id
    today = site_today(site)
    tests_qs = DrugTest.objects.filter(organization_id=org, site=site, local_day=today)
    tests = list(tests_qs.select_related("patient").order_by("-collected_at", "-id")[:HOME_ROWS])
    tests_count = tests_qs.count()
    reds_qs = Redemption.objects.filter(organization_id=org, site=site, local_day=today)
    reds = list(reds_qs.select_related("patient", "reward").order_by("-at", "-id")[:HOME_ROWS])
    reds_count = reds_qs.count()
    cheapest = (
        Reward.objects.filter(organization_id=org, site=site, active=True)
        .order_by("cents")
        .values_list("cents", flat=True)
        .first()
    )
    plans = list(
        IncentivePlan.objects.filter(
            organization_id=org, site=site, end_on__isnull=True
        ).select_related("patient")
    )
    balances = dict(
        IncentiveLedgerEntry.objects.filter(
            organization_id=org, patient_id__in=[p.patient_id for p in plans]
        )
        .values_list("patient_id")
        .annotate(s=Sum("cents"))
        .order_by()
    )
    can = [
        {"patient": p.patient, "cents": balances.get(p.patient_id, 0)}
        for p in plans
        if cheapest is not None and balances.get(p.patient_id, 0) >= cheapest
    ]
    can.sort(key=lambda r: (-r["cents"], r["patient"].last_name_key or "", r["patient"].pk))
    test_rows = access.mask_rows(actor, [{"patient": t.patient, "test": t} for t in tests])
    red_rows = access.mask_rows(
        actor, [{"patient": r.patient, "redemption": r, "cents": r.cents} for r in reds]
    )
    can_rows = access.mask_rows(actor, can[:HOME_ROWS])
    for r in [*test_rows, *red_rows, *can_rows]:
        r["url"] = chart_url(r["patient"].pk, "incentives")
        if "cents" in r:
            r["amount"] = _dollars(r["cents"])
    shown = sorted({r["patient"].pk for r in [*test_rows, *red_rows, *can_rows]})
    if shown:
        with transaction.atomic():
            audit.record(
                actor,
                "list",
                "incentive_board",
                "",
                patients=shown,
                detail={"view": "home_incentives", "site": site.code, "results": shown},
            )
    return {
        "incentives_day": {
            "site": site,
            "today": today,
            "tests": test_rows,
            "tests_count": tests_count,
            "redemptions": red_rows,
            "redemptions_count": reds_count,
            "can_redeem": can_rows,
            "can_redeem_count": len(can),
            "cheapest": _dollars(cheapest) if cheapest is not None else "",
        }
    }
