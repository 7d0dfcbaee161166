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


def _sessions_context(actor, patient) -> dict:
    from .session_views import chart_context

    return chart_context(actor, patient)


register_section(
    ChartSection(
        "sessions",
        "Counseling this week",
        "care/session_week.html",
        26,
        "session.view",
        _sessions_context,
    )
)
