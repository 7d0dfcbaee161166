"""Rules of the aftercare plan and of naloxone kits: how soon a missed aftercare
appointment is followed up, which discharges are recent enough to still ask for a plan,
who has an opioid use disorder diagnosis, and what a kit counts for in a stock ledger.

Sources:
- domain facts §8: aftercare (alumni groups, 12-step meetings, teletherapy, referrals,
  check-ins); after a period of abstinence tolerance falls: give naloxone, re-engage
  quickly. §5: naloxone kits at discharge and after any relapse.
- the issue (17): the census lists discharges in the last 30 days without a plan;
  everyone with an opioid use disorder diagnosis without a kit in the last 12 months is on
  the nurse's list (``clinical.recovery.naloxone_due``).
- naloxone products (FDA labels): nasal spray 4 mg (Narcan and generics) and 8 mg
  (Kloxxado), one spray per device; injection 0.4 mg/mL given intramuscularly (or IV,
  subcutaneously); the 2 mg auto-injector (Evzio) is intramuscular — it was discontinued
  in 2020, so it is kept only to record kits already given. A 0.4 mg strength is an
  injection, never a nasal spray (``clinical.medications.route_for``).
- the 72 hours to reach someone after a missed aftercare appointment are practice, not a
  rule: the contract's window after a return to use (``recovery.OUTREACH_DUE``), since a
  missed first appointment after discharge is the commonest way people drop out of care.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

# An outreach task opened when an aftercare item is marked missed is due this long after.
MISSED_AFTERCARE_DUE = dt.timedelta(hours=72)
# A discharge this many days ago or fewer is recent: the census lists it while it has no
# aftercare plan, and a recently discharged person with OUD is on the naloxone list.
RECENT_DISCHARGE_DAYS = 30
ITEMS_MIN = 1
ITEMS_MAX = 30
KIT_QUANTITY_MIN = 1
KIT_QUANTITY_MAX = 10  # devices in one hand-out (a few twin packs for a household)

ITEM_STATUSES = ("planned", "attended", "missed", "declined")

# formulation -> (mg per device, route)
FORMULATIONS: dict[str, tuple[Decimal, str]] = {
    "nasal_4mg": (Decimal("4"), "intranasal"),
    "nasal_8mg": (Decimal("8"), "intranasal"),
    "injection_0_4mg": (Decimal("0.4"), "intramuscular"),
    "autoinjector_2mg": (Decimal("2"), "intramuscular"),
}

# DSM-5 severities of a use disorder (``none`` is no diagnosis).
OUD_SEVERITIES = ("mild", "moderate", "severe")
OUD_ICD10_PREFIX = "F11."
# F11.9x is opioid use without a use disorder (e.g. withdrawal from supervised use).
NOT_A_USE_DISORDER = ("F11.9",)


def discharge_recent(discharged_on: dt.date, today: dt.date) -> bool:
    """Whether a discharge on ``discharged_on`` is recent on ``today``: 0 to 30 days ago
    (30 days ago is recent, 31 is not; a date after today is not a discharge yet)."""
    return 0 <= (today - discharged_on).days <= RECENT_DISCHARGE_DAYS


def status_change_allowed(old: str, new: str) -> bool:
    """An item's status may become any other status (planned, attended, missed,
    declined): a correction or a rescheduled appointment is a new status, each change kept
    in the audit trail. The same status again is no change."""
    return new in ITEM_STATUSES and new != old


def oud_diagnosed(dsm5_severities: Iterable[str], problem_icd10: Iterable[str]) -> bool:
    """Whether a person has an opioid use disorder diagnosis: a DSM-5 OUD assessment with a
    mild, moderate or severe result (remission included: it is still the disorder), or an
    active problem coded ICD-10-CM F11 other than F11.9x (use without a disorder)."""
    if any(s in OUD_SEVERITIES for s in dsm5_severities):
        return True
    return any(
        c.upper().startswith(OUD_ICD10_PREFIX) and not c.upper().startswith(NOT_A_USE_DISORDER)
        for c in problem_icd10
    )


def kit_mg(formulation: str, quantity: int) -> Decimal:
    """Milligrams of naloxone in ``quantity`` devices of ``formulation`` (what a stock
    ledger kept in mg counts out). KeyError for an unknown formulation."""
    return FORMULATIONS[formulation][0] * quantity


def route(formulation: str) -> str:
    return FORMULATIONS[formulation][1]
