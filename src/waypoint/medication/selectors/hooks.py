"""Evidence other capabilities feed into the medication side.

Drug testing adds its counter of positive tests, its check for a test pending and its
lookup of a recorded test, from ``LabsConfig.ready()`` through ``add_positive_test_counter``
/ ``add_pending_test_check`` / ``add_drug_test_lookup``; the take-home factors, the window's
"pending drug test" flag and the opioid-free confirmation (a negative test names the
recorded test) read them. The lists are re-exported as
``waypoint.medication.selectors.POSITIVE_TEST_COUNTERS`` / ``PENDING_TEST_CHECKS`` /
``DRUG_TEST_LOOKUPS`` (the same list objects).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from waypoint.core.hooks import add_once

PositiveTestCounter = Callable[[int, int, dt.date, dt.date], int]
PendingTestCheck = Callable[[int, int, dt.date], bool]
DrugTestLookup = Callable[[int, int], "dict | None"]

# (organization_id, patient_id, since, until) -> how many positive tests
POSITIVE_TEST_COUNTERS: list[PositiveTestCounter] = []
# (organization_id, patient_id, day) -> a drug test is pending that day
PENDING_TEST_CHECKS: list[PendingTestCheck] = []
# (organization_id, test_id) -> {"patient": id, "day": date, "results": {analyte: result}},
# or None when the organization has no such test
DRUG_TEST_LOOKUPS: list[DrugTestLookup] = []


def add_positive_test_counter(counter: PositiveTestCounter) -> None:
    """Count ``counter(organization_id, patient_id, since, until)`` positive tests into the
    take-home factors (from an ``AppConfig.ready()``; adding it again adds nothing)."""
    add_once(POSITIVE_TEST_COUNTERS, counter)


def add_pending_test_check(check: PendingTestCheck) -> None:
    """Flag a pending drug test on the window when ``check(organization_id, patient_id,
    day)`` says so (from an ``AppConfig.ready()``; adding it again adds nothing)."""
    add_once(PENDING_TEST_CHECKS, check)


def add_drug_test_lookup(lookup: DrugTestLookup) -> None:
    """Find a recorded drug test with ``lookup(organization_id, test_id)`` (from an
    ``AppConfig.ready()``; adding it again adds nothing)."""
    add_once(DRUG_TEST_LOOKUPS, lookup)


def drug_test(organization_id: int, test_id: int) -> dict | None:
    """A recorded drug test of the organization, through the registered lookups."""
    for lookup in DRUG_TEST_LOOKUPS:
        found = lookup(organization_id, test_id)
        if found is not None:
            return found
    return None
