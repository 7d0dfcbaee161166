"""Refusal rules at the dosing window: each a pure function that returns ``None`` (the dose
may be given) or a ``Refusal`` with a stable code and a sentence for the nurse.

Sources (domain facts §5; every number is a ``DosingLimits`` field, an organization
setting, because states and programs may be stricter):

- Methadone first-day total: 42 CFR 8.12(h)(3) as revised by the 2024 final rule — the
  initial dose should not exceed **50 mg** unless the practitioner documents why more is
  needed (``first_day_limit``; the prescriber's documented override lifts it).
- Missed doses (practice, not a federal rule): after **3 or more consecutive days** with no
  dose at the clinic and none covered by a take-home, no dose until a prescriber reassesses
  (``missed_doses``; the days counted by ``consecutive_missed_days_across``); at **5 or
  more**, re-induction is common (``methadone_first_day`` applies the first-day limit again).
- Buprenorphine standard induction: a **COWS of 8 or more recorded within the 2 hours**
  before the first induction dose (``induction_withdrawal``); low-dose induction skips it.
  Above **24 mg** a day is a warning the prescriber acknowledges (``buprenorphine_high_dose``),
  never a refusal.
- Extended-release naltrexone: opioid-free about **7** days after short-acting opioids and
  **10** after methadone or buprenorphine (the lower ends of 7-10 and 10-14 in §5), confirmed
  by a negative drug test or a naloxone challenge (``opioid_free_period``). Waypoint's own
  choice, flagged as such: the confirmation must be dated after the last use and within
  ``opioid_free_confirmation_days`` (7) of the injection.
- Injections no closer than a minimum interval (``injection_interval``; the interval of each
  product is ``injectables.injection_min_days``, e.g. Sublocade **26 days**).

The medication-safety rules (issue 14) added below, each with its source in its docstring:

- Every admission is a new enrollment (``methadone_first_day``): 42 CFR 8.12(h)(3) as revised
  2024 — the first-day limit applies on the first methadone day of each episode of care, and
  again after ``missed_days_for_reinduction`` missed days (practice, TIP 63).
- Missed days across orders and episodes (``consecutive_missed_days_across``: a new order
  never wipes out a gap).
- A dose needs an open episode, naloxone kits excepted (``open_episode``); a discharge stops
  every open order but naloxone (``orders_stopped_at_discharge``).
- A person's first buprenorphine dose ever (``buprenorphine_first_dose``): COWS, low-dose
  induction, or a documented transfer whose last dose is recent (``transfer_is_current``).
- Lofexidine (Lucemyra label): at most **0.72 mg** a dose and **2.88 mg** in any 24 hours,
  doses **5** hours or more apart (the low end of "5-6 hours apart"), across midnight
  (``lofexidine_rolling``), and its blood-pressure/pulse hold (``lofexidine_vitals_hold``).
- Naltrexone washout when the kind of the last opioid is unknown (``last_use_by_kind``).

Order-side rules (titration, QTc, conflicts, blockade) are in ``clinical.orders``;
injectables and the implant in ``clinical.injectables``; the check that settings only
tighten federal limits in ``clinical.federal_limits``. Every number is a ``DosingLimits``
field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

D = Decimal
K = TypeVar("K")


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
    # --- medication safety (issue 14); each default names its source -------------------
    # Titration: TIP 63 (SAMHSA 2021), methadone increases of about 5-10 mg no more often
    # than every 3-5 days; the defaults are the permissive ends (practice, a setting).
    methadone_max_increase_mg: Decimal = D("10")
    methadone_min_days_between_increases: int = 3
    # QTc: an ECG is advised when methadone passes 100 mg a day (Krantz et al., Ann Intern
    # Med 2009;150:387-95; methadone label, QT prolongation warning). A warning to confirm.
    methadone_qtc_warning_above_mg: Decimal = D("100")
    # Blockade: extended-release naltrexone is given every 4 weeks (Vivitrol label), so an
    # agonist ordered within 28 days of an injection meets a blockade.
    naltrexone_blockade_days: int = 28
    # A documented buprenorphine transfer counts when its last dose is at most this many
    # days before (practice, our choice: the same 3 days after which missed doses need a
    # prescriber's reassessment).
    buprenorphine_transfer_max_days: int = 3
    # Injections' minimum intervals: Sublocade >= 26 days (label) is
    # ``buprenorphine_er_min_days_between`` above; Brixadi weekly may be given up to 2 days
    # early (label: 7 - 2 = 5), Brixadi monthly up to 1 week early (label: 28 - 7 = 21);
    # extended-release naltrexone every 4 weeks, refused before 21 days (the issue; the
    # Vivitrol label states no minimum: practice).
    brixadi_weekly_min_days_between: int = 5
    brixadi_monthly_min_days_between: int = 21
    naltrexone_er_min_days_between: int = 21
    # First extended-release buprenorphine injection: Sublocade label (02/2025): after a
    # single 4 mg transmucosal dose and 1 hour of observation, or after at least 7 days of
    # transmucosal buprenorphine; Brixadi label: after a 4 mg transmucosal test dose, or in
    # current buprenorphine treatment. How old a test dose may be (24 h) is our choice.
    er_test_dose_min_mg: Decimal = D("4")
    er_test_dose_observation_minutes: int = 60
    er_test_dose_max_hours: int = 24
    sublocade_transmucosal_days: int = 7
    # Lofexidine (Lucemyra label): at most 2.88 mg in any 24 hours. Holds below 90/60 mmHg
    # or a pulse below 55 (the numbers; the label says to reduce, delay or skip a
    # dose for clinically significant hypotension or bradycardia: practice). A reading
    # counts for ``lofexidine_vitals_valid_hours`` (our choice, flagged: a low reading
    # holds until a newer one is recorded, for up to a day).
    lofexidine_window_hours: int = 24
    lofexidine_hold_systolic_below: int = 90
    lofexidine_hold_diastolic_below: int = 60
    lofexidine_hold_pulse_below: int = 55
    lofexidine_vitals_valid_hours: int = 24
    # The 6-month buprenorphine implant (Probuphine label): clinically stable on at most
    # 8 mg a day of transmucosal buprenorphine, e.g. for 3 months or longer (90 days) with
    # no dose adjustment; removed by the end of the sixth month; one insertion in each arm
    # at most (2). The product left the US market in 2020: an organization may switch it off.
    buprenorphine_implant_enabled: bool = True
    implant_max_transmucosal_mg: Decimal = D("8")
    implant_stable_days: int = 90
    implant_months: int = 6
    implant_max_insertions: int = 2


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


# --- medication safety (issue 14): the dosing window ------------------------------------
def consecutive_missed_days_across(
    today: dt.date, last_covered: dt.date | None, started: dt.date
) -> int:
    """Whole days before ``today`` with no dose and no take-home of the medication family,
    counted from ``last_covered``: the last earlier day covered by a dose or a take-home
    bottle of that family *across all the person's orders and episodes* (or a prescriber's
    reassessment, which lets the nurse dose again). A new order never wipes out a gap.

    Only a person never covered at all (a brand-new start) counts from ``started``, the
    current order's start: nothing was expected before it. Today itself is not missed.

    (An earlier count started from the later of the last cover and the current order's
    start, so a new order hid the gap before it.) Source: domain facts §5 (missed doses,
    practice) and issue 14 rule 1.
    """
    first_expected = started if last_covered is None else last_covered + dt.timedelta(1)
    return max(0, (today - first_expected).days)


def methadone_first_day(
    day: dt.date,
    *,
    episode_admitted_on: dt.date | None,
    last_dose_or_take_home: dt.date | None,
    limits: DosingLimits = DEFAULT_LIMITS,
) -> str | None:
    """Does methadone's first-day limit apply to a dose on ``day``? The reason it does, or
    None when it does not.

    ``last_dose_or_take_home`` is the last day *before* ``day`` with a methadone dose or a
    methadone take-home bottle, across all orders and episodes. A prescriber's reassessment
    is deliberately not a cover here: it lets the nurse dose, it does not bring tolerance
    back. ``episode_admitted_on`` is the admission day of the person's open episode (None
    when there is none: then every day is a first day).

    It applies (42 CFR 8.12(h)(3) as revised 2024; issue 14 rule 1: every admission is a new
    enrollment):
    - to a person who never had methadone;
    - on the first methadone day of each episode of care (no methadone since its admission),
      whatever the earlier history;
    - after ``missed_days_for_reinduction`` (5) or more consecutive days with no dose and no
      take-home: re-induction (practice, TIP 63; a setting).
    Several doses on one first day all count toward the day's total (``first_day_limit``).
    """
    if last_dose_or_take_home is None:
        return "No methadone was ever given: the first-day limit applies."
    if episode_admitted_on is None or last_dose_or_take_home < episode_admitted_on:
        return (
            "First methadone day of this episode of care (every admission is a new "
            "enrollment): the first-day limit applies."
        )
    missed = consecutive_missed_days_across(day, last_dose_or_take_home, day)
    if missed >= limits.missed_days_for_reinduction:
        return (
            f"{missed} days without methadone since {last_dose_or_take_home.isoformat()}: "
            "tolerance may be gone, so re-induction applies the first-day limit again."
        )
    return None


NO_EPISODE_EXEMPT_FAMILIES = frozenset({"naloxone"})


def open_episode(family: str, has_open_episode: bool) -> Refusal | None:
    """A dose needs an open episode of care (a discharge, a death or an incarceration ends
    the right to dose); naloxone kits are the exception: they are given at discharge
    (domain facts §5, §8; issue 14 rule 2)."""
    if has_open_episode or family in NO_EPISODE_EXEMPT_FAMILIES:
        return None
    return Refusal(
        "no_open_episode",
        "This person has no open episode of care (discharged): no medication can be given "
        "until they are admitted again. A naloxone kit may still be handed out.",
    )


def orders_stopped_at_discharge(open_orders: Iterable[tuple[K, str]]) -> list[K]:
    """Of the open orders ``(key, family)``, the keys a discharge stops: all but naloxone
    kits, which may be given at discharge (issue 14 rule 2). Order kept."""
    return [key for key, family in open_orders if family not in NO_EPISODE_EXEMPT_FAMILIES]


def discharge_stop_reason(discharge_reason: str) -> str:
    """The stop reason written on each order a discharge stops."""
    words = {
        "death": "death",
        "incarcerated": "incarceration",
        "transferred": "transfer to another program",
    }.get(discharge_reason, discharge_reason.replace("_", " ") or "discharge")
    return f"Stopped by discharge ({words})."


@dataclass(frozen=True)
class Transfer:
    """A documented transfer: the person continues buprenorphine from another prescriber.
    ``treated_since`` (optional) is when that treatment began."""

    last_dose_on: dt.date
    treated_since: dt.date | None = None


def transfer_is_current(
    transfer: Transfer | None, on: dt.date, limits: DosingLimits = DEFAULT_LIMITS
) -> bool:
    """A documented transfer counts when its last dose was at most
    ``buprenorphine_transfer_max_days`` (3) days before ``on`` and not after it. Our choice,
    flagged as practice: after 3 days without a dose Waypoint already asks a prescriber to
    reassess (domain facts §5), and after longer a full agonist may occupy the receptors
    again, so a standard induction with a COWS is the safe path."""
    if transfer is None:
        return False
    return 0 <= (on - transfer.last_dose_on).days <= limits.buprenorphine_transfer_max_days


def buprenorphine_first_dose(
    *,
    ever_dosed: bool,
    induction: str,
    cows: Iterable[tuple[dt.datetime, int]],
    at: dt.datetime,
    on: dt.date,
    transfer: Transfer | None = None,
    limits: DosingLimits = DEFAULT_LIMITS,
) -> Refusal | None:
    """A person's first buprenorphine dose ever (any form, any order: ``ever_dosed`` is
    False) needs, whatever the order's induction kind — an order with no induction kind is
    no way around it (issue 14 rule 5; domain facts §5):
    - an explicit low-dose ("micro-") induction on the order (``induction == "low_dose"``), or
    - a documented transfer whose last dose is recent (``transfer_is_current``), or
    - a COWS of at least ``induction_cows_min`` (8) in the ``induction_cows_window_hours``
      (2) before ``at`` (``induction_withdrawal``).
    ``on`` is the site-local day of ``at``."""
    if ever_dosed or induction == "low_dose" or transfer_is_current(transfer, on, limits):
        return None
    refusal = induction_withdrawal(cows, at, limits)
    if refusal is not None and transfer is not None:
        when = (
            "is after today"
            if transfer.last_dose_on > on
            else f"is more than {limits.buprenorphine_transfer_max_days} days before today"
        )
        return Refusal(
            refusal.code,
            f"{refusal.message} The documented transfer's last buprenorphine dose "
            f"({transfer.last_dose_on.isoformat()}) {when}, so it does not replace the "
            "induction.",
            refusal.status,
        )
    return refusal


def last_use_by_kind(
    last_use_on: dt.date | None, kind: str | None
) -> tuple[dt.date | None, dt.date | None]:
    """The last opioid use as ``(last_short_acting, last_long_acting)`` for
    ``opioid_free_period``. When the kind is not given the long-acting washout applies
    (``naltrexone_free_days_long_acting``, 10 days), never the shorter one: an unknown
    opioid may be methadone or buprenorphine (domain facts §5; issue 14 rule 7). A longer
    wait (14 days after a methadone taper) stays the prescriber's choice."""
    if last_use_on is None:
        return None, None
    if kind == "short_acting":
        return last_use_on, None
    return None, last_use_on


