"""Injectables and the implant: which product an extended-release buprenorphine order is,
each product's minimum interval, the prerequisite of a first extended-release buprenorphine
injection, and the 6-month buprenorphine implant (eligibility, removal due, no daily
buprenorphine while it is in place unless supplemental doses are ordered).

Sources (issue 14 rules 6 and 14; domain facts §5); every number is a ``DosingLimits``
field (an organization setting) whose default names its source there:
- Sublocade (buprenorphine extended-release, monthly 300 mg then 100 mg) label, revised
  02/2025: injections at least 26 days apart; start after a single 4 mg transmucosal
  buprenorphine dose and 1 hour of observation, or after at least 7 days of transmucosal
  buprenorphine.
- Brixadi (buprenorphine extended-release, weekly 8/16/24/32 mg, monthly 64/96/128 mg)
  label: a weekly dose may be given up to 2 days before or after its day, a monthly dose up
  to 1 week; for someone not on buprenorphine, a 4 mg transmucosal test dose first; someone
  on transmucosal buprenorphine switches directly.
- Vivitrol (naltrexone extended-release 380 mg every 4 weeks) label; the 21-day minimum is
  the issue's (practice).
- Probuphine (buprenorphine implant, four rods for 6 months) label: for people clinically
  stable on at most 8 mg a day of transmucosal buprenorphine (e.g. 3 months or more without
  adjustment); removed by the end of the sixth month; one insertion in each upper arm;
  supplemental transmucosal doses only when the prescriber orders them. Its US maker stopped
  selling it in 2020: an organization may switch it off (``medications.offered``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .dosing import (
    DEFAULT_LIMITS,
    DosingLimits,
    Refusal,
    Transfer,
    _mg,
    injection_interval,
    transfer_is_current,
)

D = Decimal

# product -> (schedule, strengths in mg)
ER_BUPRENORPHINE_PRODUCTS: dict[str, tuple[str, frozenset[Decimal]]] = {
    "sublocade": ("monthly", frozenset({D("100"), D("300")})),
    "brixadi_weekly": ("weekly", frozenset({D("8"), D("16"), D("24"), D("32")})),
    "brixadi_monthly": ("monthly", frozenset({D("64"), D("96"), D("128")})),
}
PRODUCT_LABELS = {
    "sublocade": "Sublocade (monthly)",
    "brixadi_weekly": "Brixadi weekly",
    "brixadi_monthly": "Brixadi monthly",
    "naltrexone_extended_release": "Extended-release naltrexone",
}
# How many days one injection is meant to cover (the schedule), for the washout before
# naltrexone: weekly 7, monthly 28 (the catalogue's schedules).
COVER_DAYS = {"sublocade": 28, "brixadi_weekly": 7, "brixadi_monthly": 28}


def er_buprenorphine_product(dose_mg: Decimal, schedule: str) -> str | None:
    """The extended-release buprenorphine product an order's dose and schedule name (the
    strengths of the three products do not overlap), or None when they fit none."""
    for product, (sched, strengths) in ER_BUPRENORPHINE_PRODUCTS.items():
        if schedule == sched and dose_mg in strengths:
            return product
    return None


def check_er_buprenorphine(dose_mg: Decimal, schedule: str) -> Refusal | None:
    """An extended-release buprenorphine dose must be one of its schedule's products'
    strengths (``dose_out_of_range``, 422): weekly 8/16/24/32 mg (Brixadi), monthly 100 or
    300 mg (Sublocade) or 64/96/128 mg (Brixadi). The catalogue alone accepts 300 mg weekly."""
    if er_buprenorphine_product(dose_mg, schedule) is not None:
        return None
    return Refusal(
        "dose_out_of_range",
        f"{_mg(dose_mg)} mg {schedule} is no extended-release buprenorphine product: weekly "
        "Brixadi is 8, 16, 24 or 32 mg; monthly Sublocade 100 or 300 mg, monthly Brixadi 64, "
        "96 or 128 mg.",
        422,
    )


def injection_min_days(product: str, limits: DosingLimits = DEFAULT_LIMITS) -> int:
    """The minimum days between injections after an injection of ``product``: Sublocade 26,
    Brixadi weekly 5, Brixadi monthly 21, extended-release naltrexone 21 (settings)."""
    return {
        "sublocade": limits.buprenorphine_er_min_days_between,
        "brixadi_weekly": limits.brixadi_weekly_min_days_between,
        "brixadi_monthly": limits.brixadi_monthly_min_days_between,
        "naltrexone_extended_release": limits.naltrexone_er_min_days_between,
    }[product]


def injection_too_soon(
    *,
    last_product: str | None,
    last_on: dt.date | None,
    on: dt.date,
    limits: DosingLimits = DEFAULT_LIMITS,
) -> Refusal | None:
    """An injection on ``on`` after the last injection of the same medication family
    (``last_product`` given ``last_on``): refused (``injection_too_soon``) before the *last*
    product's minimum interval — its depot is what is still releasing (our reading, e.g.
    after a Sublocade injection the next one of any product waits 26 days)."""
    if last_on is None or last_product is None:
        return None
    return injection_interval(last_on, on, injection_min_days(last_product, limits))


def er_cover_until(product: str, injected_on: dt.date) -> dt.date:
    """The last day an extended-release buprenorphine injection is meant to cover (its
    schedule: 7 or 28 days, the injection day included) — for the washout before
    naltrexone (``orders.naltrexone_washout``). Our reading; the labels give no washout."""
    return injected_on + dt.timedelta(days=COVER_DAYS[product] - 1)


@dataclass(frozen=True)
class TransmucosalDose:
    """A sublingual or buccal buprenorphine dose given at the clinic."""

    at: dt.datetime
    mg: Decimal


def _longest_recent_run(days: Iterable[dt.date], on: dt.date, recent: int) -> int:
    """Length of the run of consecutive covered days that ends on the last covered day on or
    before ``on``, when that day is at most ``recent`` days before ``on``; else 0."""
    past = sorted({d for d in days if d <= on}, reverse=True)
    if not past or (on - past[0]).days > recent:
        return 0
    run = 1
    for a, b in zip(past, past[1:], strict=False):
        if (a - b).days != 1:
            break
        run += 1
    return run


def er_buprenorphine_prerequisite(
    product: str,
    *,
    at: dt.datetime,
    on: dt.date,
    transmucosal_doses: Sequence[TransmucosalDose] = (),
    transmucosal_days: Iterable[dt.date] = (),
    transfer: Transfer | None = None,
    limits: DosingLimits = DEFAULT_LIMITS,
) -> Refusal | None:
    """The person's first extended-release buprenorphine injection (the caller checks it is
    the first) needs transmucosal buprenorphine before it (``no_prior_buprenorphine``):

    - any product: a transmucosal dose of at least ``er_test_dose_min_mg`` (4 mg) given at
      least ``er_test_dose_observation_minutes`` (60) and at most ``er_test_dose_max_hours``
      (24, our choice) before ``at`` (Sublocade 02/2025 rapid start; Brixadi test dose);
    - Brixadi (weekly or monthly): or current buprenorphine treatment — a day covered by a
      transmucosal dose or take-home (``transmucosal_days``) at most
      ``buprenorphine_transfer_max_days`` (3) days before ``on``, or a current documented
      transfer (``dosing.transfer_is_current``);
    - Sublocade: or at least ``sublocade_transmucosal_days`` (7) consecutive covered days
      ending at most 3 days before ``on``, or a current documented transfer whose treatment
      began at least 7 days before ``on``.
    ``on`` is the site-local day of ``at``."""
    lo = at - dt.timedelta(hours=limits.er_test_dose_max_hours)
    hi = at - dt.timedelta(minutes=limits.er_test_dose_observation_minutes)
    if any(d.mg >= limits.er_test_dose_min_mg and lo <= d.at <= hi for d in transmucosal_doses):
        return None
    recent = limits.buprenorphine_transfer_max_days
    covered = list(transmucosal_days)
    current_transfer = transfer_is_current(transfer, on, limits)
    need = limits.sublocade_transmucosal_days
    if product == "sublocade":
        if _longest_recent_run(covered, on, recent) >= need:
            return None
        if (
            current_transfer
            and transfer is not None
            and transfer.treated_since is not None
            and (on - transfer.treated_since).days >= need
        ):
            return None
        other = (
            f"or {need} days in a row of transmucosal buprenorphine (the last at most "
            f"{recent} days ago, or a documented transfer treated for {need} days)"
        )
    else:
        if _longest_recent_run(covered, on, recent) >= 1 or current_transfer:
            return None
        other = (
            f"or current buprenorphine treatment (a dose in the last {recent} days, or a "
            "documented transfer)"
        )
    return Refusal(
        "no_prior_buprenorphine",
        f"{PRODUCT_LABELS.get(product, product)}: the first injection needs transmucosal "
        f"buprenorphine first — a dose of at least {_mg(limits.er_test_dose_min_mg)} mg "
        f"given {limits.er_test_dose_observation_minutes} minutes to "
        f"{limits.er_test_dose_max_hours} hours before, {other}. Without it the injection "
        "may precipitate withdrawal or overdose someone not tolerant.",
    )


# --- the 6-month implant ------------------------------------------------------------------
def implant_eligibility(
    *,
    transmucosal_mg: Decimal | None,
    dose_unchanged_since: dt.date | None,
    on: dt.date,
    prior_insertions: int = 0,
    limits: DosingLimits = DEFAULT_LIMITS,
) -> Refusal | None:
    """An implant insertion on ``on`` (Probuphine label; ``implant_not_eligible``):
    - the person is on transmucosal buprenorphine of at most ``implant_max_transmucosal_mg``
      (8 mg) a day (``transmucosal_mg``; None: not on it — the implant is not for new
      entrants);
    - clinically stable, defined here as that daily dose unchanged (no adjustment, no
      supplemental dose) for at least ``implant_stable_days`` (90) days
      (``dose_unchanged_since``; flagged: the label's example is "3 months or longer", and
      clinical stability is more than a dose — the prescriber judges the rest);
    - fewer than ``implant_max_insertions`` (2) earlier insertions (one in each arm)."""
    problems = []
    if transmucosal_mg is None:
        problems.append("not on transmucosal buprenorphine now (the implant is not for a start)")
    elif transmucosal_mg > limits.implant_max_transmucosal_mg:
        problems.append(
            f"{_mg(transmucosal_mg)} mg a day is above {_mg(limits.implant_max_transmucosal_mg)} mg"
        )
    if transmucosal_mg is not None:
        stable = (on - dose_unchanged_since).days if dose_unchanged_since else 0
        if stable < limits.implant_stable_days:
            problems.append(
                f"the dose has been unchanged for {max(stable, 0)} days, fewer than "
                f"{limits.implant_stable_days}"
            )
    if prior_insertions >= limits.implant_max_insertions:
        problems.append(
            f"{prior_insertions} earlier insertions (at most {limits.implant_max_insertions}, "
            "one in each arm)"
        )
    if not problems:
        return None
    return Refusal(
        "implant_not_eligible",
        "The buprenorphine implant is for people clinically stable on a low transmucosal "
        "dose: " + "; ".join(problems) + ".",
    )


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole calendar months, clamped to the month's last day (31 Aug + 6
    months = 28 or 29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def implant_removal_due(inserted_on: dt.date, limits: DosingLimits = DEFAULT_LIMITS) -> dt.date:
    """The day the implant must be out by: ``implant_months`` (6) calendar months after
    insertion (label: removed by the end of the sixth month)."""
    return add_months(inserted_on, limits.implant_months)


def implant_removal_overdue(
    inserted_on: dt.date, today: dt.date, limits: DosingLimits = DEFAULT_LIMITS
) -> bool:
    """Past the removal day (the due day itself is not yet overdue)."""
    return today > implant_removal_due(inserted_on, limits)


def daily_buprenorphine_with_implant(
    *, implant_in_place: bool, supplemental_ordered: bool
) -> Refusal | None:
    """While an implant is in place, no daily (transmucosal) buprenorphine dose unless the
    prescriber ordered supplemental doses on that order (Probuphine label; issue 14 rule
    14): ``implant_in_place``."""
    if not implant_in_place or supplemental_ordered:
        return None
    return Refusal(
        "implant_in_place",
        "A buprenorphine implant is in place: daily buprenorphine is given only when the "
        "prescriber orders supplemental doses.",
    )
