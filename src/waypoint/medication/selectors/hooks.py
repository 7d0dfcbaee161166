"""Evidence other capabilities feed into the medication side.

Drug testing adds its counter of positive tests, its check for a test pending and its
lookup of a recorded test; the take-home factors, the window's "pending drug test" flag and
the opioid-free confirmation (a negative test names the recorded test) read them. The
lists are re-exported as ``waypoint.medication.selectors.POSITIVE_TEST_COUNTERS`` /
``PENDING_TEST_CHECKS`` / ``DRUG_TEST_LOOKUPS`` (the same list objects).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

# (organization_id, patient_id, since, until) -> how many positive tests
POSITIVE_TEST_COUNTERS: list[Callable[[int, int, dt.date, dt.date], int]] = []
# (organization_id, patient_id, day) -> a drug test is pending that day
PENDING_TEST_CHECKS: list[Callable[[int, int, dt.date], bool]] = []
# (organization_id, test_id) -> {"patient": id, "day": date, "results": {analyte: result}},
# or None when the organization has no such test
DRUG_TEST_LOOKUPS: list[Callable[[int, int], dict | None]] = []


def drug_test(organization_id: int, test_id: int) -> dict | None:
    """A recorded drug test of the organization, through the registered lookups."""
    for lookup in DRUG_TEST_LOOKUPS:
        found = lookup(organization_id, test_id)
        if found is not None:
            return found
    return None