def lofexidine_rolling(
    dose_mg: Decimal,
    others: Sequence[tuple[dt.datetime, Decimal]],
    at: dt.datetime,
    limits: DosingLimits = DEFAULT_LIMITS,
) -> Refusal | None:
    """A lofexidine dose against the label's limits in *any* 24 hours, across midnight
    (Lucemyra label: at most 0.72 mg a dose, 2.88 mg a day, doses 5-6 hours apart; issue 14
    rule 8). ``others`` are the person's other lofexidine doses (any day; those more than a
    window away do not matter). Every 24-hour window that contains this dose must total at
    most ``lofexidine_max_day_mg`` — checking the windows that start at a dose is enough,
    because a window's total only changes at a dose. Windows are half-open, so two doses
    exactly 24 hours apart share none. The nearest other dose, before or
    after (a dose recorded late), must be at least ``lofexidine_min_hours_between`` away.

    (An earlier rule counted the doses of the local calendar day only.)"""
    if dose_mg > limits.lofexidine_max_dose_mg:
        return Refusal(
            "dose_out_of_range",
            f"Lofexidine is at most {_mg(limits.lofexidine_max_dose_mg)} mg a dose.",
            422,
        )
    window = dt.timedelta(hours=limits.lofexidine_window_hours)
    doses = [(t, mg) for t, mg in others if abs(t - at) < window] + [(at, dose_mg)]
    worst, worst_start = D(0), at
    for start, _ in doses:
        if not (at - window < start <= at):
            continue
        total = sum((mg for t, mg in doses if start <= t < start + window), D(0))
        if total > worst:
            worst, worst_start = total, start
    if worst > limits.lofexidine_max_day_mg:
        return Refusal(
            "daily_limit_exceeded",
            f"{_mg(worst)} mg of lofexidine within {limits.lofexidine_window_hours} hours "
            f"(from {worst_start.isoformat(timespec='minutes')}) would pass the "
            f"{_mg(limits.lofexidine_max_day_mg)} mg maximum in any "
            f"{limits.lofexidine_window_hours} hours.",
        )
    near = [abs(t - at) for t, _ in others if abs(t - at) < window]
    if near:
        gap = min(near)
        if gap < dt.timedelta(hours=limits.lofexidine_min_hours_between):
            return Refusal(
                "dose_too_soon",
                f"Another lofexidine dose is {gap.total_seconds() / 3600:.1f} hours away; "
                f"doses are at least {limits.lofexidine_min_hours_between} hours apart.",
            )
    return None


