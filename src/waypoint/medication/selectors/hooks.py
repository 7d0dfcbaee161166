"""Evidence other capabilities feed into the medication side.

Drug testing adds its counter of positive tests and its check for a test pending; the
take-home factors and the window's "pending drug test" flag read them. The lists are
re-exported as ``waypoint.medication.selectors.POSITIVE_TEST_COUNTERS`` /
``PENDING_TEST_CHECKS`` (the same list objects).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

# (organization_id, patient_id, since, until) -> how many positive tests
POSITIVE_TEST_COUNTERS: list[Callable[[int, int, dt.date, dt.date], int]] = []
# (organization_id, patient_id, day) -> a drug test is pending that day
PENDING_TEST_CHECKS: list[Callable[[int, int, dt.date], bool]] = []
