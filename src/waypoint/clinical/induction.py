"""Buprenorphine induction given as ordered: repeat doses on the first day.

Source: SAMHSA TIP 63, *Medications for Opioid Use Disorder* (2021), Part 3, chapter on
buprenorphine, "Induction — Day 1": after the first dose (2-4 mg, once the person is in
objective withdrawal, domain facts §5: COWS of 8 or more), further doses of 2-4 mg may be
given **at intervals of about 1-2 hours** while withdrawal continues, up to the day-1 total
the prescriber orders (TIP 63 gives 8-12 mg as usual and up to 16 mg; the sublingual
product's range is at most 32 mg a day, ``clinical.medications``). From day 2 the day's
total is given as one daily dose (the order's dose).

So an order may allow repeat doses: "4 mg, may repeat 4 mg after 1-2 h, up to 12 mg on
day 1" is ``dose_mg=4``, ``repeat_dose_mg=4``, ``repeat_interval_hours=1``,
``day_one_max_mg=12``. Waypoint's choices, flagged as such: the three values are given
together or not at all; the interval is at least **1 hour** (the short end of TIP 63's
1-2 hours) and at most 24; the day-1 maximum is at most **32 mg** (the product's daily
range) and leaves room for at least one repeat (first dose + repeat dose); "day 1" is the
day of the order's first dose (the day it is given when none was given yet). Whether
withdrawal still continues before a repeat is the nurse's and prescriber's judgement: the
window shows the latest COWS and its time, and does not refuse on it.

Pure: plain values in, a ``Refusal`` or ``None`` out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .dosing import Refusal

MIN_INTERVAL_HOURS = 1  # TIP 63: "about 1-2 hours" apart; the short end
MAX_INTERVAL_HOURS = 24
DAY_ONE_MAX_MG = Decimal(32)  # the sublingual product's daily range (clinical.medications)


@dataclass(frozen=True)
class RepeatPlan:
    """What an order allows on day 1 beyond its first dose."""

    repeat_dose_mg: Decimal
    interval_hours: int
    day_one_max_mg: Decimal


def _mg(x: Decimal) -> str:
    return f"{x.normalize():f}"


def check_plan(
    first_dose_mg: Decimal,
    repeat_dose_mg: Decimal | None,
    interval_hours: int | None,
    day_one_max_mg: Decimal | None,
) -> Refusal | None:
    """An order's repeat-dose values: all three or none, each within its bounds
    (``induction_repeat_incomplete``, ``induction_repeat_out_of_range``; 422)."""
    given = [v is not None for v in (repeat_dose_mg, interval_hours, day_one_max_mg)]
    if not any(given):
        return None
    if not all(given):
        return Refusal(
            "induction_repeat_incomplete",
            "A repeat dose needs all three: the repeat dose, the hours between doses and "
            "the day-1 maximum.",
            422,
        )
    assert repeat_dose_mg is not None and interval_hours is not None
    assert day_one_max_mg is not None
    if repeat_dose_mg <= 0:
        return Refusal("induction_repeat_out_of_range", "The repeat dose is above 0 mg.", 422)
    if not MIN_INTERVAL_HOURS <= interval_hours <= MAX_INTERVAL_HOURS:
        return Refusal(
            "induction_repeat_out_of_range",
            f"Repeat doses are {MIN_INTERVAL_HOURS} to {MAX_INTERVAL_HOURS} hours apart "
            f"(got {interval_hours}).",
            422,
        )
    if day_one_max_mg > DAY_ONE_MAX_MG:
        return Refusal(
            "induction_repeat_out_of_range",
            f"The day-1 maximum is at most {_mg(DAY_ONE_MAX_MG)} mg "
            f"(got {_mg(day_one_max_mg)} mg).",
            422,
        )
    if day_one_max_mg < first_dose_mg + repeat_dose_mg:
        return Refusal(
            "induction_repeat_out_of_range",
            f"The day-1 maximum ({_mg(day_one_max_mg)} mg) leaves no room for a repeat dose: "
            f"it is at least the first dose plus one repeat "
            f"({_mg(first_dose_mg + repeat_dose_mg)} mg).",
            422,
        )
    return None


def repeat_dose(
    plan: RepeatPlan,
    *,
    day_one: bool,
    mg_today: Decimal,
    last_dose_at: dt.datetime,
    at: dt.datetime,
    tz: dt.tzinfo | None = None,
) -> Refusal | None:
    """Whether a repeat dose of ``plan`` may be given at ``at``, after the day's doses
    (``mg_today`` in all, the latest at ``last_dose_at``). 409 refusals:
    ``repeat_dose_not_day_one`` (repeats are for the induction's first day),
    ``induction_day_max_reached`` (the repeat would pass the day-1 maximum),
    ``repeat_dose_too_soon`` (less than the interval since the last dose; the time it is
    due is written in ``tz``, the site's zone)."""
    if not day_one:
        return Refusal(
            "repeat_dose_not_day_one",
            "Already given today: repeat doses are ordered for the first day of the "
            "induction only.",
        )
    if mg_today + plan.repeat_dose_mg > plan.day_one_max_mg:
        return Refusal(
            "induction_day_max_reached",
            f"Day-1 maximum reached: {_mg(mg_today)} mg given of {_mg(plan.day_one_max_mg)} mg; "
            f"a repeat of {_mg(plan.repeat_dose_mg)} mg would pass it.",
        )
    next_at = next_repeat_at(plan, last_dose_at)
    if at < next_at:
        return Refusal(
            "repeat_dose_too_soon",
            f"The repeat dose is due {plan.interval_hours} hour"
            f"{'s' if plan.interval_hours != 1 else ''} after the last dose: not before "
            f"{next_at.astimezone(tz):%H:%M}.",
        )
    return None


def next_repeat_at(plan: RepeatPlan, last_dose_at: dt.datetime) -> dt.datetime:
    """The earliest time of the next repeat dose."""
    return last_dose_at + dt.timedelta(hours=plan.interval_hours)


def remaining_mg(plan: RepeatPlan, mg_today: Decimal) -> Decimal:
    """What is left of the day-1 maximum after ``mg_today``."""
    return max(Decimal(0), plan.day_one_max_mg - mg_today)