@dataclass(frozen=True)
class VitalSigns:
    """Vital signs recorded at the window: blood pressure (both numbers) and/or pulse."""

    at: dt.datetime
    systolic: int | None = None
    diastolic: int | None = None
    pulse: int | None = None


def lofexidine_vitals_hold(
    vitals: Iterable[VitalSigns], at: dt.datetime, limits: DosingLimits = DEFAULT_LIMITS
) -> Refusal | None:
    """Hold a lofexidine dose when the last recorded blood pressure is below 90/60 (systolic
    below ``lofexidine_hold_systolic_below`` or diastolic below
    ``lofexidine_hold_diastolic_below``) or the last recorded pulse below
    ``lofexidine_hold_pulse_below`` (55). Source: Lucemyra label (hypotension and
    bradycardia: reduce, delay or skip the next dose); the numbers are the issue's, practice
    and settings.

    A reading counts if taken in the ``lofexidine_vitals_valid_hours`` (24) before ``at``
    (our choice, flagged: a low reading holds until a newer normal one is recorded). The
    blood pressure and the pulse are judged each by its own latest reading; with none
    recorded there is nothing to hold on (vital signs are optional at the window)."""
    since = at - dt.timedelta(hours=limits.lofexidine_vitals_valid_hours)
    recent = sorted((v for v in vitals if since <= v.at <= at), key=lambda v: v.at)
    bp = [
        (v.at, v.systolic, v.diastolic)
        for v in recent
        if v.systolic is not None and v.diastolic is not None
    ]
    pulse = [(v.at, v.pulse) for v in recent if v.pulse is not None]
    why = []
    if bp:
        when, systolic, diastolic = bp[-1]
        if (
            systolic < limits.lofexidine_hold_systolic_below
            or diastolic < limits.lofexidine_hold_diastolic_below
        ):
            why.append(
                f"blood pressure {systolic}/{diastolic} at {when.isoformat(timespec='minutes')} "
                f"(hold below {limits.lofexidine_hold_systolic_below}/"
                f"{limits.lofexidine_hold_diastolic_below})"
            )
    if pulse:
        when, beats = pulse[-1]
        if beats < limits.lofexidine_hold_pulse_below:
            why.append(
                f"pulse {beats} at {when.isoformat(timespec='minutes')} (hold below "
                f"{limits.lofexidine_hold_pulse_below})"
            )
    if not why:
        return None
    return Refusal(
        "blood_pressure_or_pulse_too_low",
        "Hold lofexidine: " + "; ".join(why) + ". Record new vital signs when they recover, "
        "or ask the prescriber to reduce or skip the dose.",
    )
