"""Rules the prescriber meets while writing or changing an order: methadone titration, the
QTc acknowledgement above 100 mg, conflicting opioid medications, the washout before
naltrexone and the blockade after it. Each returns ``None``, a ``Refusal`` (stable code,
a sentence) or a warning sentence; every number is a ``DosingLimits`` field (an
organization setting) whose default names its source there.

Sources (issue 14 rules 3 and 4; domain facts §5):
- SAMHSA TIP 63, Medications for Opioid Use Disorder (2021), Part 3, methadone dose
  stabilization: increases of about 5-10 mg no more often than every 3-5 days.
- Krantz MJ et al., QTc interval screening in methadone treatment, Ann Intern Med
  2009;150:387-95, and the methadone label (QT prolongation): an ECG before treatment, at
  30 days, yearly, and when the dose passes 100 mg a day.
- Agonists together: methadone (full agonist) and buprenorphine (partial agonist) are never
  both open-ended — starting buprenorphine on top of methadone precipitates withdrawal, and
  the reverse stacks two opioids (ASAM National Practice Guideline 2020, switching between
  medications). Naltrexone (any form) blocks both and precipitates withdrawal in someone
  on an agonist (Vivitrol label; ASAM 2020): refused while an agonist order is open, and
  within the long-acting washout after the last agonist.
- Extended-release naltrexone blocks opioids for about 4 weeks (Vivitrol label: every
  4 weeks): an agonist ordered within 28 days after an injection warns (blockade).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .dosing import DEFAULT_LIMITS, DosingLimits, Refusal, _mg

# Which opioid-treatment class a medication family belongs to. Extended-release
# buprenorphine and the implant *are* buprenorphine here: they occupy the same receptors
# as the sublingual forms, so they conflict with methadone and naltrexone like them.
OPIOID_CLASS: dict[str, str] = {
    "methadone": "methadone",
    "buprenorphine": "buprenorphine",
    "buprenorphine_extended_release": "buprenorphine",
    "buprenorphine_implant": "buprenorphine",
    "naltrexone_extended_release": "naltrexone",
    "naltrexone": "naltrexone",
}
AGONIST_CLASSES = frozenset({"methadone", "buprenorphine"})


def opioid_class(family: str) -> str | None:
    """``methadone``, ``buprenorphine`` or ``naltrexone`` (any form); None for the others
    (lofexidine, naloxone), which conflict with nothing here."""
    if family in OPIOID_CLASS:
        return OPIOID_CLASS[family]
    if family.startswith("naltrexone"):
        return "naltrexone"
    return None


# --- titration -------------------------------------------------------------------------
def methadone_titration(
    *,
    current_mg: Decimal,
    new_mg: Decimal,
    on: dt.date,
    last_increase_on: dt.date | None,
    reason: str = "",
    limits: DosingLimits = DEFAULT_LIMITS,
) -> Refusal | None:
    """A methadone dose change. Decreases (and no change) are always allowed. An increase
    of more than ``methadone_max_increase_mg`` (10 mg) in one step, or sooner than
    ``methadone_min_days_between_increases`` (3) days after the last increase
    (``last_increase_on``), is refused without a documented prescriber ``reason``
    (TIP 63; issue 14 rule 3). 3 days after the last increase is allowed; 2 is not."""
    if new_mg <= current_mg:
        return None
    step = new_mg - current_mg
    problems = []
    if step > limits.methadone_max_increase_mg:
        problems.append(
            f"a step of {_mg(step)} mg is above {_mg(limits.methadone_max_increase_mg)} mg"
        )
    if last_increase_on is not None:
        days = (on - last_increase_on).days
        if days < limits.methadone_min_days_between_increases:
            problems.append(
                f"the last increase was {max(days, 0)} day(s) ago "
                f"({last_increase_on.isoformat()}), sooner than every "
                f"{limits.methadone_min_days_between_increases} days"
            )
    if not problems or (reason or "").strip():
        return None
    return Refusal(
        "titration_limit",
        f"Methadone {_mg(current_mg)} → {_mg(new_mg)} mg: " + "; ".join(problems) + ". "
        "Methadone accumulates over days; give the prescriber's documented reason to go "
        "faster.",
    )


def methadone_qtc_warning(
    new_mg: Decimal,
    *,
    current_mg: Decimal | None = None,
    limits: DosingLimits = DEFAULT_LIMITS,
) -> str | None:
    """A warning (never a refusal once acknowledged) for a methadone order above
    ``methadone_qtc_warning_above_mg`` (100 mg a day): check the ECG (QTc). A decrease
    (``new_mg`` below ``current_mg``) needs no acknowledgement: it lowers the risk. Source:
    Krantz et al. 2009; methadone label."""
    if new_mg <= limits.methadone_qtc_warning_above_mg:
        return None
    if current_mg is not None and new_mg < current_mg:
        return None
    return (
        f"Methadone {_mg(new_mg)} mg is above {_mg(limits.methadone_qtc_warning_above_mg)} mg "
        "a day, where QTc prolongation and torsades de pointes are more likely: check a "
        "recent ECG (QTc) and other QT-prolonging drugs."
    )


def acknowledgement(
    warning: str | None, acknowledged: bool, code: str, field: str
) -> Refusal | None:
    """A warning the prescriber must confirm (as ``high_dose_not_acknowledged`` for
    buprenorphine above 24 mg): without ``acknowledged`` it is refused with ``code``,
    telling which field confirms it. Codes: ``qtc_not_acknowledged``
    (``methadone_qtc_warning``), ``blockade_not_acknowledged``
    (``naltrexone_blockade_warning``)."""
    if warning is None or acknowledged:
        return None
    return Refusal(code, f"{warning} Acknowledge the warning ({field}) to order it.")


# --- conflicting medications -------------------------------------------------------------
@dataclass(frozen=True)
class OrderSpan:
    """An order's medication family and its planned days (``stop`` None: open-ended)."""

    family: str
    start: dt.date
    stop: dt.date | None = None
    label: str = ""


