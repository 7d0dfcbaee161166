"""The "Drug tests" section of the patient chart and its face-sheet card (the flowsheet),
registered by ``LabsConfig.ready()``."""

from __future__ import annotations

from waypoint.patients.chart import ChartSection, SummaryCard


def _context(actor, patient, page: int = 1) -> dict:
    from .views import chart_context

    return chart_context(actor, patient, page)


SECTION = ChartSection(
    "drug-tests",
    "Drug tests",
    "labs/section_drug_tests.html",
    28,
    "drugtest.view",
    _context,
    forms=("drug-test", "correct-"),
    paged=True,
)


def _card(actor, patient) -> dict:
    from .views import summary_card

    return summary_card(actor, patient)


CARD = SummaryCard(
    "drug-tests",
    "Drug tests",
    "labs/card_drug_tests.html",
    30,
    "drugtest.view",
    _card,
    tab="drug-tests",
)
