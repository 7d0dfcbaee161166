"""Every write of contingency management: plans, the award ledger, rewards, redemptions.

The ledger is append-only. What a plan has earned is always ``clinical.incentives.schedule``
applied to the plan's events in time order — its tests (read for the plan's targets) and,
when the plan sets ``tests_per_week``, the tests missing from each finished week. ``settle``
compares that with the awards in the ledger that stand (not reversed): from the first
event where the two differ it appends a reversal of each standing award, then the awards
as they should be. A corrected test result, a test entered late, or a week that just ended
are the same operation. Everything runs with the patient row locked, so two settles (or a
settle and a redemption) never interleave.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.clinical import drugtests as dtr
from waypoint.clinical import incentives as rules
from waypoint.core.errors import Conflict, DomainError, NotFound
from waypoint.core.hooks import add_once
from waypoint.core.selectors import site_by_code, site_today
from waypoint.labs.models import DrugTest
from waypoint.labs.services import active_medications
from waypoint.patients.selectors import patient_for_update

from . import selectors
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
    from waypoint.patients.models import Patient

DEFAULT_TARGETS = ("fentanyl", "opiates", "oxycodone", "cocaine", "amphetamines")
MOUD = (
    "methadone",
    "buprenorphine",
    "buprenorphine_naloxone",
    "buprenorphine_extended_release",
    "naltrexone_extended_release",
)
SETTING_KEYS = tuple(
    f.name for f in dataclasses.fields(rules.IncentiveSettings) if f.name != "bowl"
)


# --- settings ---------------------------------------------------------------------------
def settings_update(actor: Actor, values: dict[str, Any]) -> rules.IncentiveSettings:
    """Set some of the schedule's numbers (cents, counts, days). 422 ``invalid_setting``."""
    actor.require("incentives.settings")
    clean = {}
    for k, v in values.items():
        if k not in SETTING_KEYS:
            raise DomainError("invalid_setting", f"Unknown setting {k!r}.", field=k)
        if isinstance(v, bool) or not isinstance(v, int) or v < 0 or v > 10_000_000:
            raise DomainError("invalid_setting", f"{k} is a whole number >= 0.", field=k)
        clean[k] = v
    if clean.get("cap_window_days", 1) < 1 or clean.get("draws_max", 1) < 1:
        raise DomainError("invalid_setting", "The cap window and draws_max are at least 1.")
    with transaction.atomic():
        row, _ = IncentiveSettings.objects.select_for_update().get_or_create(
            organization_id=actor.organization_id
        )
        row.values = {**row.values, **clean}
        row.save()
        audit.record(actor, "update", "incentive_settings", row.pk, detail=clean)
    return selectors.settings_for(actor.organization_id)


