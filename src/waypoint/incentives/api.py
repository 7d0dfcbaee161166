"""Contingency management API: plans, the account, rewards, redemptions, settings."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Body, Router, Schema, Status
from pydantic import Field

from waypoint.clinical.incentives import IncentiveSettings
from waypoint.core.actor import api_actor
from waypoint.core.schemas import (
    Bool,
    IsoDate,
    PatientId,
    SiteCode,
    StrictRecordId,
    StrictSchema,
    dataclass_schema,
    text,
)
from waypoint.core.selectors import site_by_code

from . import selectors, services

patients_router = Router(tags=["incentives"])
plans_router = Router(tags=["incentives"])
sites_router = Router(tags=["incentives"])
rewards_router = Router(tags=["incentives"])
settings_router = Router(tags=["incentives"])

Cents = Annotated[int, Field(ge=0, le=10**9, strict=True)]


class IncentivePlanIn(StrictSchema):
    schedule: Annotated[str, text(12, 1)] = "escalating"
    start_on: IsoDate
    tests_per_week: Annotated[int, Field(ge=1, le=7, strict=True)] | None = None
    targets: Annotated[list[Annotated[str, text(20, 1)]], Field(max_length=10)] | None = None
    confirm_without_medication: Bool = False
    confirmation_reason: Annotated[str, text(500)] = ""


class PlanEndIn(StrictSchema):
    end_on: IsoDate
    reason: Annotated[str, text(300)] = ""


class RedeemIn(StrictSchema):
    reward: StrictRecordId
    quantity: Annotated[int, Field(ge=1, le=20, strict=True)] = 1
    patient_present: Bool


class RewardIn(StrictSchema):
    name: Annotated[str, text(120, 1)]
    category: Annotated[str, text(12, 1)]
    cents: Annotated[int, Field(ge=1, le=75000, strict=True)]


class RewardPatchIn(StrictSchema):
    active: Bool | None = None
    cents: Annotated[int, Field(ge=1, le=75000, strict=True)] | None = None


class BudgetIn(StrictSchema):
    monthly_cents: Cents


class IncentivePlanOut(Schema):
    id: int
    patient: PatientId
    site: SiteCode
    schedule: str
    targets: list[str]
    start_on: dt.date
    end_on: dt.date | None
    tests_per_week: int | None
    warning: str
    confirmed: bool

    @staticmethod
    def resolve_confirmed(obj) -> bool:
        return obj.confirmed_by_id is not None


class EntryOut(Schema):
    id: int
    kind: str
    cents: int
    on: dt.date
    plan: int | None
    test: int | None
    event: str
    outcome: str
    streak: int
    value_cents: int
    bonus_cents: int
    cut_cents: int
    draws: list[str]
    reverses: int | None
    redemption: int | None
    note: str
    created_at: dt.datetime

    @staticmethod
    def resolve_plan(obj) -> int | None:
        return obj.plan_id

    @staticmethod
    def resolve_test(obj) -> int | None:
        return obj.test_id

    @staticmethod
    def resolve_event(obj) -> str:
        return obj.event_key

    @staticmethod
    def resolve_reverses(obj) -> int | None:
        return obj.reverses_id

    @staticmethod
    def resolve_redemption(obj) -> int | None:
        return obj.redemption_id


class AccountOut(Schema):
    balance_cents: int
    earned_last_12_months_cents: int
    cap_cents: int
    cap_left_cents: int
    streak: int
    next_award_cents: int | None
    plans: list[IncentivePlanOut]
    entries: list[EntryOut]


class RewardOut(Schema):
    id: int
    site: SiteCode
    name: str
    category: str
    cents: int
    active: bool


class RedemptionOut(Schema):
    id: int
    patient: int
    reward: int
    quantity: int
    cents: int
    balance_cents: int
    at: dt.datetime


# The schedule's numbers (the prize bowl is not a setting here).
IncentiveSettingsOut = dataclass_schema(
    "IncentiveSettingsOut", IncentiveSettings, exclude=("bowl",)
)


@patients_router.post("/{id:patient_id}/incentive-plans", response={201: IncentivePlanOut})
def plan_create(request: HttpRequest, patient_id: int, payload: IncentivePlanIn):
    """Start a plan (physician, counselor, incentives coordinator). Without
    ``tests_per_week`` every recorded test counts and none is inferred missed. 409
    ``plan_already_active``, ``opioid_target_without_medication``,
    ``clinician_confirmation_required``; 422 ``invalid_schedule``, ``unknown_analyte``."""
    return Status(201, services.plan_create(api_actor(request), patient_id, **payload.model_dump()))


@plans_router.post("/{id:plan_id}/end", response=IncentivePlanOut)
def plan_end(request: HttpRequest, plan_id: int, payload: PlanEndIn):
    return services.plan_end(api_actor(request), plan_id, payload.end_on, payload.reason)


@patients_router.get("/{id:patient_id}/incentives", response=AccountOut)
def incentives(request: HttpRequest, patient_id: int):
    """The balance and every ledger entry (awards, reversals, redemptions), oldest first;
    the rolling 12-month earnings against the cap; the current streak."""
    a = services.account_settled(api_actor(request), patient_id)
    return {
        "balance_cents": a.balance_cents,
        "earned_last_12_months_cents": a.earned_in_window_cents,
        "cap_cents": a.cap_cents,
        "cap_left_cents": a.cap_left_cents,
        "streak": a.streak,
        "next_award_cents": a.next_value_cents,
        "plans": a.plans,
        "entries": a.entries,
    }


@patients_router.post("/{id:patient_id}/redemptions", response={201: RedemptionOut})
def redeem(request: HttpRequest, patient_id: int, payload: RedeemIn):
    """Exchange credit for a reward (incentives coordinator, patient present). 409
    ``insufficient_balance``, ``reward_inactive``; 422 ``patient_not_present``."""
    actor = api_actor(request)
    red = services.redeem(
        actor,
        patient_id,
        payload.reward,
        quantity=payload.quantity,
        patient_present=payload.patient_present,
    )
    return Status(
        201,
        {
            "id": red.pk,
            "patient": red.patient_id,
            "reward": red.reward_id,
            "quantity": red.quantity,
            "cents": red.cents,
            "balance_cents": services.balance_cents(actor.organization_id, patient_id),
            "at": red.at,
        },
    )


class VoidIn(StrictSchema):
    reason: Annotated[str, text(300, 1)]


@patients_router.post(
    "/{id:patient_id}/redemptions/{id:redemption_id}/void", response=RedemptionOut
)
def redemption_void(request: HttpRequest, patient_id: int, redemption_id: int, payload: VoidIn):
    """Void a redemption with a reason (a reversal entry gives the credit back; nothing is
    deleted). 422 ``reason_required``; 409 ``already_voided``."""
    actor = api_actor(request)
    red = services.redemption_void(actor, patient_id, redemption_id, payload.reason)
    return {
        "id": red.pk,
        "patient": red.patient_id,
        "reward": red.reward_id,
        "quantity": red.quantity,
        "cents": red.cents,
        "balance_cents": services.balance_cents(actor.organization_id, patient_id),
        "at": red.at,
    }


@sites_router.get("/{code}/rewards", response=list[RewardOut])
def rewards(request: HttpRequest, code: str):
    actor = api_actor(request)
    return selectors.catalog(actor, site_by_code(actor.organization_id, code))


@sites_router.post("/{code}/rewards", response={201: RewardOut})
def reward_create(request: HttpRequest, code: str, payload: RewardIn):
    """Add a reward to the site's catalog (never cash). 409 ``reward_exists``."""
    return Status(
        201,
        services.reward_create(
            api_actor(request), code, payload.name, payload.category, payload.cents
        ),
    )


