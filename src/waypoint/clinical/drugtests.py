"""Drug test results judged against the person's medications, and the random-testing minimum.

Sources (domain facts §6): an opioid treatment program panel covers opiates (morphine,
codeine, heroin's 6-MAM), fentanyl, buprenorphine, methadone (and EDDP), oxycodone,
cocaine, amphetamines, benzodiazepines, cannabinoids; xylazine is found by laboratory
tests. A result is judged against the person's prescriptions: methadone positive in a
methadone patient is *expected* and is not use; methadone *negative* in a methadone patient
may signal diversion. Fentanyl and xylazine test strips are drug-checking tools, not cleared
for urine: a strip result is point-of-care and unconfirmed.

Random testing minimum: 42 CFR 8.12(f)(6) — an opioid treatment program gives each patient
at least eight random drug tests a year (domain facts §6 / the issue). For a person enrolled
part of the year the minimum is pro-rated: ``floor(8 x days enrolled / 365)``, my reading.
A test records why it was taken (``TEST_REASONS``: random, scheduled, clinical, admission,
contingency); only a ``random`` test counts toward the minimum — a test the person could
foresee (a scheduled or contingency-management visit, an admission test) is not random
(issue 14 rule 11). A test recorded before reasons were kept, or without one, is
``unspecified`` and does not count either: nobody can show it was random.

Contingency management (domain facts §7) reads one outcome per test for a plan's target
analytes: ``positive`` when a target shows use, ``negative`` when every target is negative
(or an expected medication), otherwise ``incomplete``. My choices, stated in the note:
an ``invalid`` result (adulterated or diluted specimen) of a target counts as positive, as
in the contingency-management literature; a target ``not_tested`` leaves the test
incomplete (it neither earns nor resets).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

ANALYTES: tuple[str, ...] = (
    "opiates",
    "fentanyl",
    "xylazine",
    "buprenorphine",
    "methadone",
    "oxycodone",
    "cocaine",
    "amphetamines",
    "benzodiazepines",
    "cannabinoids",
)
ANALYTE_LABELS = {
    "opiates": "Opiates (morphine, codeine, 6-MAM)",
    "fentanyl": "Fentanyl",
    "xylazine": "Xylazine",
    "buprenorphine": "Buprenorphine",
    "methadone": "Methadone (EDDP)",
    "oxycodone": "Oxycodone",
    "cocaine": "Cocaine",
    "amphetamines": "Amphetamines / methamphetamine",
    "benzodiazepines": "Benzodiazepines",
    "cannabinoids": "Cannabinoids",
}
RESULTS: tuple[str, ...] = ("positive", "negative", "invalid", "not_tested")
SPECIMENS: tuple[str, ...] = ("urine", "oral_fluid", "blood")
METHODS: tuple[str, ...] = ("lab", "point_of_care", "test_strip")
OPIOIDS = frozenset({"opiates", "fentanyl", "oxycodone", "methadone", "buprenorphine"})
STIMULANTS = frozenset({"cocaine", "amphetamines"})

# A medication (contract name) whose use makes this analyte positive.
MEDICATION_ANALYTE: dict[str, str] = {
    "methadone": "methadone",
    "buprenorphine": "buprenorphine",
    "buprenorphine_naloxone": "buprenorphine",
    "buprenorphine_extended_release": "buprenorphine",
    "buprenorphine_implant": "buprenorphine",
}

OTP_RANDOM_TESTS_PER_YEAR = 8

TEST_REASONS: tuple[str, ...] = ("random", "scheduled", "clinical", "admission", "contingency")
UNSPECIFIED = "unspecified"  # recorded before reasons were kept, or sent without one
REASON_LABELS = {
    "random": "Random",
    "scheduled": "Scheduled",
    "clinical": "Clinical (ordered for a reason)",
    "admission": "Admission",
    "contingency": "Contingency management",
    UNSPECIFIED: "Not stated",
}
COUNTS_AS_RANDOM = frozenset({"random"})
# A test request's reason (labs.TestRequest) -> the test's reason when it answers it.
REQUEST_REASONS = {"random": "random", "clinician": "clinical", "admission": "admission"}


@dataclass(frozen=True)
class TestingLimits:
    """An organization's drug-testing numbers (``MedicationSettings.testing``). The random
    tests a year may only be raised above the federal 8 (``federal_limits``)."""

    __test__ = False  # not a pytest test class

    random_tests_per_year: int = OTP_RANDOM_TESTS_PER_YEAR


DEFAULT_TESTING = TestingLimits()
# The analytes a test must show negative to confirm a person opioid-free before naltrexone.
OPIOID_FREE_REQUIRED = ("opiates", "fentanyl")


class DrugTestError(ValueError):
    def __init__(self, code: str, message: str, field: str = "") -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


@dataclass(frozen=True)
class Reading:
    analyte: str
    result: str  # one of RESULTS
    meaning: str  # negative | use | expected_medication | missing_medication | invalid | not_tested
    note: str = ""


def check_results(results: Mapping[str, str]) -> dict[str, str]:
    """Validate a result map: known analytes, known results, at least one analyte."""
    if not results:
        raise DrugTestError("no_results", "A test needs at least one analyte result.", "results")
    clean: dict[str, str] = {}
    for analyte, result in results.items():
        if analyte not in ANALYTES:
            raise DrugTestError(
                "unknown_analyte",
                f"Unknown analyte {analyte!r}; known: {', '.join(ANALYTES)}.",
                "results",
            )
        if result not in RESULTS:
            raise DrugTestError(
                "invalid_result",
                f"{analyte}: the result is one of {', '.join(RESULTS)}, not {result!r}.",
                "results",
            )
        clean[analyte] = result
    return clean


def expected_analytes(medications: Iterable[str]) -> frozenset[str]:
    """The analytes the person's active medications make positive."""
    return frozenset(MEDICATION_ANALYTE[m] for m in medications if m in MEDICATION_ANALYTE)


