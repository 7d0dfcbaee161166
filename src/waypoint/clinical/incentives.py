"""Contingency management: what each test under a plan earns.

Source: domain facts §7 (Waypoint's default, a Higgins-style escalating voucher schedule;
Higgins et al., Arch Gen Psychiatry 1994; every number a setting):
- the first negative test earns $2.50; each further consecutive negative earns $1.25 more
  than the one before;
- every third consecutive negative earns a $10.00 bonus on top;
- a positive test (any target analyte) or a missed scheduled test earns nothing and resets
  the next value to $2.50;
- optional, off by default: after a reset, a run of 5 consecutive negatives restores the
  value reached before the reset (the original Higgins 1994 schedule);
- the prize-draw ("fishbowl", Petry et al. 2000) variant gives draws instead of amounts:
  here 1 draw for the first negative and one more for each consecutive negative (at most
  ``draws_max``), reset like the voucher value; each draw picks a slip from the bowl
  (default bowl of 500 slips: 250 "good job" with no prize, 209 small $1, 40 large $20,
  1 jumbo $100 — Petry's published proportions);
- SAMHSA (January 2025): at most $750 per patient in a rolling 12 months; an award that
  would pass the cap is cut to fit and says so. Never cash.
- Fidelity (Petry 2000; Higgins et al. 1994; issue 14 rule 12): at most one award per day
  per plan — the first test of a day that counts (negative or positive) is the day's test;
  a later negative the same day earns nothing, does not lengthen the streak, and its note
  says why; a later positive the same day still resets (use found is never ignored).
  Prize-draw plans get draws only, never the voucher schedule's fixed bonus (the bonus is
  part of the escalating voucher schedule; Petry's prize reinforcement escalates the number
  of draws instead).

Outcomes: ``negative``, ``positive``, ``missed`` (resets like a positive) and ``incomplete``
(a test whose target analytes were not all tested: it neither earns nor resets).

Everything here is a pure function of the ordered events: replaying the same events gives
the same awards, so a corrected test result can be re-applied from the point it changes.
Prize draws take their randomness from a seed per event, so a replay draws the same slips.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

OUTCOMES = ("negative", "positive", "missed", "incomplete")
SCHEDULE_TYPES = ("escalating", "prize_draw")


@dataclass(frozen=True)
class Prize:
    name: str
    cents: int
    slips: int


DEFAULT_BOWL: tuple[Prize, ...] = (
    Prize("good job", 0, 250),
    Prize("small", 100, 209),
    Prize("large", 2000, 40),
    Prize("jumbo", 10000, 1),
)


@dataclass(frozen=True)
class IncentiveSettings:
    first_cents: int = 250
    step_cents: int = 125
    bonus_every: int = 3
    bonus_cents: int = 1000
    restore_after: int = 0  # 0: off; 5 restores the pre-reset value (Higgins 1994)
    cap_cents: int = 75000
    cap_window_days: int = 365
    draws_first: int = 1
    draws_step: int = 1
    draws_max: int = 10
    bowl: tuple[Prize, ...] = DEFAULT_BOWL


DEFAULT = IncentiveSettings()


@dataclass(frozen=True)
class Event:
    key: str  # stable id of what happened (a test, a missed scheduled test)
    on: dt.date  # the day it counts for (the cap's rolling window)
    outcome: str  # one of OUTCOMES


@dataclass(frozen=True)
class Award:
    key: str
    outcome: str
    streak: int  # consecutive negatives including this one (0 after a reset)
    value_cents: int  # the escalating value (or prize total) before the bonus and the cap
    bonus_cents: int
    cents: int  # what is credited: value + bonus, cut to the cap
    cut_cents: int  # how much the cap took off
    draws: tuple[str, ...] = field(default_factory=tuple)  # prize-draw slips drawn
    note: str = ""


def _value(n: int, s: IncentiveSettings) -> int:
    """The escalating value of the n-th step (1-based) of a run."""
    return s.first_cents + (n - 1) * s.step_cents


def _draw(seed: str, k: int, s: IncentiveSettings) -> Prize:
    total = sum(p.slips for p in s.bowl)
    digest = hashlib.sha256(f"{seed}:{k}".encode()).digest()
    pick = random.Random(digest).randrange(total)  # noqa: S311 (a game, not a secret)
    for prize in s.bowl:
        if pick < prize.slips:
            return prize
        pick -= prize.slips
    raise AssertionError("unreachable")


def schedule(
    events: Sequence[Event],
    schedule_type: str = "escalating",
    settings: IncentiveSettings = DEFAULT,
    earned_before: Sequence[tuple[dt.date, int]] = (),
    seed: str = "",
) -> list[Award]:
    """The award of each event, in order. ``earned_before`` are credits outside these
    events (other plans of the person) that count toward the rolling cap."""
    if schedule_type not in SCHEDULE_TYPES:
        raise ValueError(f"unknown schedule type {schedule_type!r}")
    s = settings
    awards: list[Award] = []
    credits: list[tuple[dt.date, int]] = list(earned_before)
    step = 0  # the step of the current run of negatives (1 = first negative)
    streak = 0  # consecutive negatives
    before_reset = 0  # the step reached when the last reset happened
    restore_run = 0  # negatives since that reset
    scored_days: set[dt.date] = set()  # days whose test already counted (one award a day)
    for ev in events:
        if ev.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {ev.outcome!r}")
        if ev.outcome == "incomplete":
            awards.append(
                Award(
                    ev.key,
                    ev.outcome,
                    streak,
                    0,
                    0,
                    0,
                    0,
                    (),
                    "Not every target was tested: nothing earned, nothing reset.",
                )
            )
            continue
        if ev.outcome == "negative" and ev.on in scored_days:
            awards.append(
                Award(
                    ev.key,
                    ev.outcome,
                    streak,
                    0,
                    0,
                    0,
                    0,
                    (),
                    f"Another test already counted on {ev.on.isoformat()}: at most one award "
                    "a day per plan, so this one earns nothing and the streak stays.",
                )
            )
            continue
        if ev.outcome != "missed":
            scored_days.add(ev.on)
        if ev.outcome in ("positive", "missed"):
            if step:
                before_reset = step
            step = streak = restore_run = 0
            what = "Positive for a target" if ev.outcome == "positive" else "Missed test"
            awards.append(
                Award(ev.key, ev.outcome, 0, 0, 0, 0, 0, (), f"{what}: nothing earned; reset.")
            )
            continue
        streak += 1
        step += 1
        note = ""
        if s.restore_after and before_reset:
            restore_run += 1
            if restore_run >= s.restore_after and step < before_reset:
                step = before_reset
                note = f"{s.restore_after} negatives in a row since the reset: value restored. "
                before_reset = 0
        draws: tuple[str, ...] = ()
        if schedule_type == "escalating":
            value = _value(step, s)
        else:
            n = min(s.draws_max, s.draws_first + (step - 1) * s.draws_step)
            prizes = [_draw(f"{seed}:{ev.key}", k, s) for k in range(n)]
            draws = tuple(p.name for p in prizes)
            value = sum(p.cents for p in prizes)
        bonus = (
            s.bonus_cents
            if schedule_type == "escalating" and s.bonus_every and streak % s.bonus_every == 0
            else 0
        )
        wanted = value + bonus
        window_start = ev.on - dt.timedelta(days=s.cap_window_days - 1)
        earned = sum(c for d, c in credits if window_start <= d <= ev.on)
        room = max(0, s.cap_cents - earned)
        cents = min(wanted, room)
        cut = wanted - cents
        if cut:
            note += (
                f"Cut by {cut / 100:.2f} to stay within the {s.cap_cents / 100:.2f} cap "
                f"of {s.cap_window_days} days."
            )
        credits.append((ev.on, cents))
        awards.append(
            Award(ev.key, ev.outcome, streak, value, bonus, cents, cut, draws, note.strip())
        )
    return awards


def earned_in_window(
    credits: Sequence[tuple[dt.date, int]], on: dt.date, settings: IncentiveSettings = DEFAULT
) -> int:
    """Credits within the rolling cap window ending on ``on``."""
    start = on - dt.timedelta(days=settings.cap_window_days - 1)
    return sum(c for d, c in credits if start <= d <= on)
