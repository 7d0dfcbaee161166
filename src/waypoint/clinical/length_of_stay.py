"""Length of stay of an episode of care, overall and per level of care.

Source: TEDS discharge data (domain facts §10) counts length of stay from the date of
admission to the date of discharge. Waypoint's convention, stated so every page agrees:

- a stay lasts ``end - start`` in whole days, where ``end`` is the day it ended (a transition
  or discharge) or, while it is open, ``today`` (the site's local date);
- a transition on day D ends the old stay and starts the new one on D, so the day is
  counted once, in the new level, and the per-level days add up to the episode's days;
- an admission and discharge on the same day is a stay of 0 days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Stay:
    level: str
    started_on: dt.date
    ended_on: dt.date | None = None


@dataclass(frozen=True)
class LengthOfStay:
    total_days: int
    by_level: dict[str, int]  # level -> days, in order of first stay
    current_level_days: int | None  # days in the open stay, None when none is open


def stay_days(started_on: dt.date, ended_on: dt.date | None, today: dt.date) -> int:
    end = ended_on if ended_on is not None else today
    return max(0, (end - started_on).days)


def length_of_stay(
    admitted_on: dt.date,
    discharged_on: dt.date | None,
    stays: Iterable[Stay],
    today: dt.date,
) -> LengthOfStay:
    by_level: dict[str, int] = {}
    current = None
    for s in sorted(stays, key=lambda s: s.started_on):
        days = stay_days(s.started_on, s.ended_on, today)
        by_level[s.level] = by_level.get(s.level, 0) + days
        if s.ended_on is None:
            current = days
    return LengthOfStay(stay_days(admitted_on, discharged_on, today), by_level, current)


def average_days(lengths: Iterable[int]) -> float | None:
    values = list(lengths)
    return round(sum(values) / len(values), 1) if values else None
