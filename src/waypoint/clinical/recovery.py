"""Rules of life after discharge: lost tolerance and overdose risk, days of abstinence,
outreach due times, the check-in's PHQ-2, and who is due a naloxone kit.

Sources:
- domain facts §8: after a period of abstinence (withdrawal management, a residential
  stay, incarceration, a hospital stay) tolerance falls and a once-usual dose can kill:
  flag overdose risk, give naloxone, re-engage quickly. SAMHSA TIP 63 (Medications for
  Opioid Use Disorder, 2021), part 3, "loss of tolerance"; SAMHSA Opioid Overdose
  Prevention Toolkit (2018): naloxone for everyone at risk, at discharge and after use.
- the contract ("Recovery, aftercare and overdose prevention"): a return to use or an
  overdose raises ``overdose_risk`` when it follows a discharge from withdrawal management
  or residential care, a release, or 7+ days of abstinence by drug tests or check-ins (a
  setting); the outreach task is due within 24 h after an overdose, 72 h after a return
  to use, 1 h when a check-in asks for help. A hospital discharge counts as a release
  here: domain.md names a hospital stay among the periods of abstinence.
- PHQ-2: Kroenke K, Spitzer RL, Williams JB. Med Care 2003;41:1284-92 — two items scored
  0-3, total 0-6; 3 or more is a positive screen (go on to the PHQ-9).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

# The levels whose discharge leaves a person without the tolerance they came in with.
ABSTINENT_LEVELS = ("withdrawal_management", "residential")
# Events after which a person has been kept from using (recovery event kinds).
RELEASE_KINDS = ("release_from_incarceration", "hospital_discharge")
# Events that are a use of opioids (recovery event kinds).
USE_KINDS = ("return_to_use", "overdose")
DEFAULT_ABSTINENCE_DAYS = 7  # the contract's number (a setting)
# The setting's bounds (our choice): a day at least; beyond 90 days nearly no return to use
# after weeks without opioids would be flagged, which is the opposite of the rule's intent.
ABSTINENCE_DAYS_MIN = 1
ABSTINENCE_DAYS_MAX = 90

OUTREACH_DUE = {
    "need_help": dt.timedelta(hours=1),
    "overdose": dt.timedelta(hours=24),
    "return_to_use": dt.timedelta(hours=72),
}

# What a person used, as a recovery event records it: the drug-test panel's words grouped
# the way people say them (a short list, not the test's analytes: "heroin" is what a
# person reports, "opiates" what a cup reads).
SUBSTANCES = {
    "fentanyl": "Fentanyl (or fentanyl-contaminated drugs)",
    "heroin": "Heroin",
    "other_opioids": "Other opioids (pills: oxycodone, hydrocodone, …)",
    "methadone_bup_not_prescribed": "Methadone or buprenorphine not prescribed",
    "xylazine": "Xylazine",
    "stimulants": "Stimulants (cocaine, methamphetamine)",
    "benzodiazepines": "Benzodiazepines",
    "alcohol": "Alcohol",
    "cannabis": "Cannabis",
    "other": "Other",
}

PHQ2_POSITIVE = 3
CRAVING_MAX = 10
PHQ2_ITEM_MAX = 3
NALOXONE_MONTHS = 12

_PERIOD_WORDS = {
    "withdrawal_management": "discharge from withdrawal management",
    "residential": "discharge from residential care",
    "release_from_incarceration": "release from incarceration",
    "hospital_discharge": "hospital discharge",
}


@dataclass(frozen=True)
class PeriodEnd:
    """The end of a period without use: a discharge (``kind`` is the level left, one of
    ``ABSTINENT_LEVELS``) or a recovery event (``kind`` one of ``RELEASE_KINDS``)."""

    kind: str
    on: dt.date


@dataclass(frozen=True)
class ToleranceDecision:
    lost: bool
    reason: str  # why, in words ("" when not lost)


def last_use(uses: Iterable[dt.date], before: dt.date | None = None) -> dt.date | None:
    """The latest day of use (a return to use, an overdose, a positive test, the day a
    check-in's "days since use" points to), strictly before ``before`` when given."""
    days = [d for d in uses if before is None or d < before]
    return max(days) if days else None


def documented_abstinence(
    uses: Iterable[dt.date], abstinent_on: Iterable[dt.date], before: dt.date
) -> int:
    """Days without use that tests or check-ins show, counted up to ``before`` (exclusive):
    from the last use before it (or, with no use known, the first sign of abstinence) to
    the latest sign of abstinence (a negative test, a check-in reporting no use) after
    that use. 0 when nothing shows abstinence."""
    start = last_use(uses, before)
    signs = [d for d in abstinent_on if d < before and (start is None or d > start)]
    if not signs:
        return 0
    return (max(signs) - (start if start is not None else min(signs))).days


def lost_tolerance(
    kind: str,
    on: dt.date,
    *,
    uses: Iterable[dt.date],
    abstinent_on: Iterable[dt.date],
    period_ends: Iterable[PeriodEnd],
    abstinence_days: int = DEFAULT_ABSTINENCE_DAYS,
) -> ToleranceDecision:
    """Whether a return to use or an overdose on ``on`` follows a period of lost
    tolerance: a period without use ended (discharge from withdrawal management or
    residential care, a release from incarceration, a hospital discharge) on or before
    ``on`` with no use recorded between its end and ``on``; or ``abstinence_days`` or more
    days of abstinence shown by tests or check-ins before ``on``. ``uses`` are the days
    of use known before this one (this event itself is not among them)."""
    if kind not in USE_KINDS:
        return ToleranceDecision(False, "")
    uses = list(uses)
    previous = last_use(uses, on)
    ends = [
        p
        for p in period_ends
        if p.on <= on
        and (p.kind in ABSTINENT_LEVELS or p.kind in RELEASE_KINDS)
        and (previous is None or p.on >= previous)
    ]
    what = "overdose" if kind == "overdose" else "return to use"
    if ends:
        end = max(ends, key=lambda p: p.on)
        return ToleranceDecision(
            True,
            f"{what} on {on.isoformat()} after {_PERIOD_WORDS[end.kind]} on "
            f"{end.on.isoformat()}: tolerance has fallen",
        )
    days = documented_abstinence(uses, abstinent_on, on)
    if days >= abstinence_days:
        return ToleranceDecision(
            True,
            f"{what} on {on.isoformat()} after {days} days of abstinence: tolerance has fallen",
        )
    return ToleranceDecision(False, "")


def days_abstinent(last_use_on: dt.date | None, today: dt.date) -> int | None:
    """Days since the last known use (0 on the day of use); ``None`` when no use is known.
    A positive test or a return to use is a use, so it starts the count again."""
    if last_use_on is None:
        return None
    return max((today - last_use_on).days, 0)


def check_in_use_day(submitted_on: dt.date, days_since_use: int | None) -> dt.date | None:
    """The day of use a check-in reports ("days since use" counted back from the day it
    was answered); ``None`` when the person did not say."""
    if days_since_use is None:
        return None
    return submitted_on - dt.timedelta(days=days_since_use)


@dataclass(frozen=True)
class Phq2:
    total: int
    positive: bool  # 3 or more: suggest a PHQ-9


def phq2(q1: int, q2: int) -> Phq2:
    """Score the PHQ-2 (each item 0-3). Raises ValueError for an item out of range."""
    for name, value in (("phq2_q1", q1), ("phq2_q2", q2)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3:
            raise ValueError(f"{name} must be a whole number from 0 to 3")
    total = q1 + q2
    return Phq2(total, total >= PHQ2_POSITIVE)


def outreach_due(reason: str) -> dt.timedelta:
    """How soon an outreach task opened for ``reason`` is due (KeyError for a reason
    without a rule: the caller chooses a due time)."""
    return OUTREACH_DUE[reason]


def _add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later (the month's last day when it has no
    such day: 29 February plus 12 months is 28 February)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def naloxone_due(last_kit_on: dt.date | None, today: dt.date) -> bool:
    """Whether a person with an opioid use disorder is due a naloxone kit: none given, or
    the last one 12 calendar months ago or longer (a kit given on 2026-03-01 covers the
    person through 2027-02-28; on 2027-03-01 they are due again)."""
    if last_kit_on is None:
        return True
    return today >= _add_months(last_kit_on, NALOXONE_MONTHS)
