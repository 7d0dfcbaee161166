"""Evidence other capabilities feed into the medication side.

Drug testing adds its counter of positive tests and its check for a test pending, from
``LabsConfig.ready()`` through ``add_positive_test_counter`` / ``add_pending_test_check``;
the take-home factors and the window's "pending drug test" flag read them. The lists are
re-exported as ``waypoint.medication.selectors.POSITIVE_TEST_COUNTERS`` /
``PENDING_TEST_CHECKS`` (the same list objects).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from waypoint.core.hooks import add_once

PositiveTestCounter = Callable[[int, int, dt.date, dt.date], int]
PendingTestCheck = Callable[[int, int, dt.date], bool]

# (organization_id, patient_id, since, until) -> how many positive tests
POSITIVE_TEST_COUNTERS: list[PositiveTestCounter] = []
# (organization_id, patient_id, day) -> a drug test is pending that day
PENDING_TEST_CHECKS: list[PendingTestCheck] = []


def add_positive_test_counter(counter: PositiveTestCounter) -> None:
    """Count ``counter(organization_id, patient_id, since, until)`` positive tests into the
    take-home factors (from an ``AppConfig.ready()``; adding it again adds nothing)."""
    add_once(POSITIVE_TEST_COUNTERS, counter)


def add_pending_test_check(check: PendingTestCheck) -> None:
    """Flag a pending drug test on the window when ``check(organization_id, patient_id,
    day)`` says so (from an ``AppConfig.ready()``; adding it again adds nothing)."""
    add_once(PENDING_TEST_CHECKS, check)