def _overlap(a: OrderSpan, b: OrderSpan) -> bool:
    """Both run on some day, a planned switch aside: an order whose stop date is no later
    than the other's start does not overlap it (issue 14 rule 4)."""
    a_before_b = a.stop is not None and a.stop <= b.start
    b_before_a = b.stop is not None and b.stop <= a.start
    return not (a_before_b or b_before_a)


def conflicting_medication(new: OrderSpan, existing: Iterable[OrderSpan]) -> Refusal | None:
    """A new order against the person's open (not stopped) orders. Refused
    (``conflicting_medication``) when it would run alongside an order of another class of
    ``methadone``, ``buprenorphine`` (sublingual, extended-release or implant), or
    ``naltrexone`` (any form) — unless one has a stop date no later than the other's start
    (a planned switch). Two orders of one class are ``order_already_active``'s business
    (and supplemental buprenorphine with an injection or implant is allowed). Source: ASAM
    2020; Vivitrol label; issue 14 rule 4."""
    mine = opioid_class(new.family)
    if mine is None:
        return None
    for old in existing:
        theirs = opioid_class(old.family)
        if theirs is None or theirs == mine or not _overlap(new, old):
            continue
        what = old.label or old.family.replace("_", " ")
        since = old.start.isoformat()
        if "naltrexone" in (mine, theirs):
            why = (
                "naltrexone blocks opioid agonists and precipitates withdrawal in someone "
                "taking them"
            )
        else:
            why = "methadone and buprenorphine are never both open-ended"
        return Refusal(
            "conflicting_medication",
            f"An open {what} order (from {since}"
            + (f" to {old.stop.isoformat()}" if old.stop else ", no stop date")
            + f") conflicts: {why}. For a planned switch give it a stop date on or before "
            f"{new.start.isoformat()}, or stop it first.",
        )
    return None


def naltrexone_washout(
    start: dt.date, last_agonist_on: dt.date | None, limits: DosingLimits = DEFAULT_LIMITS
) -> Refusal | None:
    """A naltrexone order (any form) starting within the long-acting washout after the last
    day an agonist covered — a methadone or buprenorphine dose or take-home day, or the last
    day of an extended-release buprenorphine injection's interval
    (``injectables.er_cover_until``) — is refused (``opioid_free_period_not_met``):
    ``naltrexone_free_days_long_acting`` (10) days, domain facts §5; issue 14 rule 4."""
    if last_agonist_on is None:
        return None
    days = (start - last_agonist_on).days
    need = limits.naltrexone_free_days_long_acting
    if days >= need:
        return None
    return Refusal(
        "opioid_free_period_not_met",
        f"The last methadone or buprenorphine was {max(days, 0)} day(s) before the start "
        f"({last_agonist_on.isoformat()}); naltrexone needs {need} opioid-free days (from "
        f"{(last_agonist_on + dt.timedelta(need)).isoformat()}).",
    )


def naltrexone_blockade_warning(
    start: dt.date,
    last_naltrexone_injection_on: dt.date | None,
    limits: DosingLimits = DEFAULT_LIMITS,
) -> str | None:
    """A warning for an agonist (methadone or buprenorphine) order starting within
    ``naltrexone_blockade_days`` (28) after an extended-release naltrexone injection: the
    blockade may leave the agonist without effect, and overriding it with more opioid risks
    overdose (Vivitrol label). Day 27 after the injection warns; day 28 does not."""
    if last_naltrexone_injection_on is None:
        return None
    days = (start - last_naltrexone_injection_on).days
    if days >= limits.naltrexone_blockade_days:
        return None
    return (
        f"Extended-release naltrexone was injected {max(days, 0)} day(s) before the start "
        f"({last_naltrexone_injection_on.isoformat()}): its blockade lasts about "
        f"{limits.naltrexone_blockade_days} days, so the agonist may not work, and more "
        "opioid to overcome it risks an overdose."
    )
