"""The "Incentives" section of the patient chart, registered by ``IncentivesConfig.ready()``."""

from __future__ import annotations

from waypoint.patients.chart import ChartSection, SummaryCard


def _context(actor, patient, page: int = 1) -> dict:
    from .views import chart_context

    return chart_context(actor, patient, page)


def _card(actor, patient) -> dict:
    from .views import summary_card

    return summary_card(actor, patient)


SECTION = ChartSection(
    "incentives",
    "Incentives",
    "incentives/section_incentives.html",
    29,
    "incentives.view",
    _context,
    forms=("incentive-plan", "plan-end", "redeem", "void-"),
    paged=True,
)

CARD = SummaryCard(
    "incentives",
    "Incentives",
    "incentives/card_incentives.html",
    50,
    "incentives.view",
    _card,
    tab="incentives",
)
