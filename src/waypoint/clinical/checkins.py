"""A recovery check-in's answers: what each may be, and what a positive depression screen
answered by link asks of staff.

Sources:
- the contract ("Recovery, aftercare and overdose prevention"): craving 0-10, PHQ-2 items
  0-3, ``days_since_use`` and ``meetings`` optional, ``need_help`` yes or no; an answer out
  of range is refused (``invalid_input``).
- PHQ-2: Kroenke K, Spitzer RL, Williams JB. Med Care 2003;41:1284-92 (each item 0-3;
  scored by ``clinical.recovery.phq2``, positive at 3 or more: go on to the PHQ-9).
- **our reading** (no published number): "days since use" is at most 36,500 (a hundred
  years: anything longer is a typing error); "meetings" counts mutual-help meetings in
  the past 7 days, at most 50 (several a day is possible, ninety in ninety days is common
  advice, fifty a week is not). A positive PHQ-2 answered by link, when the person did not
  also ask for help, opens an outreach task due in 72 hours (3 days: the same time as a
  return to use; staff call to give the PHQ-9). By phone the staff member is talking to the
  person: the chart suggests the PHQ-9, no task.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .recovery import CRAVING_MAX, PHQ2_ITEM_MAX

DAYS_SINCE_USE_MAX = 36_500
MEETINGS_MAX = 50
PHQ2_FOLLOW_UP = dt.timedelta(hours=72)

# field: (lowest, highest, required, sentence)
LIMITS: dict[str, tuple[int, int, bool, str]] = {
    "craving": (0, CRAVING_MAX, True, "Craving must be a whole number from 0 to 10."),
    "days_since_use": (
        0,
        DAYS_SINCE_USE_MAX,
        False,
        f"Days since last use must be a whole number from 0 to {DAYS_SINCE_USE_MAX:,}, "
        "or left empty.",
    ),
    "meetings": (
        0,
        MEETINGS_MAX,
        False,
        f"Meetings in the past week must be a whole number from 0 to {MEETINGS_MAX}, "
        "or left empty.",
    ),
    "phq2_q1": (0, PHQ2_ITEM_MAX, True, "Little interest or pleasure: choose 0, 1, 2 or 3."),
    "phq2_q2": (0, PHQ2_ITEM_MAX, True, "Feeling down or hopeless: choose 0, 1, 2 or 3."),
}


@dataclass(frozen=True)
class Answers:
    craving: int
    days_since_use: int | None
    meetings: int | None
    phq2_q1: int
    phq2_q2: int
    need_help: bool


def problems(values: dict[str, object]) -> dict[str, str]:
    """Each answer out of its range (or missing when required, or not a whole number),
    as {field: sentence}; empty when every answer may be recorded. ``need_help`` must be
    ``True`` or ``False``."""
    out: dict[str, str] = {}
    for name, (low, high, required, sentence) in LIMITS.items():
        value = values.get(name)
        if value is None:
            if required:
                out[name] = sentence
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            out[name] = sentence
    if not isinstance(values.get("need_help"), bool):
        out["need_help"] = "Say whether you need help now: yes or no."
    return out


def phq2_follow_up(positive: bool, need_help: bool, by_link: bool) -> dt.timedelta | None:
    """When a check-in's positive PHQ-2 opens an outreach task, how soon it is due: only
    answered by link (by phone staff are talking to the person) and only when the person
    did not ask for help (that task, due in an hour, comes first); else ``None``."""
    if positive and by_link and not need_help:
        return PHQ2_FOLLOW_UP
    return None
