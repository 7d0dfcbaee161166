"""Reads of the privacy app, by concern: ``access`` (restricted records, the care team, the
gate and the lists' masking), ``consents`` (consents, court orders, restrictions and their
terms for the rule), ``records`` (each category's records for a package), ``accounting``
(the accounting of disclosures, the chart section, the privacy board)."""

from .access import (
    BREAK_GLASS_HOURS,
    access_gate,
    care_team,
    hidden_patients,
    is_restricted,
    may_open,
    open_glass,
    open_restriction,
    restricted_flag,
)
from .accounting import (
    NOTICE_VERSION,
    accounting,
    board,
    consent_get,
    consents_for,
    disclosures_qs,
    home_panel,
    section,
)
from .consents import (
    agreed_restrictions,
    consent_in_org,
    consent_rows,
    consents_of,
    court_orders_of,
    order_terms,
    recipient_of,
    terms,
)
from .recipients import recipient_for_token, recipient_tokens
from .records import build_records, canonical, sha256

__all__ = [
    "BREAK_GLASS_HOURS",
    "NOTICE_VERSION",
    "access_gate",
    "accounting",
    "agreed_restrictions",
    "board",
    "build_records",
    "canonical",
    "care_team",
    "consent_get",
    "consent_in_org",
    "consents_for",
    "consent_rows",
    "consents_of",
    "court_orders_of",
    "disclosures_qs",
    "hidden_patients",
    "home_panel",
    "is_restricted",
    "may_open",
    "open_glass",
    "open_restriction",
    "order_terms",
    "recipient_for_token",
    "recipient_of",
    "recipient_tokens",
    "restricted_flag",
    "section",
    "sha256",
    "terms",
]
