"""The dosing-window rules (clinical/dosing.py), take-home ceiling (clinical/takehome.py) and
the medication catalogue's order checks (clinical/medications.py), at every boundary."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from waypoint.clinical import dosing, takehome
from waypoint.clinical.medications import MedicationError, check_order

T0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 3, 10)


@pytest.mark.parametrize(
    "total, override, code",
    [
        (D("30"), False, None),
        (D("50"), False, None),
        (D("50.01"), False, "first_day_limit_exceeded"),
        (D("60"), False, "first_day_limit_exceeded"),
        (D("60"), True, None),
    ],
)
def test_first_day_limit(total, override, code):
    r = dosing.first_day_limit(total, override=override)
    assert (r.code if r else None) == code


def test_first_day_limit_is_a_setting():
    stricter = dosing.DosingLimits(methadone_first_day_max_mg=D("30"))
    assert dosing.first_day_limit(D("30"), override=False, limits=stricter) is None
    assert dosing.first_day_limit(D("31"), override=False, limits=stricter).code


@pytest.mark.parametrize("missed, refused", [(0, False), (2, False), (3, True), (5, True)])
def test_missed_doses_threshold(missed, refused):
    r = dosing.missed_doses(missed)
    assert (r is not None) == refused
    if refused:
        assert r.code == "missed_doses_reassessment_required"
        assert ("Re-induction" in r.message) == (missed >= 5)


@pytest.mark.parametrize(
    "cows, refused",
    [
        ([], True),
        ([(T0 - dt.timedelta(minutes=30), 7)], True),
        ([(T0 - dt.timedelta(minutes=30), 8)], False),
        ([(T0 - dt.timedelta(hours=2), 8)], False),  # exactly 2 hours before: inside
        ([(T0 - dt.timedelta(hours=2, seconds=1), 12)], True),  # just outside
        ([(T0 + dt.timedelta(minutes=1), 12)], True),  # after the dose does not count
        ([(T0 - dt.timedelta(hours=1), 9), (T0 - dt.timedelta(minutes=5), 4)], False),
    ],
)
def test_induction_needs_cows_8_within_2_hours(cows, refused):
    r = dosing.induction_withdrawal(cows, T0)
    assert (r is not None) == refused
    if r:
        assert r.code == "withdrawal_too_low_for_induction"


def test_buprenorphine_above_24_is_a_warning_not_a_refusal():
    assert dosing.buprenorphine_high_dose(D("24")) is None
    assert "24" in dosing.buprenorphine_high_dose(D("24.5"))


@pytest.mark.parametrize(
    "short_days_ago, long_days_ago, confirm_days_ago, code",
    [
        (None, None, [1], "opioid_free_period_not_met"),  # nothing recorded
        (6, None, [1], "opioid_free_period_not_met"),
        (7, None, [1], None),
        (7, None, [], "opioid_free_not_confirmed"),
        (7, None, [8], "opioid_free_not_confirmed"),  # confirmation before the last use
        (20, None, [8], "opioid_free_not_confirmed"),  # older than 7 days
        (20, None, [7], None),
        (None, 9, [1], "opioid_free_period_not_met"),
        (None, 10, [1], None),
        (8, 9, [1], "opioid_free_period_not_met"),  # both must be met
    ],
)
def test_naltrexone_opioid_free_period(short_days_ago, long_days_ago, confirm_days_ago, code):
    def ago(n):
        return None if n is None else DAY - dt.timedelta(n)

    r = dosing.opioid_free_period(
        DAY,
        last_short_acting=ago(short_days_ago),
        last_long_acting=ago(long_days_ago),
        confirmations=[ago(n) for n in confirm_days_ago],
    )
    assert (r.code if r else None) == code


@pytest.mark.parametrize("gap, refused", [(25, True), (26, False), (40, False)])
def test_injection_interval(gap, refused):
    r = dosing.injection_interval(DAY - dt.timedelta(gap), DAY, 26)
    assert (r is not None) == refused
    assert dosing.injection_interval(None, DAY, 26) is None
    assert dosing.injection_interval(DAY, DAY, None) is None


@pytest.mark.parametrize(
    "day, ceiling",
    [(0, 0), (1, 7), (14, 7), (15, 14), (30, 14), (31, 28), (400, 28)],
)
def test_take_home_ceiling_by_days_in_treatment(day, ceiling):
    assert takehome.max_doses(day) == ceiling


def test_days_in_treatment_counts_admission_as_day_1():
    assert takehome.days_in_treatment(DAY, DAY) == 1
    assert takehome.days_in_treatment(DAY - dt.timedelta(14), DAY) == 15
    assert takehome.days_in_treatment(None, DAY) == 0
    assert takehome.days_in_treatment(DAY + dt.timedelta(1), DAY) == 0


def test_stricter_state_tiers():
    state = takehome.TakeHomeLimits(tiers=((1, 0), (91, 6)))
    assert takehome.max_doses(90, state) == 0 and takehome.max_doses(91, state) == 6


def test_factors_against():
    assert takehome.factors_against(positive_tests=0, missed_visits=0, diversion_concerns=0) == []
    codes = {
        f.code
        for f in takehome.factors_against(positive_tests=1, missed_visits=1, diversion_concerns=1)
    }
    assert codes == {"recent_positive_test", "missed_visits", "diversion_concern"}


@pytest.mark.parametrize(
    "med, dose, schedule, code",
    [
        ("methadone", D("80"), None, None),
        ("methadone", D("0"), None, "dose_out_of_range"),
        ("methadone", D("-5"), None, "dose_out_of_range"),
        ("methadone", D("800"), None, "dose_out_of_range"),
        ("methadone", D("80"), "weekly", "schedule_not_allowed"),
        ("heroin", D("1"), None, "unknown_medication"),
        ("buprenorphine_extended_release", D("300"), "monthly", None),
        ("buprenorphine_extended_release", D("24"), "weekly", None),
        ("buprenorphine_extended_release", D("150"), "monthly", "dose_out_of_range"),
        ("naltrexone_extended_release", D("380"), None, None),
        ("naltrexone_extended_release", D("50"), None, "dose_out_of_range"),
        ("lofexidine", D("0.54"), None, None),
        ("lofexidine", D("0.5"), None, "dose_out_of_range"),
        ("naloxone", D("4"), None, None),
        ("methadone", D("NaN"), None, "dose_out_of_range"),
    ],
)
def test_check_order(med, dose, schedule, code):
    if code is None:
        assert check_order(med, dose, schedule)
    else:
        with pytest.raises(MedicationError) as e:
            check_order(med, dose, schedule)
        assert e.value.code == code
