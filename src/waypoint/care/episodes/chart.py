"""The "Episode of care" section of the patient chart, registered by
``CareConfig.ready()``."""

from __future__ import annotations

from waypoint.patients.chart import ChartSection, SummaryCard

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

CARD = SummaryCard(
    "level",
    "Level of care",
    "care/card_level.html",
    5,
    "episode.view",
    selectors.summary_card,
    tab="care",
)
