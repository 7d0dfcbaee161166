"""Reads of the medication side, by concern: ``orders``, ``window`` (the dosing window),
``takehomes`` (eligibility), ``outreach`` (missed days, injections due) and ``stock`` (the
ledger); ``hooks`` holds the evidence other capabilities feed in (added from their
``AppConfig.ready()``). Scoped by organization; reads of a patient's record leave an audit
event.

Selectors never import services: what both need (an organization's limits, the last
covered day, missed days) lives below them in ``medication.limits`` and
``medication.coverage``. Everything is re-exported here, so callers import
``waypoint.medication.selectors`` as before.
"""

from __future__ import annotations

from ..coverage import covered_through, last_covered_day, last_covered_days, missed_days_for
from ..limits import limits_for, testing_limits_for
from .hooks import (
    DRUG_TEST_LOOKUPS,
    PENDING_TEST_CHECKS,
    POSITIVE_TEST_COUNTERS,
    add_drug_test_lookup,
    add_pending_test_check,
    add_positive_test_counter,
)
from .orders import (
    determinations_for_patient,
    dose_history,
    implant_written,
    implants_for_patient,
    medication_chart,
    order_get,
    order_in_org,
    order_written,
    orders_for_patient,
    vitals_for_patient,
)
from .outreach import injections_due, missed_outreach
from .stock import stock_expected, stock_summary
from .takehomes import (
    days_in_treatment_on,
    eligibility,
    factors_against_for,
    order_take_home_ceiling,
    take_home_eligibility,
    treatment_start,
)
from .window import (
    WindowOrder,
    WindowPatient,
    discharge_label,
    today_status,
    window_board,
    window_find,
    window_orders,
    window_patient,
)

__all__ = [
    "dose_history",
    "DRUG_TEST_LOOKUPS",
    "PENDING_TEST_CHECKS",
    "POSITIVE_TEST_COUNTERS",
    "WindowOrder",
    "order_take_home_ceiling",
    "WindowPatient",
    "add_drug_test_lookup",
    "add_pending_test_check",
    "add_positive_test_counter",
    "covered_through",
    "days_in_treatment_on",
    "determinations_for_patient",
    "discharge_label",
    "eligibility",
    "factors_against_for",
    "implant_written",
    "implants_for_patient",
    "injections_due",
    "last_covered_day",
    "last_covered_days",
    "limits_for",
    "medication_chart",
    "missed_days_for",
    "missed_outreach",
    "order_get",
    "order_in_org",
    "order_written",
    "orders_for_patient",
    "stock_expected",
    "stock_summary",
    "take_home_eligibility",
    "testing_limits_for",
    "treatment_start",
    "vitals_for_patient",
    "window_board",
    "window_find",
    "window_orders",
    "today_status",
    "window_patient",
]
