"""Boundaries of a check-in's answers (clinical/checkins.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from waypoint.clinical.checkins import (
    DAYS_SINCE_USE_MAX,
    MEETINGS_MAX,
    PHQ2_FOLLOW_UP,
    phq2_follow_up,
    problems,
)

OK = {
    "craving": 0,
    "days_since_use": None,
    "meetings": None,
    "phq2_q1": 0,
    "phq2_q2": 0,
    "need_help": False,
}


def test_the_lowest_answers_and_no_optional_ones_are_fine():
    assert problems(OK) == {}


@pytest.mark.parametrize(
    "field,value,ok",
    [
        ("craving", -1, False),
        ("craving", 0, True),
        ("craving", 10, True),
        ("craving", 11, False),
        ("craving", None, False),
        ("craving", True, False),
        ("craving", 2.5, False),
        ("craving", "3", False),
        ("phq2_q1", -1, False),
        ("phq2_q1", 0, True),
        ("phq2_q1", 3, True),
        ("phq2_q1", 4, False),
        ("phq2_q2", -1, False),
        ("phq2_q2", 0, True),
        ("phq2_q2", 3, True),
        ("phq2_q2", 4, False),
        ("phq2_q2", None, False),
        ("days_since_use", -1, False),
        ("days_since_use", 0, True),
        ("days_since_use", DAYS_SINCE_USE_MAX, True),
        ("days_since_use", DAYS_SINCE_USE_MAX + 1, False),
        ("meetings", -1, False),
        ("meetings", 0, True),
        ("meetings", MEETINGS_MAX, True),
        ("meetings", MEETINGS_MAX + 1, False),
        ("need_help", True, True),
        ("need_help", None, False),
        ("need_help", 1, False),
    ],
)
def test_each_answer_on_both_sides_of_its_limits(field, value, ok):
    found = problems({**OK, field: value})
    assert (found == {}) is ok
    if not ok:
        assert list(found) == [field] and found[field]


def test_a_positive_screen_by_link_opens_a_task_in_72_hours_unless_help_was_asked():
    assert dt.timedelta(hours=72) == PHQ2_FOLLOW_UP
    assert phq2_follow_up(True, False, True) == PHQ2_FOLLOW_UP
    assert phq2_follow_up(True, True, True) is None  # the need-help task comes first
    assert phq2_follow_up(True, False, False) is None  # by phone: staff are on the call
    assert phq2_follow_up(False, False, True) is None
