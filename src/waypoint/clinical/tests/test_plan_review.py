"""Treatment-plan review interval: defaults per level, organization overrides, boundaries."""

from __future__ import annotations

import datetime as dt

import pytest

from waypoint.clinical import plan_review
from waypoint.clinical.level_of_care import LEVELS

D = dt.date(2026, 1, 31)


@pytest.mark.parametrize(
    ("level", "days"),
    [
        ("withdrawal_management", 7),
        ("residential", 14),
        ("partial_hospitalization", 14),
        ("intensive_outpatient", 30),
        ("outpatient", 90),
        ("opioid_treatment_program", 90),
    ],
)
def test_defaults(level, days):
    assert plan_review.review_days(level) == days
    assert plan_review.review_due(D, level) == D + dt.timedelta(days=days)


def test_every_level_has_a_default():
    assert set(plan_review.DEFAULT_REVIEW_DAYS) == set(LEVELS)


def test_unknown_level_falls_back():
    assert plan_review.review_days("nonsense") == plan_review.FALLBACK_DAYS


def test_overrides_within_range_win():
    assert plan_review.review_days("outpatient", {"outpatient": 60}) == 60
    assert plan_review.review_days("outpatient", {"residential": 7}) == 90
    assert plan_review.review_days("outpatient", {"outpatient": 1}) == 1
    assert plan_review.review_days("outpatient", {"outpatient": 365}) == 365
    assert plan_review.review_days("outpatient", {"outpatient": 0}) == 90
    assert plan_review.review_days("outpatient", {"outpatient": 366}) == 90


def test_month_and_leap_boundaries():
    assert plan_review.review_due(D, "intensive_outpatient") == dt.date(2026, 3, 2)
    assert plan_review.review_due(dt.date(2028, 2, 22), "withdrawal_management") == dt.date(
        2028, 2, 29
    )


def test_overdue_only_after_the_due_day():
    due = dt.date(2026, 3, 1)
    assert not plan_review.is_overdue(due, dt.date(2026, 2, 28))
    assert not plan_review.is_overdue(due, due)
    assert plan_review.is_overdue(due, dt.date(2026, 3, 2))