def interpret(results: Mapping[str, str], expected: frozenset[str]) -> list[Reading]:
    """Each result read against the analytes expected from the person's medications."""
    out = []
    for analyte in ANALYTES:
        if analyte not in results:
            continue
        r = results[analyte]
        if r == "positive":
            if analyte in expected:
                out.append(Reading(analyte, r, "expected_medication", "Prescribed: not use."))
            else:
                out.append(Reading(analyte, r, "use"))
        elif r == "negative":
            if analyte in expected:
                out.append(
                    Reading(
                        analyte,
                        r,
                        "missing_medication",
                        "Prescribed but not found: possible diversion or missed doses.",
                    )
                )
            else:
                out.append(Reading(analyte, r, "negative"))
        else:
            out.append(Reading(analyte, r, r))
    return out


def uses(readings: Iterable[Reading]) -> list[str]:
    return [r.analyte for r in readings if r.meaning == "use"]


def possible_diversion(readings: Iterable[Reading]) -> list[str]:
    return [r.analyte for r in readings if r.meaning == "missing_medication"]


def outcome_for_targets(readings: Iterable[Reading], targets: Iterable[str]) -> str:
    """``positive``, ``negative`` or ``incomplete`` for a contingency plan's targets."""
    by = {r.analyte: r for r in readings}
    targets = list(targets)
    if any(t in by and by[t].meaning in ("use", "invalid") for t in targets):
        return "positive"
    # a missing expected medication is not use of a target: it neither earns less nor resets
    ok = ("negative", "expected_medication", "missing_medication")
    if targets and all(t in by and by[t].meaning in ok for t in targets):
        return "negative"
    return "incomplete"


def random_tests_required(
    days_enrolled_in_year: int, per_year: int = OTP_RANDOM_TESTS_PER_YEAR
) -> int:
    """Random tests due so far for someone enrolled ``days_enrolled_in_year`` of the last 365
    days: ``floor(per_year x days / 365)``, at most ``per_year``."""
    if days_enrolled_in_year < 0 or per_year < 0:
        raise ValueError("days and tests per year are never negative")
    return min(per_year, math.floor(per_year * min(days_enrolled_in_year, 365) / 365))


def pick_probability(per_year: int, clinic_days_per_year: int) -> float:
    """The chance of being picked on one clinic day so that the expected number of picks a
    year is ``per_year``."""
    if clinic_days_per_year <= 0:
        raise ValueError("a year has clinic days")
    return min(1.0, per_year / clinic_days_per_year)


def reason_for(given: str | None, request_reason: str | None = None) -> str:
    """Why a test was taken: the reason given (one of ``TEST_REASONS``; anything else is
    ``unknown_test_reason``); without one, the reason of the test request it answers (a
    random pick is ``random``, a clinician's request ``clinical``); otherwise
    ``unspecified`` — never assumed random."""
    if given:
        if given not in TEST_REASONS:
            raise DrugTestError(
                "unknown_test_reason",
                f"reason is one of {', '.join(TEST_REASONS)} (got {str(given)[:40]!r}).",
                "reason",
            )
        return given
    return REQUEST_REASONS.get(request_reason or "", UNSPECIFIED)


def counts_toward_random_minimum(reason: str) -> bool:
    """Only a ``random`` test counts toward 8.12(f)(6)'s eight a year."""
    return reason in COUNTS_AS_RANDOM


def random_tests_done(reasons: Iterable[str]) -> int:
    """How many of these tests (by reason) count toward the random-testing minimum."""
    return sum(1 for r in reasons if counts_toward_random_minimum(r))


def opioid_free_test(results: Mapping[str, str]) -> str | None:
    """Does a recorded drug test confirm a person opioid-free before naltrexone (issue 14 rule
    7; domain facts §5: a negative drug test)? None when it does; otherwise why not. The
    test must show ``opiates`` and ``fentanyl`` (street heroin is now mostly fentanyl,
    domain facts §6) negative, and no opioid analyte (``OPIOIDS``: also oxycodone,
    methadone, buprenorphine) positive or invalid. Our reading of "a negative opioid test",
    flagged: a panel without fentanyl cannot rule out the opioid most people now use."""
    missing = [a for a in OPIOID_FREE_REQUIRED if results.get(a) != "negative"]
    bad = sorted(a for a in OPIOIDS if results.get(a) in ("positive", "invalid"))
    if bad:
        return f"the test is {', '.join(f'{a} {results[a]}' for a in bad)}"
    if missing:
        return (
            "the test does not show "
            + " and ".join(missing)
            + " negative (both must be tested and negative)"
        )
    return None
