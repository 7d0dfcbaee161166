"""Methadone take-home doses: the regulatory ceiling by days in treatment, and the clinical
factors that argue against take-homes now.

Source: 42 CFR 8.12(i) as revised by the 2024 final rule (domain facts §5). Days in
treatment are continuous and the admission day is day 1. Ceiling: days 1-14 at most
**7** take-home doses, from day 15 at most **14**, from day 31 at most **28**. The ceiling is
not an entitlement: the clinician weighs the criteria of §8.12(i)(2) — no active substance
use or other condition that raises risk, regular attendance, no serious behavioral
problems, no recent diversion, a stable home and safe storage, and whether the benefit
outweighs the risk. Waypoint reports the factors it can see in the record (recent positive
test, missed visits, a diversion concern); the prescriber decides. States may be stricter:
the tiers are an organization setting (``TakeHomeLimits``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# (first day of treatment the tier applies from, at most this many take-home doses)
FEDERAL_TIERS: tuple[tuple[int, int], ...] = ((1, 7), (15, 14), (31, 28))


@dataclass(frozen=True)
class TakeHomeLimits:
    tiers: tuple[tuple[int, int], ...] = FEDERAL_TIERS
    missed_visits_lookback_days: int = 30
    missed_visits_allowed: int = 0
    positive_test_lookback_days: int = 30
    diversion_lookback_days: int = 90


DEFAULT = TakeHomeLimits()


def days_in_treatment(admitted_on: dt.date | None, on: dt.date) -> int:
    """Continuous days in treatment on ``on``, the admission day being day 1 (0 when not
    admitted or admitted later)."""
    if admitted_on is None or on < admitted_on:
        return 0
    return (on - admitted_on).days + 1


def max_doses(days: int, limits: TakeHomeLimits = DEFAULT) -> int:
    """The regulatory ceiling of take-home doses for someone on day ``days`` of treatment."""
    ceiling = 0
    for first_day, most in sorted(limits.tiers):
        if days >= first_day:
            ceiling = most
    return ceiling


@dataclass(frozen=True)
class Factor:
    code: str
    text: str


def factors_against(
    *,
    positive_tests: int,
    missed_visits: int,
    diversion_concerns: int,
    limits: TakeHomeLimits = DEFAULT,
) -> list[Factor]:
    """The factors in the record that argue against take-homes now, each with its reason."""
    out = []
    if positive_tests > 0:
        out.append(
            Factor(
                "recent_positive_test",
                f"{positive_tests} positive drug test(s) in the last "
                f"{limits.positive_test_lookback_days} days.",
            )
        )
    if missed_visits > limits.missed_visits_allowed:
        out.append(
            Factor(
                "missed_visits",
                f"{missed_visits} missed dosing day(s) in the last "
                f"{limits.missed_visits_lookback_days} days.",
            )
        )
    if diversion_concerns > 0:
        out.append(
            Factor(
                "diversion_concern",
                f"A diversion concern recorded in the last {limits.diversion_lookback_days} days.",
            )
        )
    return out