# --- plans ------------------------------------------------------------------------------
def plan_create(
    actor: Actor,
    patient_id: int,
    *,
    schedule: str = "escalating",
    start_on: dt.date,
    tests_per_week: int | None = None,
    targets: list[str] | None = None,
    confirm_without_medication: bool = False,
    confirmation_reason: str = "",
) -> IncentivePlan:
    """Start a plan. 409 ``plan_already_active``; 422 ``unknown_analyte``,
    ``invalid_schedule``; 409 ``opioid_target_without_medication`` when opioid analytes are
    targets for a person with no active medication for opioid use disorder, unless a
    clinician confirms with a reason (domain facts §7)."""
    actor.require("incentives.plan")
    if schedule not in rules.SCHEDULE_TYPES:
        raise DomainError(
            "invalid_schedule", f"schedule is one of {', '.join(rules.SCHEDULE_TYPES)}."
        )
    targets = list(dict.fromkeys(targets or DEFAULT_TARGETS))
    for t in targets:
        if t not in dtr.ANALYTES:
            raise DomainError("unknown_analyte", f"Unknown analyte {t!r}.", field="targets")
    if tests_per_week is not None and not 1 <= tests_per_week <= 7:
        raise DomainError("invalid_input", "tests_per_week is 1 to 7.", field="tests_per_week")
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        today = site_today(patient.site)
        if start_on > today + dt.timedelta(days=90):
            raise DomainError("invalid_date", "A plan starts within 90 days.", field="start_on")
        if IncentivePlan.objects.filter(
            organization_id=actor.organization_id, patient=patient, end_on__isnull=True
        ).exists():
            raise Conflict(
                "plan_already_active", "This person already has an active incentive plan."
            )
        meds = active_medications(actor.organization_id, patient.pk, max(start_on, today))
        warning, confirmed_by, reason = "", None, ""
        opioid_targets = sorted(set(targets) & dtr.OPIOIDS)
        if opioid_targets and not set(meds) & set(MOUD):
            warning = (
                "Rewarding opioid abstinence without medication lowers tolerance and raises "
                "overdose risk (SAMHSA). Targets: " + ", ".join(opioid_targets) + "."
            )
            if not confirm_without_medication:
                raise Conflict(
                    "opioid_target_without_medication",
                    warning + " Offer medication, target stimulants only, or have a clinician "
                    "confirm with a reason.",
                )
            if not actor.can("incentives.confirm_opioid_targets"):
                raise Conflict(
                    "clinician_confirmation_required",
                    "Only a physician or counselor can confirm opioid targets without medication.",
                )
            reason = (confirmation_reason or "").strip()
            if not reason:
                raise DomainError(
                    "reason_required", "The confirmation needs a reason.", field="reason"
                )
            confirmed_by = actor.user
        try:
            with transaction.atomic():
                plan = IncentivePlan.objects.create(
                    organization_id=actor.organization_id,
                    patient=patient,
                    site=patient.site,
                    schedule=schedule,
                    targets=targets,
                    start_on=start_on,
                    tests_per_week=tests_per_week,
                    warning=warning,
                    confirmed_by=confirmed_by,
                    confirmation_reason=reason[:500],
                    created_by=actor.user,
                    created_at=timezone.now(),
                )
        except IntegrityError as exc:
            raise Conflict(
                "plan_already_active", "This person already has an active incentive plan."
            ) from exc
        audit.record(
            actor,
            "create",
            "incentive_plan",
            plan.pk,
            patient_id=patient.pk,
            detail={
                "schedule": schedule,
                "targets": targets,
                "start_on": start_on.isoformat(),
                "tests_per_week": tests_per_week,
                "warning": bool(warning),
            },
        )
        _settle_locked(actor, patient.pk, today)
    return plan


def plan_end(actor: Actor, plan_id: int, end_on: dt.date, reason: str) -> IncentivePlan:
    """End a plan (its earned balance stays spendable). 409 ``plan_not_active``."""
    actor.require("incentives.plan")
    with transaction.atomic():
        head = IncentivePlan.objects.filter(
            pk=plan_id, organization_id=actor.organization_id
        ).first()
        if head is None:
            raise NotFound("incentive plan")
        patient = patient_for_update(actor, head.patient_id)
        plan = IncentivePlan.objects.get(pk=head.pk)
        if plan.end_on is not None:
            raise Conflict("plan_not_active", "This plan has already ended.")
        if end_on < plan.start_on:
            raise DomainError("invalid_date", "A plan ends on or after its start.")
        plan.end_on, plan.ended_by, plan.end_reason = end_on, actor.user, reason.strip()[:300]
        plan.save(update_fields=["end_on", "ended_by", "end_reason"])
        audit.record(
            actor,
            "update",
            "incentive_plan",
            plan.pk,
            patient_id=patient.pk,
            detail={"ended": end_on.isoformat(), "reason": plan.end_reason},
        )
        _settle_locked(actor, patient.pk, site_today(patient.site))
    return plan


# --- the ledger -------------------------------------------------------------------------
def plan_events(
    plan: IncentivePlan, tests: list[DrugTest], today: dt.date
) -> list[tuple[rules.Event, DrugTest | None]]:
    """The plan's events in time order: each test in the plan's period read for its targets,
    and with ``tests_per_week`` one ``missed`` event per test missing from each finished
    week (weeks run from ``start_on``; a week is finished once its last day has passed)."""
    last = min(plan.end_on or today, today)
    mine = [t for t in tests if plan.start_on <= t.local_day <= last]
    out: list[tuple[tuple, rules.Event, DrugTest | None]] = []
    for t in mine:
        readings = [dtr.Reading(r.analyte, r.result, r.meaning) for r in t.results.all()]
        outcome = dtr.outcome_for_targets(readings, plan.targets)
        out.append(
            (
                (t.local_day, 0, t.collected_at, t.pk),
                rules.Event(f"test:{t.pk}", t.local_day, outcome),
                t,
            )
        )
    if plan.tests_per_week:
        week = plan.start_on
        while week + dt.timedelta(days=6) < today and week <= last:
            end = week + dt.timedelta(days=6)
            done = sum(1 for t in mine if week <= t.local_day <= end)
            for k in range(max(0, plan.tests_per_week - done)):
                key = f"missed:{week.isoformat()}:{k + 1}"
                out.append(((end, 1, k), rules.Event(key, end, "missed"), None))
            week += dt.timedelta(days=7)
    # By day, tests before the day's missed events; within a kind the keys compare alike.
    out.sort(key=lambda x: x[0])
    return [(ev, t) for _, ev, t in out]


