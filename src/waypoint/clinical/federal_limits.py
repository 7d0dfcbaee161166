"""Organization settings may tighten federal limits, never loosen them.

Source: 42 CFR 8.12 as revised by the 2024 final rule (domain facts §5, §6; issue 14 rule
10). Three of Waypoint's settings carry a federal number:
- the methadone first-day limit, at most **50 mg** (8.12(h)(3)) — a lower setting is
  stricter;
- the take-home tiers, at most **7** doses from day 1, **14** from day 15, **28** from day 31
  (8.12(i)(3)) — for *every* day of treatment the configured ceiling must be at or below
  the federal one (a state may allow fewer, or make people wait longer);
- the random drug tests a year, at least **8** (8.12(f)(6)) — a higher setting is stricter.
Every other number in ``DosingLimits`` and ``TakeHomeLimits`` is practice: any value a
program chooses (the medication app still checks its range).
"""

from __future__ import annotations

from decimal import Decimal

from .dosing import DosingLimits, Refusal, _mg
from .drugtests import TestingLimits
from .takehome import FEDERAL_TIERS, TakeHomeLimits, max_doses

FEDERAL_FIRST_DAY_MAX_MG = Decimal("50")
FEDERAL_RANDOM_TESTS_PER_YEAR = 8


def _loosens(field: str, what: str) -> Refusal:
    return Refusal(
        "setting_exceeds_federal_limit",
        f"{field}: {what}. Settings may tighten federal limits, never loosen.",
        422,
    )


def first_day_limit(value: Decimal) -> Refusal | None:
    """The methadone first-day limit may be at most 50 mg (8.12(h)(3), 2024)."""
    if value <= FEDERAL_FIRST_DAY_MAX_MG:
        return None
    return _loosens(
        "methadone_first_day_max_mg",
        f"{_mg(value)} mg is above the federal first-day limit of "
        f"{_mg(FEDERAL_FIRST_DAY_MAX_MG)} mg",
    )


def take_home_tiers(tiers: tuple[tuple[int, int], ...]) -> Refusal | None:
    """For every day of treatment the configured take-home ceiling is at or below the
    federal ceiling (7 from day 1, 14 from day 15, 28 from day 31; 8.12(i)(3), 2024). Both
    are step functions of the day, so checking day 1 and every day a tier of either begins
    covers every day."""
    days = sorted({1} | {d for d, _ in tiers if d >= 1} | {d for d, _ in FEDERAL_TIERS})
    configured = TakeHomeLimits(tiers=tiers)
    federal = TakeHomeLimits(tiers=FEDERAL_TIERS)
    for day in days:
        mine, law = max_doses(day, configured), max_doses(day, federal)
        if mine > law:
            return _loosens(
                "tiers",
                f"{mine} take-home doses on day {day} of treatment, the federal ceiling is {law} "
                "(7 from day 1, 14 from day 15, 28 from day 31)",
            )
    return None


def random_tests_per_year(value: int) -> Refusal | None:
    """At least 8 random drug tests a year for each patient in an OTP (8.12(f)(6), 2024)."""
    if value >= FEDERAL_RANDOM_TESTS_PER_YEAR:
        return None
    return _loosens(
        "random_tests_per_year",
        f"{value} a year is below the federal minimum of {FEDERAL_RANDOM_TESTS_PER_YEAR} random "
        "tests a year",
    )


def check_medication_settings(
    dosing: DosingLimits, take_home: TakeHomeLimits, testing: TestingLimits | None = None
) -> Refusal | None:
    """The organization's medication (and drug-testing) settings, whole, against the federal
    limits (the first refusal found, or None)."""
    return (
        first_day_limit(dosing.methadone_first_day_max_mg)
        or take_home_tiers(take_home.tiers)
        or (random_tests_per_year(testing.random_tests_per_year) if testing else None)
    )
