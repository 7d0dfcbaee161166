"""The "Treatment plan" section of the patient chart, registered by
``CareConfig.ready()``."""

from __future__ import annotations

from waypoint.patients.chart import ChartSection

from . import selectors

SECTION = ChartSection(
    "plan",
    "Treatment plan",
    "care/plan_section.html",
    26,
    "plan.view",
    selectors.chart_context,
)
