"""The "Episode of care" section of the patient chart."""

from __future__ import annotations

from waypoint.patients.chart import ChartSection, register_section

from . import selectors


def _context(actor, patient) -> dict:
    return selectors.chart_context(actor, patient)


register_section(
    ChartSection(
        "episode", "Episode of care", "care/section_episode.html", 25, "episode.view", _context
    )
)
