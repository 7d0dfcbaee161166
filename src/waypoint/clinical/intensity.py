"""Weekly clinical hours each level of care calls for, and whether a week's hours fit.

Source: domain facts §4 (after the ASAM Criteria, 3rd ed., 2013, and SAMHSA TIP 47/TEDS
service settings), adults:

- ``partial_hospitalization`` (ASAM 2.5): 20 hours or more, no upper bound.
- ``intensive_outpatient`` (ASAM 2.1): 9 to 19 hours, both inclusive.
- ``outpatient`` (ASAM 1): under 9 hours (0 is within: outpatient has no floor).
- ``residential``: 5 hours or more, no upper bound. We use the floor of the least
  intensive residential level, ASAM 3.1 ("at least 5 clinical hours a week"); 3.5 and 3.7
  call for far more, but the program records a single ``residential`` level, so 5 is the
  only floor every residential stay can be held to.
- ``withdrawal_management``: no hour range. Its intensity is 24-hour (or ambulatory)
  medical supervision, not counseling hours.
- ``opioid_treatment_program``: no hour range. Daily medication, counseling as the
  treatment plan says.

Boundaries: IOP's upper bound is 19 hours inclusive, so 19.01 is *above* IOP; partial
hospitalization starts at 20, so 19.5 is *below* PHP. Between the two (19 < h < 20) a week
is above IOP and below PHP: the rule reports it, the clinician decides. Adolescent ranges
(6-19 IOP, under 6 outpatient) are not used: Waypoint's programs serve adults.

How it is used: the rule compares a week's *scheduled* hours (is the plan right for the
level?) and *attended* hours (did the person get the level?) with the level's range; the
census board and the chart's "Counseling this week" section call it with the week's
counseling sessions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LEVEL_HOURS: dict[str, tuple[float, float | None] | None] = {
    # level: (minimum hours inclusive, maximum hours inclusive or None) or None (no range)
    "partial_hospitalization": (20.0, None),
    "intensive_outpatient": (9.0, 19.0),
    "outpatient": (0.0, 9.0),  # upper bound exclusive, see _UPPER_EXCLUSIVE
    "residential": (5.0, None),
    "withdrawal_management": None,
    "opioid_treatment_program": None,
}
_UPPER_EXCLUSIVE = {"outpatient"}

BELOW, WITHIN, ABOVE, NOT_APPLICABLE = "below", "within", "above", "not_applicable"


class IntensityError(ValueError):
    """An unknown level or an impossible number of hours."""


@dataclass(frozen=True)
class HoursRange:
    level: str
    minimum: float | None
    maximum: float | None
    maximum_inclusive: bool

    @property
    def applies(self) -> bool:
        return self.minimum is not None

    @property
    def text(self) -> str:
        if not self.applies:
            return "no weekly hour range"
        if self.maximum is None:
            return f"{self.minimum:g} or more hours a week"
        if not self.maximum_inclusive:
            return f"under {self.maximum:g} hours a week"
        return f"{self.minimum:g}-{self.maximum:g} hours a week"


@dataclass(frozen=True)
class WeekIntensity:
    level: str
    range: HoursRange
    scheduled: str  # below / within / above / not_applicable
    attended: str


def hours_range(level: str) -> HoursRange:
    if level not in LEVEL_HOURS:
        raise IntensityError(f"unknown level of care {level!r}")
    spec = LEVEL_HOURS[level]
    if spec is None:
        return HoursRange(level, None, None, True)
    lo, hi = spec
    return HoursRange(level, lo, hi, level not in _UPPER_EXCLUSIVE)


def classify(level: str, hours: float) -> str:
    """``below``, ``within`` or ``above`` the level's weekly range; ``not_applicable`` for a
    level without one (withdrawal management, opioid treatment program)."""
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not math.isfinite(hours):
        raise IntensityError(f"hours must be a number (got {hours!r})")
    if hours < 0 or hours > 168:
        raise IntensityError(f"a week has 0 to 168 hours (got {hours!r})")
    r = hours_range(level)
    if r.minimum is None:  # not r.applies
        return NOT_APPLICABLE
    if hours < r.minimum:
        return BELOW
    if r.maximum is not None and (
        hours > r.maximum or (not r.maximum_inclusive and hours == r.maximum)
    ):
        return ABOVE
    return WITHIN


def week(level: str, scheduled_hours: float, attended_hours: float) -> WeekIntensity:
    """Compare one week's scheduled and attended clinical hours with the level."""
    return WeekIntensity(
        level=level,
        range=hours_range(level),
        scheduled=classify(level, scheduled_hours),
        attended=classify(level, attended_hours),
    )
