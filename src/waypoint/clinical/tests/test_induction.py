"""clinical.induction: an order's repeat-dose values and a repeat dose at the window, both
sides of every number (TIP 63, day 1 of a buprenorphine induction)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest

from waypoint.clinical import induction
from waypoint.clinical.induction import RepeatPlan, check_plan, repeat_dose

UTC = dt.UTC
T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
PLAN = RepeatPlan(D(4), 1, D(12))


def code(r):
    return r.code if r else None


@pytest.mark.parametrize(
    "first, repeat, hours, top, expected",
    [
        (D(4), None, None, None, None),  # no repeat doses: an ordinary order
        (D(4), D(4), 1, D(12), None),
        (D(4), D(4), None, D(12), "induction_repeat_incomplete"),
        (D(4), None, 1, D(12), "induction_repeat_incomplete"),
        (D(4), D(4), 1, None, "induction_repeat_incomplete"),
        (D(4), D(0), 1, D(12), "induction_repeat_out_of_range"),
        (D(4), D("0.01"), 1, D(12), None),
        (D(4), D(4), 0, D(12), "induction_repeat_out_of_range"),  # below 1 hour
        (D(4), D(4), 24, D(12), None),
        (D(4), D(4), 25, D(12), "induction_repeat_out_of_range"),
        (D(4), D(4), 1, D(32), None),  # the product's daily range
        (D(4), D(4), 1, D("32.01"), "induction_repeat_out_of_range"),
        (D(4), D(4), 1, D(8), None),  # first + one repeat exactly
        (D(4), D(4), 1, D("7.99"), "induction_repeat_out_of_range"),
    ],
)
def test_check_plan(first, repeat, hours, top, expected):
    assert code(check_plan(first, repeat, hours, top)) == expected


def test_a_plan_refusal_is_422_and_says_the_numbers():
    r = check_plan(D(4), D(4), 1, D(40))
    assert r.status == 422 and "32 mg" in r.message and "40 mg" in r.message


def test_repeat_only_on_day_one():
    r = repeat_dose(
        PLAN, day_one=False, mg_today=D(4), last_dose_at=T0, at=T0 + dt.timedelta(hours=3)
    )
    assert code(r) == "repeat_dose_not_day_one" and r.status == 409


@pytest.mark.parametrize(
    "minutes, expected",
    [(59, "repeat_dose_too_soon"), (60, None), (61, None)],
)
def test_interval_both_sides(minutes, expected):
    at = T0 + dt.timedelta(minutes=minutes)
    assert code(repeat_dose(PLAN, day_one=True, mg_today=D(4), last_dose_at=T0, at=at)) == expected


def test_too_soon_names_the_time_in_the_site_zone():
    r = repeat_dose(
        PLAN,
        day_one=True,
        mg_today=D(4),
        last_dose_at=T0,
        at=T0,
        tz=ZoneInfo("America/Chicago"),
    )
    assert "not before 10:00" in r.message  # 16:00 UTC is 10:00 in Chicago (CST)


@pytest.mark.parametrize(
    "given, expected",
    [(D(8), None), (D("8.01"), "induction_day_max_reached"), (D(12), "induction_day_max_reached")],
)
def test_day_one_maximum_both_sides(given, expected):
    at = T0 + dt.timedelta(hours=2)
    assert code(repeat_dose(PLAN, day_one=True, mg_today=given, last_dose_at=T0, at=at)) == expected


def test_next_and_remaining():
    assert induction.next_repeat_at(PLAN, T0) == T0 + dt.timedelta(hours=1)
    assert induction.remaining_mg(PLAN, D(4)) == D(8)
    assert induction.remaining_mg(PLAN, D(14)) == D(0)
