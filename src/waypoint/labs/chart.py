"""The "Drug tests" section of the patient chart, registered by ``LabsConfig.ready()``."""

from __future__ import annotations

from waypoint.patients.chart import ChartSection


def _context(actor, patient) -> dict:
    from .views import chart_context

    return chart_context(actor, patient)


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
