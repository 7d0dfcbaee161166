"""What several medication services share: the order row locked, a required reason, the
rounding of a milligram amount."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from waypoint.core.errors import DomainError
from waypoint.core.selectors import locked_in_org

from ..models import MedicationOrder

if TYPE_CHECKING:
    from waypoint.core.actor import Actor

CENT = Decimal("0.01")


def order_for_update(actor: Actor, order_id: int) -> MedicationOrder:
    """The organization's order, row locked, with its site and patient (404 otherwise)."""
    return locked_in_org(
        MedicationOrder, order_id, actor.organization_id, "medication order", "site", "patient"
    )


def require_reason(reason: str, code: str, what: str) -> str:
    """The reason stripped; 422 ``code`` when there is none."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(code, f"{what} needs a documented reason.", field="reason")
    return reason
