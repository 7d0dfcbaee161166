"""The "Incentives" section of the patient chart, registered by ``IncentivesConfig.ready()``."""

from __future__ import annotations

from waypoint.patients.chart import ChartSection


def _context(actor, patient) -> dict:
    from .views import chart_context

    return chart_context(actor, patient)


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
