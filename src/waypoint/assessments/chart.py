"""The assessment capability's parts of the patient chart: its sections and banner flags,
registered by ``AssessmentsConfig.ready()``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.timezone import localtime

from waypoint.patients.chart import ChartSection, SummaryCard

from . import selectors


def _context(actor, patient, page: int = 1) -> dict:
    return selectors.chart_context(actor, patient, page)


def flags(actor, patient) -> list[dict]:
    """The chart banner's open risk flags (until acknowledged)."""
    if not actor.can("assessment.view"):
        return []
    can_ack = actor.can("flag.acknowledge")
    return [
        {
            "id": f.pk,
            "kind": f.kind,
            "title": f.get_kind_display() + ":",
            "text": f"{f.reason} (raised {localtime(f.raised_at):%Y-%m-%d %H:%M})",
            "ack_url": reverse("assessments:flag_ack", args=[f.pk]) if can_ack else "",
        }
        for f in selectors.open_flags(actor.organization_id, patient)
    ]


# In the chart's order (each keeps its ``order`` number).
SECTIONS = (
    ChartSection(
        "assessments",
        "Assessments",
        "assessments/section_scores.html",
        30,
        "assessment.view",
        _context,
        paged=True,
    ),
    ChartSection(
        "level_of_care",
        "Level of care",
        "assessments/section_loc.html",
        35,
        "assessment.view",
        _context,
        forms=("level", "decide-"),
        paged=True,
    ),
    ChartSection(
        "risk",
        "Risk factors",
        "assessments/section_risk.html",
        40,
        "assessment.view",
        _context,
        paged=True,
    ),
    ChartSection(
        "problems",
        "Co-occurring conditions",
        "assessments/section_problems.html",
        50,
        "assessment.view",
        _context,
        paged=True,
    ),
)

CARD = SummaryCard(
    "scores",
    "Last scores",
    "assessments/card_scores.html",
    20,
    "assessment.view",
    selectors.summary_card,
    tab="assessments",
)
