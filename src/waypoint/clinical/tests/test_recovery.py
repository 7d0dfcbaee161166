"""Boundaries of the after-discharge rules (clinical/recovery.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from waypoint.clinical.recovery import (
    PeriodEnd,
    check_in_use_day,
    days_abstinent,
    documented_abstinence,
    lost_tolerance,
    naloxone_due,
    outreach_due,
    phq2,
)

D = dt.date(2026, 6, 15)


def _lost(kind="return_to_use", on=D, uses=(), abstinent_on=(), ends=(), days=7):
    return lost_tolerance(
        kind, on, uses=uses, abstinent_on=abstinent_on, period_ends=ends, abstinence_days=days
    )


@pytest.mark.parametrize("level", ["withdrawal_management", "residential"])
def test_use_after_a_discharge_from_an_abstinent_level_is_lost_tolerance(level):
    d = _lost(ends=[PeriodEnd(level, D - dt.timedelta(days=2))])
    assert d.lost and "discharge from" in d.reason and "2026-06-13" in d.reason


@pytest.mark.parametrize("kind", ["release_from_incarceration", "hospital_discharge"])
def test_use_after_a_release_is_lost_tolerance(kind):
    assert _lost(kind="overdose", ends=[PeriodEnd(kind, D)]).lost


def test_discharge_from_outpatient_is_not_a_period_of_abstinence():
    assert not _lost(ends=[PeriodEnd("outpatient", D - dt.timedelta(days=1))]).lost


def test_a_period_end_after_the_event_does_not_count():
    assert not _lost(ends=[PeriodEnd("residential", D + dt.timedelta(days=1))]).lost


def test_a_use_between_the_period_end_and_the_event_restores_tolerance():
    end = PeriodEnd("residential", D - dt.timedelta(days=5))
    assert not _lost(ends=[end], uses=[D - dt.timedelta(days=4)]).lost
    # a use before the discharge does not
    assert _lost(ends=[end], uses=[D - dt.timedelta(days=30)]).lost


@pytest.mark.parametrize(("days", "lost"), [(6, False), (7, True), (8, True)])
def test_abstinence_by_tests_on_both_sides_of_seven_days(days, lost):
    last = D - dt.timedelta(days=20)
    signs = [last + dt.timedelta(days=days)]
    assert _lost(uses=[last], abstinent_on=signs).lost is lost


def test_the_abstinence_threshold_is_a_setting():
    last = D - dt.timedelta(days=20)
    signs = [last + dt.timedelta(days=10)]
    assert _lost(uses=[last], abstinent_on=signs, days=10).lost
    assert not _lost(uses=[last], abstinent_on=signs, days=11).lost


def test_without_a_known_use_abstinence_runs_from_the_first_sign():
    signs = [D - dt.timedelta(days=15), D - dt.timedelta(days=8)]
    assert _lost(abstinent_on=signs).lost  # 7 days between the signs
    assert not _lost(abstinent_on=signs[1:]).lost  # one sign alone shows 0 days


def test_signs_of_abstinence_before_the_last_use_do_not_count():
    assert documented_abstinence([D - dt.timedelta(days=3)], [D - dt.timedelta(days=30)], D) == 0


def test_only_a_use_can_follow_lost_tolerance():
    end = [PeriodEnd("residential", D - dt.timedelta(days=1))]
    assert not _lost(kind="naloxone_used", ends=end).lost
    assert not _lost(kind="hospital_discharge", ends=end).lost
    assert _lost(kind="overdose", ends=end).reason.startswith("overdose on 2026-06-15")


def test_days_abstinent_counts_from_the_last_use():
    assert days_abstinent(None, D) is None
    assert days_abstinent(D, D) == 0
    assert days_abstinent(D - dt.timedelta(days=1), D) == 1
    assert days_abstinent(D + dt.timedelta(days=1), D) == 0


def test_check_in_use_day():
    assert check_in_use_day(D, None) is None
    assert check_in_use_day(D, 0) == D
    assert check_in_use_day(D, 10) == dt.date(2026, 6, 5)


@pytest.mark.parametrize(
    ("q1", "q2", "total", "positive"),
    [(0, 0, 0, False), (1, 1, 2, False), (2, 1, 3, True), (3, 3, 6, True)],
)
def test_phq2_positive_from_three(q1, q2, total, positive):
    r = phq2(q1, q2)
    assert (r.total, r.positive) == (total, positive)


@pytest.mark.parametrize("bad", [-1, 4, True, 1.5, "2", None])
def test_phq2_refuses_items_out_of_range(bad):
    with pytest.raises(ValueError):
        phq2(bad, 0)


def test_outreach_due_times():
    assert outreach_due("need_help") == dt.timedelta(hours=1)
    assert outreach_due("overdose") == dt.timedelta(hours=24)
    assert outreach_due("return_to_use") == dt.timedelta(hours=72)
    with pytest.raises(KeyError):
        outreach_due("missed_aftercare")


@pytest.mark.parametrize(
    ("last", "today", "due"),
    [
        (None, D, True),
        (dt.date(2026, 3, 1), dt.date(2027, 2, 28), False),
        (dt.date(2026, 3, 1), dt.date(2027, 3, 1), True),
        (dt.date(2024, 2, 29), dt.date(2025, 2, 27), False),
        (dt.date(2024, 2, 29), dt.date(2025, 2, 28), True),
        (dt.date(2026, 6, 15), dt.date(2026, 6, 15), False),
    ],
)
def test_naloxone_due_after_twelve_calendar_months(last, today, due):
    assert naloxone_due(last, today) is due
