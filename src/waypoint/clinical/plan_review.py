"""When a treatment plan is due for review, by level of care.

Source and status: these are *program practice defaults*, not law and not ASAM criteria.
ASAM (3rd ed.) asks that the plan be reviewed as the patient's needs and level of care
change; most US state licensing rules for SUD programs require a documented plan review
at an interval that shortens as intensity rises (commonly weekly to every two weeks in
withdrawal management and residential care, about monthly in intensive outpatient, and at
least every 90 days in outpatient and opioid treatment programs; 42 CFR 8.12(f)(4) asks an
OTP to review the plan periodically). The figures below follow that common pattern:

=========================  ====
level                      days
=========================  ====
withdrawal_management         7
residential                  14
partial_hospitalization      14
intensive_outpatient         30
outpatient                   90
opioid_treatment_program     90
=========================  ====

Each organization may override any level (``overrides``) to match its state's rule; the
review is due ``days`` after the plan date, and overdue the day after it is due (site-local
calendar days). Pure functions: no Django import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

DEFAULT_REVIEW_DAYS: dict[str, int] = {
    "withdrawal_management": 7,
    "residential": 14,
    "partial_hospitalization": 14,
    "intensive_outpatient": 30,
    "outpatient": 90,
    "opioid_treatment_program": 90,
}
FALLBACK_DAYS = 30  # a level the table does not know (never expected; fail towards soon)
MIN_DAYS, MAX_DAYS = 1, 365


def review_days(level: str, overrides: Mapping[str, int] | None = None) -> int:
    """Days between the plan date and its review for ``level``; an organization's override
    wins when it is within 1..365 days."""
    if overrides and level in overrides and MIN_DAYS <= int(overrides[level]) <= MAX_DAYS:
        return int(overrides[level])
    return DEFAULT_REVIEW_DAYS.get(level, FALLBACK_DAYS)


def review_due(
    plan_date: dt.date, level: str, overrides: Mapping[str, int] | None = None
) -> dt.date:
    """The date the plan is due for review."""
    return plan_date + dt.timedelta(days=review_days(level, overrides))


def is_overdue(due: dt.date, today: dt.date) -> bool:
    """Overdue once the review date has passed: due today is not yet overdue."""
    return today > due
