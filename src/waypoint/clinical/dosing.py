"""Refusal rules at the dosing window: each a pure function that returns ``None`` (the dose
may be given) or a ``Refusal`` with a stable code and a sentence for the nurse.

Sources (domain facts §5; every number is a ``DosingLimits`` field, an organization
setting, because states and programs may be stricter):

- Methadone first-day total: 42 CFR 8.12(h)(3) as revised by the 2024 final rule — the
  initial dose should not exceed **50 mg** unless the practitioner documents why more is
  needed (``first_day_limit``; the prescriber's documented override lifts it).
- Missed doses (practice, not a federal rule): after **3 or more consecutive days** with no
  dose at the clinic and none covered by a take-home, no dose until a prescriber reassesses
  (``missed_doses``); at **5 or more**, re-induction is common (shown, not refused).
- Buprenorphine standard induction: a **COWS of 8 or more recorded within the 2 hours**
  before the first induction dose (``induction_withdrawal``); low-dose induction skips it.
  Above **24 mg** a day is a warning the prescriber acknowledges (``buprenorphine_high_dose``),
  never a refusal.
- Extended-release naltrexone: opioid-free about **7** days after short-acting opioids and
  **10** after methadone or buprenorphine (the lower ends of 7-10 and 10-14 in §5), confirmed
  by a negative drug test or a naloxone challenge (``opioid_free_period``). Waypoint's own
  choice, flagged as such: the confirmation must be dated after the last use and within
  ``opioid_free_confirmation_days`` (7) of the injection.
- Extended-release buprenorphine (Sublocade): injections **at least 26 days apart**
  (``injection_interval``).
- Lofexidine: at most **0.72 mg** a dose and **2.88 mg** a day, doses **5** hours or more
  apart (the low end of "5-6 hours apart") (``lofexidine``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

D = Decimal


@dataclass(frozen=True)
class DosingLimits:
    methadone_first_day_max_mg: Decimal = D("50")
    missed_days_for_reassessment: int = 3
    missed_days_for_reinduction: int = 5
    induction_cows_min: int = 8
    induction_cows_window_hours: int = 2
    buprenorphine_warning_above_mg: Decimal = D("24")
    naltrexone_free_days_short_acting: int = 7
    naltrexone_free_days_long_acting: int = 10
    opioid_free_confirmation_days: int = 7
    buprenorphine_er_min_days_between: int = 26
    lofexidine_max_dose_mg: Decimal = D("0.72")
    lofexidine_max_day_mg: Decimal = D("2.88")
    lofexidine_min_hours_between: int = 5


DEFAULT_LIMITS = DosingLimits()


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    status: int = 409


def _mg(x: Decimal) -> str:
    return f"{x.normalize():f}"


def first_day_limit(
    day_total_mg: Decimal, *, override: bool, limits: DosingLimits = DEFAULT_LIMITS
) -> Refusal | None:
    """Methadone on the first day of treatment: the day's total (this dose included) may
    not pass the limit unless the prescriber documented why (``override``)."""
    if override or day_total_mg <= limits.methadone_first_day_max_mg:
        return None
    return Refusal(
        "first_day_limit_exceeded",
        f"First methadone day: {_mg(day_total_mg)} mg in total would pass the "
        f"{_mg(limits.methadone_first_day_max_mg)} mg first-day limit. Only a prescriber can "
        "allow more, with a documented reason on the order.",
    )


def consecutive_missed_days(today: dt.date, last_covered: dt.date | None, started: dt.date) -> int:
    """Whole days before ``today`` with no dose and no take-home cover, counted back to the
    last covered day (a dose, a take-home bottle or a prescriber's reassessment) or to the
    order's start. Today itself is not missed: the person may still come."""
    first_expected = (
        started if last_covered is None else max(started, last_covered + dt.timedelta(1))
    )
    return max(0, (today - first_expected).days)


def missed_doses(missed: int, limits: DosingLimits = DEFAULT_LIMITS) -> Refusal | None:
    if missed < limits.missed_days_for_reassessment:
        return None
    extra = (
        " Re-induction is often needed after this long."
        if missed >= limits.missed_days_for_reinduction
        else ""
    )
    return Refusal(
        "missed_doses_reassessment_required",
        f"Missed {missed} days in a row: tolerance may have dropped. Do not dose until a "
        f"prescriber records a reassessment.{extra}",
    )


def induction_withdrawal(
    cows: Iterable[tuple[dt.datetime, int]],
    at: dt.datetime,
    limits: DosingLimits = DEFAULT_LIMITS,
) -> Refusal | None:
    """Standard buprenorphine induction: some COWS total of at least ``induction_cows_min``
    taken in the ``induction_cows_window_hours`` before ``at`` (and not after it)."""
    since = at - dt.timedelta(hours=limits.induction_cows_window_hours)
    recent = sorted((t, s) for t, s in cows if since <= t <= at)
    if any(s >= limits.induction_cows_min for _, s in recent):
        return None
    if recent:
        latest = f"the latest COWS is {recent[-1][1]}"
    else:
        latest = f"no COWS in the last {limits.induction_cows_window_hours} hours"
    return Refusal(
        "withdrawal_too_low_for_induction",
        f"Buprenorphine induction needs a COWS of {limits.induction_cows_min} or more in the "
        f"last {limits.induction_cows_window_hours} hours; {latest}. Starting now could "
        "precipitate withdrawal: score COWS again later.",
    )


def buprenorphine_high_dose(dose_mg: Decimal, limits: DosingLimits = DEFAULT_LIMITS) -> str | None:
    """A warning (never a refusal) for a buprenorphine daily dose above the labelled range."""
    if dose_mg > limits.buprenorphine_warning_above_mg:
        return (
            f"{_mg(dose_mg)} mg is above {_mg(limits.buprenorphine_warning_above_mg)} mg a day, "
            "where the label reports no added benefit."
        )
    return None


def opioid_free_period(
    on: dt.date,
    *,
    last_short_acting: dt.date | None,
    last_long_acting: dt.date | None,
    confirmations: Iterable[dt.date],
    limits: DosingLimits = DEFAULT_LIMITS,
) -> Refusal | None:
    """Extended-release naltrexone's first injection: enough opioid-free days since the last
    short-acting opioid and since the last methadone or buprenorphine, and a confirmation
    (negative test or naloxone challenge) after the last use and recent enough.

    With no recorded last use at all the period cannot be shown, so it is refused.
    """
    if last_short_acting is None and last_long_acting is None:
        return Refusal(
            "opioid_free_period_not_met",
            "The date of the last opioid use is not recorded: the prescriber records it on "
            "the order before the first naltrexone injection.",
        )
    needs = []
    if last_short_acting is not None:
        needs.append((last_short_acting, limits.naltrexone_free_days_short_acting, "opioid use"))
    if last_long_acting is not None:
        needs.append(
            (last_long_acting, limits.naltrexone_free_days_long_acting, "methadone/buprenorphine")
        )
    for last, days, what in needs:
        free = (on - last).days
        if free < days:
            return Refusal(
                "opioid_free_period_not_met",
                f"Only {max(free, 0)} days since the last {what} ({last.isoformat()}); "
                f"naltrexone needs {days} opioid-free days first (from "
                f"{(last + dt.timedelta(days)).isoformat()}).",
            )
    last_use = max(d for d, _, _ in needs)
    earliest = on - dt.timedelta(limits.opioid_free_confirmation_days)
    if not any(last_use < c <= on and c >= earliest for c in confirmations):
        return Refusal(
            "opioid_free_not_confirmed",
            "Naltrexone needs a negative opioid test or a naloxone challenge after the last use "
            f"and within {limits.opioid_free_confirmation_days} days before the injection.",
        )
    return None


def injection_interval(
    last_on: dt.date | None, on: dt.date, min_days: int | None
) -> Refusal | None:
    """Injections of one product no closer than ``min_days`` (None: no minimum)."""
    if last_on is None or min_days is None:
        return None
    gap = (on - last_on).days
    if gap >= min_days:
        return None
    return Refusal(
        "injection_too_soon",
        f"The last injection was {gap} days ago ({last_on.isoformat()}); injections must be "
        f"at least {min_days} days apart (next from "
        f"{(last_on + dt.timedelta(min_days)).isoformat()}).",
    )


def lofexidine(
    dose_mg: Decimal,
    earlier_today: Sequence[tuple[dt.datetime, Decimal]],
    at: dt.datetime,
    limits: DosingLimits = DEFAULT_LIMITS,
) -> Refusal | None:
    """A lofexidine dose: per-dose maximum, daily maximum, and the interval since the last."""
    if dose_mg > limits.lofexidine_max_dose_mg:
        return Refusal(
            "dose_out_of_range",
            f"Lofexidine is at most {_mg(limits.lofexidine_max_dose_mg)} mg a dose.",
            422,
        )
    total = sum((mg for _, mg in earlier_today), D(0)) + dose_mg
    if total > limits.lofexidine_max_day_mg:
        return Refusal(
            "daily_limit_exceeded",
            f"{_mg(total)} mg today would pass lofexidine's "
            f"{_mg(limits.lofexidine_max_day_mg)} mg daily maximum.",
        )
    if earlier_today:
        last = max(t for t, _ in earlier_today)
        gap = at - last
        if gap < dt.timedelta(hours=limits.lofexidine_min_hours_between):
            hours = gap.total_seconds() / 3600
            return Refusal(
                "dose_too_soon",
                f"The last lofexidine dose was {hours:.1f} hours ago; doses are at least "
                f"{limits.lofexidine_min_hours_between} hours apart.",
            )
    return None
