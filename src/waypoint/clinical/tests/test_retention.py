"""Boundaries of the retention rule (clinical/retention.py) and the telehealth flag
(clinical/telehealth.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from waypoint.clinical.retention import MARKS, retained_at, share
from waypoint.clinical.telehealth import MODALITIES, audio_only_flagged

ADMIT = dt.date(2026, 1, 10)


def day(n: int) -> dt.date:
    return ADMIT + dt.timedelta(days=n)


@pytest.mark.parametrize(("age", "expected"), [(29, None), (30, True), (31, True)])
def test_open_episode_measurable_from_the_mark(age, expected):
    assert retained_at(ADMIT, None, "", 30, day(age)) is expected


@pytest.mark.parametrize(
    ("left", "reason", "expected"),
    [
        (29, "dropped_out", False),
        (29, "completed", True),
        (30, "dropped_out", True),  # discharged on day 30 exactly: in care at 30 days
        (31, "dropped_out", True),
        (0, "terminated", False),
        (0, "completed", True),
        (29, "transferred", False),
        (29, "incarcerated", False),
        (29, "death", False),
        (29, "other", False),
    ],
)
def test_discharge_around_the_mark(left, reason, expected):
    assert retained_at(ADMIT, day(left), reason, 30, day(200)) is expected


def test_not_measurable_even_when_already_discharged():
    # 45 days after admission: counts at 30 days, not at 90 or 180, whatever happened.
    today = day(45)
    assert retained_at(ADMIT, day(10), "dropped_out", 30, today) is False
    assert retained_at(ADMIT, day(10), "dropped_out", 90, today) is None
    assert retained_at(ADMIT, None, "", 180, today) is None


@pytest.mark.parametrize("mark", MARKS)
def test_each_mark_both_sides(mark):
    assert retained_at(ADMIT, None, "", mark, day(mark - 1)) is None
    assert retained_at(ADMIT, None, "", mark, day(mark)) is True
    assert retained_at(ADMIT, day(mark - 1), "dropped_out", mark, day(mark)) is False
    assert retained_at(ADMIT, day(mark), "dropped_out", mark, day(mark)) is True


def test_across_a_leap_day():
    admitted = dt.date(2028, 2, 10)
    assert retained_at(admitted, None, "", 30, dt.date(2028, 3, 10)) is None
    assert retained_at(admitted, None, "", 30, dt.date(2028, 3, 11)) is True


def test_bad_input():
    with pytest.raises(ValueError):
        retained_at(ADMIT, None, "", 0, day(100))
    with pytest.raises(ValueError):
        retained_at(ADMIT, day(-1), "completed", 30, day(100))


def test_share():
    assert share(0, 0) is None
    assert share(1, 3) == 33.3
    assert share(2, 2) == 100.0
    assert share(0, 5) == 0.0


@pytest.mark.parametrize("modality", MODALITIES)
def test_audio_only_flag_only_for_phone_of_a_required_kind(modality):
    assert audio_only_flagged(modality, "individual", ["individual"]) is (modality == "phone")
    assert audio_only_flagged(modality, "group", ["individual"]) is False
    assert audio_only_flagged(modality, "individual", []) is False  # the default: nothing


def test_audio_only_flag_unknown_modality():
    with pytest.raises(ValueError):
        audio_only_flagged("carrier_pigeon", "individual", ["individual"])