# Called as hook(entry) inside the transaction of every appended ledger entry (award,
# reversal, redemption). Filled by ``on_ledger_entry``.
LEDGER_HOOKS: list[Callable[[IncentiveLedgerEntry], None]] = []


def on_ledger_entry(hook: Callable[[IncentiveLedgerEntry], None]) -> None:
    """Have ``hook(entry)`` called in the transaction of every appended ledger entry (the
    reports app keeps its spending summary with it). Called from the listening app's
    ``AppConfig.ready()``; registering it again adds nothing."""
    add_once(LEDGER_HOOKS, hook)


def _ledger_append(**fields: Any) -> IncentiveLedgerEntry:
    entry = IncentiveLedgerEntry.objects.create(**fields)
    for hook in LEDGER_HOOKS:
        hook(entry)
    return entry


def _standing(organization_id: int, plan_id: int) -> list[IncentiveLedgerEntry]:
    rows = IncentiveLedgerEntry.objects.filter(
        organization_id=organization_id, plan_id=plan_id, kind="award"
    ).filter(reversed_by__isnull=True)
    return list(rows.order_by("id"))


def _same(entry: IncentiveLedgerEntry, award: rules.Award) -> bool:
    return (
        entry.event_key == award.key
        and entry.cents == award.cents
        and entry.outcome == award.outcome
        and entry.streak == award.streak
        and entry.cut_cents == award.cut_cents
    )


def _settle_locked(actor: Actor, patient_id: int, today: dt.date) -> int:
    """Bring every plan of the person up to date (the patient row is locked by the caller).
    Returns how many ledger entries were appended."""
    org = actor.organization_id
    s = selectors.settings_for(org)
    plans = list(
        IncentivePlan.objects.filter(organization_id=org, patient_id=patient_id).order_by(
            "start_on", "id"
        )
    )
    if not plans:
        return 0
    tests = list(
        DrugTest.objects.filter(organization_id=org, patient_id=patient_id)
        .prefetch_related("results")
        .order_by("collected_at", "id")
    )
    now = timezone.now()
    appended = 0
    for plan in plans:
        events = plan_events(plan, tests, today)
        other = list(
            IncentiveLedgerEntry.objects.filter(
                organization_id=org,
                patient_id=patient_id,
                kind="award",
                reversed_by__isnull=True,
            )
            .exclude(plan_id=plan.pk)
            .values_list("on", "cents")
        )
        wanted = rules.schedule(
            [e for e, _ in events], plan.schedule, s, earned_before=other, seed=f"plan:{plan.pk}"
        )
        standing = _standing(org, plan.pk)
        i = 0
        while i < len(wanted) and i < len(standing) and _same(standing[i], wanted[i]):
            i += 1
        if i == len(wanted) == len(standing):
            continue
        for entry in reversed(standing[i:]):
            _ledger_append(
                organization_id=org,
                patient_id=patient_id,
                plan=plan,
                kind="reversal",
                cents=-entry.cents,
                event_key=entry.event_key,
                test_id=entry.test_id,
                reverses=entry,
                on=entry.on,
                outcome=entry.outcome,
                note="Reversed: a test before or at this one changed.",
                created_by=actor.user,
                created_at=now,
            )
            appended += 1
        by_key = {e.key: (e, t) for e, t in events}
        for award in wanted[i:]:
            event, t = by_key[award.key]
            _ledger_append(
                organization_id=org,
                patient_id=patient_id,
                plan=plan,
                kind="award",
                cents=award.cents,
                event_key=award.key,
                test=t,
                on=event.on,
                outcome=award.outcome,
                streak=award.streak,
                value_cents=award.value_cents,
                bonus_cents=award.bonus_cents,
                cut_cents=award.cut_cents,
                draws=list(award.draws),
                note=award.note[:300],
                created_by=actor.user,
                created_at=now,
            )
            appended += 1
    if appended:
        audit.record(
            actor,
            "create",
            "incentive_ledger",
            "",
            patient_id=patient_id,
            detail={"entries": appended},
        )
    return appended


