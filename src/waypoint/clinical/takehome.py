"""Methadone take-home doses: the regulatory ceiling by days in treatment, and the clinical
factors that argue against take-homes now.

Source: 42 CFR 8.12(i) as revised by the 2024 final rule (domain facts §5). Days in
treatment are continuous and the admission day is day 1. Ceiling: days 1-14 at most
**7** take-home doses, from day 15 at most **14**, from day 31 at most **28**. The ceiling is
not an entitlement: the clinician weighs the criteria of §8.12(i)(2) — no active substance
use or other condition that raises risk, regular attendance, no serious behavioral
problems, no recent diversion, a stable home and safe storage, and whether the benefit
outweighs the risk. Waypoint reports the factors it can see in the record (recent positive
test, missed visits, a diversion concern); the prescriber decides. States may be stricter:
the tiers are an organization setting (``TakeHomeLimits``), never looser than the federal
ones (``clinical.federal_limits``).

Issue 14 rule 9: days in treatment count from the start of the current OTP stay with
medication (``otp_days_in_treatment``), and the prescriber's determination answers each
8.12(i)(2) criterion (``DETERMINATION_CRITERIA``, ``check_determination``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from .dosing import Refusal

# (first day of treatment the tier applies from, at most this many take-home doses)
FEDERAL_TIERS: tuple[tuple[int, int], ...] = ((1, 7), (15, 14), (31, 28))


@dataclass(frozen=True)
class TakeHomeLimits:
    tiers: tuple[tuple[int, int], ...] = FEDERAL_TIERS
    missed_visits_lookback_days: int = 30
    missed_visits_allowed: int = 0
    positive_test_lookback_days: int = 30
    diversion_lookback_days: int = 90
    # How long a prescriber's take-home determination (the 8.12(i)(2) checklist) stays
    # current for dispensing: our choice (practice, a setting): 90 days, the OTP's periodic
    # treatment-plan review interval (clinical.plan_review) — reassessed at least that often.
    determination_valid_days: int = 90


DEFAULT = TakeHomeLimits()


def days_in_treatment(admitted_on: dt.date | None, on: dt.date) -> int:
    """Continuous days in treatment on ``on``, the admission day being day 1 (0 when not
    admitted or admitted later)."""
    if admitted_on is None or on < admitted_on:
        return 0
    return (on - admitted_on).days + 1


def max_doses(days: int, limits: TakeHomeLimits = DEFAULT) -> int:
    """The regulatory ceiling of take-home doses for someone on day ``days`` of treatment."""
    ceiling = 0
    for first_day, most in sorted(limits.tiers):
        if days >= first_day:
            ceiling = most
    return ceiling


@dataclass(frozen=True)
class Factor:
    code: str
    text: str


def factors_against(
    *,
    positive_tests: int,
    missed_visits: int,
    diversion_concerns: int,
    limits: TakeHomeLimits = DEFAULT,
) -> list[Factor]:
    """The factors in the record that argue against take-homes now, each with its reason."""
    out = []
    if positive_tests > 0:
        out.append(
            Factor(
                "recent_positive_test",
                f"{positive_tests} positive drug test(s) in the last "
                f"{limits.positive_test_lookback_days} days.",
            )
        )
    if missed_visits > limits.missed_visits_allowed:
        out.append(
            Factor(
                "missed_visits",
                f"{missed_visits} missed dosing day(s) in the last "
                f"{limits.missed_visits_lookback_days} days.",
            )
        )
    if diversion_concerns > 0:
        out.append(
            Factor(
                "diversion_concern",
                f"A diversion concern recorded in the last {limits.diversion_lookback_days} days.",
            )
        )
    return out


# --- medication safety (issue 14 rule 9) ------------------------------------------------
def otp_days_in_treatment(
    stay_started_on: dt.date | None, first_medication_on: dt.date | None, on: dt.date
) -> int:
    """Days in treatment for the take-home tiers: from the start of the current opioid
    treatment program stay *with medication* — the later of the stay's start and the first
    methadone or buprenorphine dose within it (``first_medication_on``) — the first day being
    day 1. 0 without an OTP stay or before the first dose. Days at another level of care
    (residential, withdrawal management) or before medication do not count: the 7/14/28
    tiers of 42 CFR 8.12(i)(3) (2024) measure time in OTP treatment (issue 14 rule 9)."""
    if stay_started_on is None or first_medication_on is None:
        return 0
    return days_in_treatment(max(stay_started_on, first_medication_on), on)


@dataclass(frozen=True)
class Criterion:
    code: str
    text: str


# 42 CFR 8.12(i)(2) as revised by the 2024 final rule: what the OTP practitioner considers
# before take-home doses of methadone, the determination and its basis documented in the
# record. Codes are ours; the text follows the rule.
DETERMINATION_CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "no_active_risk_condition",
        "Absence of active substance use disorders, other physical or behavioral health "
        "conditions that increase the risk of patient harm as it relates to the potential "
        "for overdose, or the ability to function safely",
    ),
    Criterion(
        "regular_attendance", "Regularity of attendance for supervised medication administration"
    ),
    Criterion(
        "no_serious_behavioral_problems",
        "Absence of serious behavioral problems that endanger the patient, the public or others",
    ),
    Criterion("no_recent_diversion", "Absence of known recent diversion activity"),
    Criterion(
        "safe_transport_and_storage",
        "Whether take-home medication can be safely transported and stored",
    ),
    Criterion(
        "other_relevant_criteria",
        "Any other criteria the medical director or medical practitioner considers relevant "
        "to the patient's safety and the public's health",
    ),
)
CRITERION_CODES = tuple(c.code for c in DETERMINATION_CRITERIA)


@dataclass(frozen=True)
class CriterionAnswer:
    """The prescriber's answer to one criterion: ``favorable`` (it supports take-homes) or
    not, and a note (required when not favorable: why the benefit still outweighs the
    risk, or why take-homes are limited)."""

    favorable: bool | None  # None (or anything not a bool): not answered, refused
    note: str = ""


def check_determination(answers: Mapping[str, CriterionAnswer]) -> Refusal | None:
    """A take-home determination answers every 8.12(i)(2) criterion, each kept
    (``take_home_determination_incomplete``, 422): a criterion missing, an answer that is
    not a yes/no, or an unfavorable answer without a note; an unknown criterion code is
    ``unknown_take_home_criterion`` (422)."""
    unknown = sorted(set(answers) - set(CRITERION_CODES))
    if unknown:
        return Refusal(
            "unknown_take_home_criterion",
            f"Unknown take-home criterion {unknown[0]!r}; the criteria are "
            f"{', '.join(CRITERION_CODES)}.",
            422,
        )
    missing = [c.code for c in DETERMINATION_CRITERIA if c.code not in answers]
    if missing:
        return Refusal(
            "take_home_determination_incomplete",
            "The take-home determination answers every criterion of 42 CFR 8.12(i)(2); "
            f"missing: {', '.join(missing)}.",
            422,
        )
    for c in DETERMINATION_CRITERIA:
        a = answers[c.code]
        if not isinstance(a, CriterionAnswer) or not isinstance(a.favorable, bool):
            return Refusal(
                "take_home_determination_incomplete",
                f"{c.code}: answer favorable yes or no.",
                422,
            )
        if not a.favorable and not (a.note or "").strip():
            return Refusal(
                "take_home_determination_incomplete",
                f"{c.code} is answered unfavorable: add a note (why take-homes are limited, "
                "or why the benefit still outweighs the risk).",
                422,
            )
    return None


def determination_current(
    decided_on: dt.date | None, on: dt.date, limits: TakeHomeLimits = DEFAULT
) -> bool:
    """A take-home determination made on ``decided_on`` is current on ``on`` for
    ``determination_valid_days`` (90) days: decided on day 0, current through day 89, not on
    day 90 — and never before it was made. Our choice (practice, a setting): 42 CFR
    8.12(i)(2) asks for a documented determination before take-homes, not a period; 90 days
    is the OTP treatment-plan review interval Waypoint already uses."""
    if decided_on is None:
        return False
    return 0 <= (on - decided_on).days < limits.determination_valid_days


def determination_expires_on(decided_on: dt.date, limits: TakeHomeLimits = DEFAULT) -> dt.date:
    """The first day a determination made on ``decided_on`` is no longer current."""
    return decided_on + dt.timedelta(days=limits.determination_valid_days)
