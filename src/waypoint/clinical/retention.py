"""Retention in treatment: was an admission still in care, or discharged as completed, a
number of days after it began.

Sources:
- Retention at 30, 90 and 180 days is the common measure of engagement in OUD treatment
  (issue 17; SAMHSA TIP 63 (2021), part 1: retention is the outcome most tied to lower
  mortality; NQF #3175 "Continuity of pharmacotherapy for OUD" uses 180 days).
- Discharge reasons are TEDS REASON codes (domain facts §10; ``care.codes``): 1 completed,
  2 dropped out, 3 terminated by the facility, 4 transferred, 5 incarcerated, 6 death,
  7 other. Only **1 completed** counts as a good ending here, as the issue asks ("still
  in care, or discharged as completed"); a transfer (4) is **not** counted retained: the
  other program's stay is not seen by Waypoint. This is our reading, stated so it can be
  argued with.

The rule, with the mark the date ``admitted_on + days``:
- not yet measurable (None) while ``today`` is before the mark — an admission 45 days old
  counts at 30 days, not at 90, whatever has happened since;
- retained when the episode was still open on the mark: not discharged, or discharged on
  the mark or after it (discharged on day 30 exactly is in care at 30 days);
- retained when discharged before the mark with the reason ``completed``;
- otherwise not retained.
"""

from __future__ import annotations

import datetime as dt

MARKS = (30, 90, 180)
COMPLETED = "completed"


def retained_at(
    admitted_on: dt.date,
    discharged_on: dt.date | None,
    discharge_reason: str,
    days: int,
    today: dt.date,
) -> bool | None:
    """Retained ``days`` after admission (see the module's rule); None = not yet
    measurable. ``days`` below 1, or a discharge before the admission, raise ValueError."""
    if days < 1:
        raise ValueError("days must be 1 or more")
    if discharged_on is not None and discharged_on < admitted_on:
        raise ValueError("discharged before admitted")
    mark = admitted_on + dt.timedelta(days=days)
    if today < mark:
        return None
    if discharged_on is None or discharged_on >= mark:
        return True
    return discharge_reason == COMPLETED


def share(retained: int, measured: int) -> float | None:
    """Percentage retained (one decimal), None when nothing is measurable."""
    if measured <= 0:
        return None
    return round(100 * retained / measured, 1)
