"""The "Treatment plan" section of the patient chart."""

from __future__ import annotations

from waypoint.patients.chart import ChartSection, register_section

from . import plan_selectors

register_section(
    ChartSection(
        "plan",
        "Treatment plan",
        "care/plan_section.html",
        26,
        "plan.view",
        plan_selectors.chart_context,
    )
)
