"""Weekly hours by level of care (clinical/intensity.py) at every boundary, and length of
stay (clinical/length_of_stay.py)."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from waypoint.clinical import intensity
from waypoint.clinical.length_of_stay import Stay, average_days, length_of_stay, stay_days
from waypoint.clinical.level_of_care import LEVELS


@pytest.mark.parametrize(
    "level, hours, expected",
    [
        ("outpatient", 0, "within"),
        ("outpatient", 8.99, "within"),
        ("outpatient", 9, "above"),
        ("outpatient", 9.01, "above"),
        ("intensive_outpatient", 0, "below"),
        ("intensive_outpatient", 8.99, "below"),
        ("intensive_outpatient", 9, "within"),
        ("intensive_outpatient", 12.5, "within"),
        ("intensive_outpatient", 19, "within"),
        ("intensive_outpatient", 19.01, "above"),
        ("intensive_outpatient", 20, "above"),
        ("partial_hospitalization", 9, "below"),
        ("partial_hospitalization", 19, "below"),
        ("partial_hospitalization", 19.01, "below"),
        ("partial_hospitalization", 19.99, "below"),
        ("partial_hospitalization", 20, "within"),
        ("partial_hospitalization", 20.01, "within"),
        ("partial_hospitalization", 60, "within"),
        ("residential", 0, "below"),
        ("residential", 4.99, "below"),
        ("residential", 5, "within"),
        ("residential", 40, "within"),
        ("withdrawal_management", 0, "not_applicable"),
        ("withdrawal_management", 30, "not_applicable"),
        ("opioid_treatment_program", 0, "not_applicable"),
        ("opioid_treatment_program", 10, "not_applicable"),
    ],
)
def test_classify_at_each_boundary(level, hours, expected):
    assert intensity.classify(level, hours) == expected


def test_every_level_has_a_rule_and_a_text():
    assert set(intensity.LEVEL_HOURS) == set(LEVELS)
    texts = {lvl: intensity.hours_range(lvl).text for lvl in LEVELS}
    assert texts["intensive_outpatient"] == "9-19 hours a week"
    assert texts["outpatient"] == "under 9 hours a week"
    assert texts["partial_hospitalization"] == "20 or more hours a week"
    assert texts["residential"] == "5 or more hours a week"
    assert (
        texts["withdrawal_management"]
        == texts["opioid_treatment_program"]
        == ("no weekly hour range")
    )


def test_week_compares_scheduled_and_attended():
    w = intensity.week("intensive_outpatient", 12, 6)
    assert (w.scheduled, w.attended) == ("within", "below")
    w = intensity.week("opioid_treatment_program", 2, 1)
    assert (w.scheduled, w.attended, w.range.applies) == (
        "not_applicable",
        "not_applicable",
        False,
    )


@pytest.mark.parametrize("hours", [-0.01, 168.01, math.nan, math.inf, True, "9", None])
def test_impossible_hours_are_refused(hours):
    with pytest.raises(intensity.IntensityError):
        intensity.classify("outpatient", hours)


def test_unknown_level_is_refused():
    with pytest.raises(intensity.IntensityError):
        intensity.classify("detox", 5)


D = dt.date(2026, 3, 1)


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def test_length_of_stay_per_level_adds_up_to_the_episode():
    stays = [
        Stay("withdrawal_management", day(0), day(5)),
        Stay("residential", day(5), day(33)),
        Stay("intensive_outpatient", day(33), None),
    ]
    los = length_of_stay(day(0), None, stays, today=day(40))
    assert los.total_days == 40
    assert los.by_level == {
        "withdrawal_management": 5,
        "residential": 28,
        "intensive_outpatient": 7,
    }
    assert los.current_level_days == 7
    assert sum(los.by_level.values()) == los.total_days


def test_length_of_stay_discharged_and_repeated_level():
    stays = [
        Stay("outpatient", day(0), day(10)),
        Stay("intensive_outpatient", day(10), day(20)),
        Stay("outpatient", day(20), day(25)),
    ]
    los = length_of_stay(day(0), day(25), stays, today=day(90))
    assert (los.total_days, los.current_level_days) == (25, None)
    assert los.by_level == {"outpatient": 15, "intensive_outpatient": 10}


def test_same_day_is_zero_days_and_never_negative():
    assert stay_days(day(0), day(0), day(9)) == 0
    assert stay_days(day(0), None, day(0)) == 0
    assert stay_days(day(3), None, day(0)) == 0  # a clock behind the record: not negative
    assert length_of_stay(day(0), day(0), [Stay("residential", day(0), day(0))], day(0)) == (
        length_of_stay(day(0), day(0), [], day(0)).__class__(0, {"residential": 0}, None)
    )


def test_average_days():
    assert average_days([]) is None
    assert average_days([10, 20, 31]) == 20.3


def test_these_rules_import_no_django():
    import subprocess
    import sys

    code = (
        "import sys, waypoint.clinical.intensity, waypoint.clinical.length_of_stay;"
        "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')];"
        "sys.exit(1 if bad else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
