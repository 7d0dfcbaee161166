"""Every write of the medication side, by concern: ``orders`` (prescriber), ``dosing`` (the
window), ``vitals`` (vital signs at the window), ``implants`` (the implant's insertion and
removal), ``takehomes`` (the determination and the bottles), ``discharge`` (a discharge
stops the orders), ``dayclose`` (closing a dosing day), ``stock`` (the controlled-substance
ledger) and ``settings`` (an organization's limits).

Each action checks the role, runs in one transaction with the order row locked, calls the
pure rules of ``clinical.dosing`` / ``clinical.takehome``, and writes its audit event in
the same transaction. A refusal raises a ``DomainError`` with a stable code and a sentence
for the nurse; nothing is written and stock is untouched. "Today" is the order's site's
local calendar day.

Everything is re-exported here, so callers import ``waypoint.medication.services`` as
before; the reads services share with selectors (limits, the last covered day, missed
days) live in ``medication.limits`` and ``medication.coverage``.
"""

from __future__ import annotations

from ..coverage import covered_through, last_covered_day, missed_days_after, missed_days_for
from ..limits import limits_for, limits_from
from ._shared import CENT
from .dayclose import close_day
from .discharge import orders_stop_at_discharge
from .dosing import FUTURE_TOLERANCE, dose_record
from .hooks import DOSES_WRITTEN_HOOKS, DoseCount, on_doses_written
from .implants import implant_insert, implant_remove
from .orders import (
    diversion_concern_raise,
    opioid_free_confirm,
    order_change,
    order_check,
    order_create,
    order_reassess,
    order_stop,
)
from .settings import settings_update
from .stock import KIT_LEDGER, stock_count, stock_kit_given, stock_receive, stock_waste
from .takehomes import take_home_determination_record, take_home_dispense
from .vitals import vitals_record

__all__ = [
    "CENT",
    "DOSES_WRITTEN_HOOKS",
    "DoseCount",
    "FUTURE_TOLERANCE",
    "close_day",
    "covered_through",
    "diversion_concern_raise",
    "dose_record",
    "implant_insert",
    "implant_remove",
    "last_covered_day",
    "limits_for",
    "limits_from",
    "missed_days_after",
    "missed_days_for",
    "opioid_free_confirm",
    "order_change",
    "order_check",
    "order_create",
    "order_reassess",
    "on_doses_written",
    "order_stop",
    "orders_stop_at_discharge",
    "settings_update",
    "stock_count",
    "stock_kit_given",
    "KIT_LEDGER",
    "stock_receive",
    "stock_waste",
    "take_home_determination_record",
    "take_home_dispense",
    "vitals_record",
]