@sites_router.put("/{code}/reward-budget", response=BudgetIn)
def budget(request: HttpRequest, code: str, payload: BudgetIn):
    row = services.budget_set(api_actor(request), code, payload.monthly_cents)
    return {"monthly_cents": row.monthly_cents}


@rewards_router.patch("/{id:reward_id}", response=RewardOut)
def reward_patch(request: HttpRequest, reward_id: int, payload: RewardPatchIn):
    return services.reward_update(
        api_actor(request), reward_id, active=payload.active, cents=payload.cents
    )


@settings_router.get("/incentives", response=IncentiveSettingsOut)
def settings_get(request: HttpRequest):
    actor = api_actor(request)
    actor.require("incentives.view")
    s = selectors.settings_for(actor.organization_id)
    return {k: getattr(s, k) for k in services.SETTING_KEYS}


@settings_router.patch("/incentives", response=IncentiveSettingsOut)
def settings_patch(request: HttpRequest, payload: Body[dict[str, Any]]):
    """Change schedule numbers (admin): cents, counts and days, all whole numbers. The body
    is an object of the settings to change; 422 ``invalid_setting`` for an unknown key or a
    value that is not a whole number >= 0."""
    s = services.settings_update(api_actor(request), payload)
    return {k: getattr(s, k) for k in services.SETTING_KEYS}