def settle(actor: Actor, patient_id: int) -> int:
    """Bring the person's awards up to date (finished weeks' missed tests included)."""
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        return _settle_locked(actor, patient.pk, site_today(patient.site))


def account_settled(actor: Actor, patient_id: int, *, audit_read: bool = True) -> selectors.Account:
    """The person's account, brought up to date first (a finished week's missed tests are
    added when it is read, by a role that plans or records tests), in one transaction with
    the patient row locked."""
    actor.require("incentives.view")
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        today = site_today(patient.site)
        if actor.can("incentives.plan") or actor.can("drugtest.record"):
            _settle_locked(actor, patient.pk, today)
        return selectors.account(actor, patient, today, audit_read=audit_read)


def settle_after_test_change(actor: Actor, patient: Patient) -> None:
    """A test was recorded or corrected (``labs.services.on_test_changed``, registered in
    ``IncentivesConfig.ready()``): settle in its transaction, the patient row locked."""
    _settle_locked(actor, patient.pk, site_today(patient.site))


def balance_cents(organization_id: int, patient_id: int) -> int:
    from django.db.models import Sum

    return (
        IncentiveLedgerEntry.objects.filter(
            organization_id=organization_id, patient_id=patient_id
        ).aggregate(s=Sum("cents"))["s"]
        or 0
    )


# --- rewards and redemptions ------------------------------------------------------------
def _check_price(cents: object) -> None:
    if isinstance(cents, bool) or not isinstance(cents, int) or not 1 <= cents <= 75000:
        raise DomainError("invalid_reward", "A reward costs 1 cent to $750.", field="cents")


def reward_create(actor: Actor, site_code: str, name: str, category: str, cents: int) -> Reward:
    """Add a reward to a site's catalog. 422 ``invalid_reward``; 409 ``reward_exists``."""
    actor.require("rewards.manage")
    from .models import REWARD_CATEGORIES

    site = site_by_code(actor.organization_id, site_code)
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise DomainError("invalid_reward", "A reward has a name of 1-120 characters.")
    if "cash" in name.casefold():
        raise DomainError("invalid_reward", "Incentives are never cash (SAMHSA).")
    if category not in dict(REWARD_CATEGORIES):
        raise DomainError("invalid_reward", f"Unknown category {category!r}.", field="category")
    _check_price(cents)
    with transaction.atomic():
        try:
            with transaction.atomic():
                reward = Reward.objects.create(
                    organization_id=actor.organization_id,
                    site=site,
                    name=name,
                    category=category,
                    cents=cents,
                )
        except IntegrityError as exc:
            raise Conflict("reward_exists", f"{site.code} already has a reward {name!r}.") from exc
        audit.record(
            actor,
            "create",
            "reward",
            reward.pk,
            detail={"site": site.code, "name": name, "cents": cents},
        )
    return reward


def reward_update(
    actor: Actor, reward_id: int, *, active: bool | None = None, cents: int | None = None
) -> Reward:
    actor.require("rewards.manage")
    with transaction.atomic():
        reward = (
            Reward.objects.select_for_update()
            .filter(pk=reward_id, organization_id=actor.organization_id)
            .first()
        )
        if reward is None:
            raise NotFound("reward")
        changes: dict[str, Any] = {}
        if active is not None:
            reward.active = changes["active"] = active
        if cents is not None:
            _check_price(cents)
            reward.cents = changes["cents"] = cents
        reward.save()
        audit.record(actor, "update", "reward", reward.pk, detail=changes)
    return reward


