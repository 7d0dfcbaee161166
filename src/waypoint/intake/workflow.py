"""Which status an inquiry may move to from which (pure; tested at every pair)."""

from __future__ import annotations

TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset(
        {
            "screening",
            "waiting_for_assessment",
            "admitted",
            "referred_elsewhere",
            "no_show",
            "closed",
        }
    ),
    "screening": frozenset(
        {"waiting_for_assessment", "admitted", "referred_elsewhere", "no_show", "closed"}
    ),
    "waiting_for_assessment": frozenset(
        {"screening", "admitted", "referred_elsewhere", "no_show", "closed"}
    ),
    "no_show": frozenset({"new", "closed"}),  # they came back, or we stop trying
    "closed": frozenset({"new"}),  # reopened
    "referred_elsewhere": frozenset({"closed"}),
    "admitted": frozenset(),  # final: the patient's episode takes over
}


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())
