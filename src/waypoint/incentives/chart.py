"""Contingency management's wiring: the test-changed hook (imported with the services) and
the "Incentives" section of the patient chart."""

from __future__ import annotations

from waypoint.patients.chart import ChartSection, register_section

from . import services  # noqa: F401  (registers the hook that re-applies awards)


def _context(actor, patient) -> dict:
    from .views import chart_context

    return chart_context(actor, patient)


register_section(
    ChartSection(
        "incentives",
        "Incentives",
        "incentives/section_incentives.html",
        29,
        "incentives.view",
        _context,
    )
)