def budget_set(actor: Actor, site_code: str, monthly_cents: int) -> SiteBudget:
    actor.require("rewards.manage")
    site = site_by_code(actor.organization_id, site_code)
    if isinstance(monthly_cents, bool) or not 0 <= monthly_cents <= 10**9:
        raise DomainError("invalid_input", "The budget is 0 or more cents.")
    with transaction.atomic():
        row, _ = SiteBudget.objects.update_or_create(
            site=site,
            defaults={"organization_id": actor.organization_id, "monthly_cents": monthly_cents},
        )
        audit.record(actor, "update", "site_budget", site.code, detail={"cents": monthly_cents})
    return row


def redeem(
    actor: Actor, patient_id: int, reward_id: int, *, quantity: int = 1, patient_present: bool
) -> Redemption:
    """Exchange earned credit for a reward, with the patient there. 422
    ``patient_not_present``; 404 unknown reward; 409 ``reward_inactive``,
    ``insufficient_balance`` (the balance never goes below zero)."""
    actor.require("incentives.redeem")
    if not patient_present:
        raise DomainError(
            "patient_not_present", "A reward is handed over with the patient present."
        )
    if isinstance(quantity, bool) or not 1 <= quantity <= 20:
        raise DomainError("invalid_input", "quantity is 1 to 20.", field="quantity")
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        reward = (
            Reward.objects.filter(pk=reward_id, organization_id=actor.organization_id)
            .select_related("site")
            .first()
        )
        if reward is None:
            raise NotFound("reward")
        if not reward.active:
            raise Conflict("reward_inactive", f"{reward.name} is no longer in the catalog.")
        _settle_locked(actor, patient.pk, site_today(patient.site))
        cost = reward.cents * quantity
        balance = balance_cents(actor.organization_id, patient.pk)
        if cost > balance:
            raise Conflict(
                "insufficient_balance",
                f"{reward.name} costs ${cost / 100:.2f}; the balance is ${balance / 100:.2f}.",
                balance_cents=balance,
            )
        now = timezone.now()
        red = Redemption.objects.create(
            organization_id=actor.organization_id,
            patient=patient,
            site=reward.site,
            reward=reward,
            quantity=quantity,
            cents=cost,
            patient_present=True,
            by=actor.user,
            at=now,
            local_day=now.astimezone(reward.site.tz).date(),
        )
        _ledger_append(
            organization_id=actor.organization_id,
            patient=patient,
            kind="redemption",
            cents=-cost,
            redemption=red,
            on=red.local_day,
            note=f"{quantity} x {reward.name}"[:300],
            created_by=actor.user,
            created_at=now,
        )
        audit.record(
            actor,
            "create",
            "redemption",
            red.pk,
            patient_id=patient.pk,
            detail={"reward": reward.name, "cents": cost, "balance_after": balance - cost},
        )
    return red


def redemption_void(actor: Actor, patient_id: int, redemption_id: int, reason: str) -> Redemption:
    """Undo a redemption (a reward returned, or recorded in error). The ledger is
    append-only: a ``reversal`` entry gives the credit back and points at the redemption's
    entry; the board's monthly spending leaves the voided redemption out. 422
    ``reason_required``; 404 unknown redemption; 409 ``already_voided``."""
    actor.require("incentives.redeem")
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise DomainError("reason_required", "Voiding a redemption needs a reason.", field="reason")
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        red = (
            Redemption.objects.filter(
                pk=redemption_id, organization_id=actor.organization_id, patient=patient
            )
            .select_related("reward", "site")
            .first()
        )
        if red is None:
            raise NotFound("redemption")
        entry = IncentiveLedgerEntry.objects.filter(redemption=red).first()
        if entry is None or IncentiveLedgerEntry.objects.filter(reverses=entry).exists():
            raise Conflict("already_voided", "This redemption has already been voided.")
        now = timezone.now()
        _ledger_append(
            organization_id=actor.organization_id,
            patient=patient,
            kind="reversal",
            cents=red.cents,
            reverses=entry,
            on=now.astimezone(red.site.tz).date(),
            note=f"Void of {red.quantity} x {red.reward.name}: {reason}"[:300],
            created_by=actor.user,
            created_at=now,
        )
        audit.record(
            actor,
            "update",
            "redemption",
            red.pk,
            patient_id=patient.pk,
            detail={"voided": True, "reason": reason[:300], "cents": red.cents},
        )
    return red


def site_for(actor: Actor, code: str) -> Site:
    return site_by_code(actor.organization_id, code)
