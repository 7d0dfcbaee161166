"""The "Episode of care" section of the patient chart, registered by
``CareConfig.ready()``."""

from __future__ import annotations

from waypoint.patients.chart import ChartSection

from . import selectors

SECTION = ChartSection(
    "episode",
    "Episode of care",
    "care/section_episode.html",
    25,
    "episode.view",
    selectors.chart_context,
    forms=("admit", "discharge", "transition"),
)
