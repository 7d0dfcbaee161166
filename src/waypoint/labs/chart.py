"""Drug testing's hooks (positive tests and pending tests for the medication side) and the
"Drug tests" section of the patient chart."""

from __future__ import annotations

from waypoint.patients.chart import ChartSection, register_section

from .selectors import register_hooks

register_hooks()


def _context(actor, patient) -> dict:
    from .views import chart_context

    return chart_context(actor, patient)


register_section(
    ChartSection(
        "drug-tests",
        "Drug tests",
        "labs/section_drug_tests.html",
        28,
        "drugtest.view",
        _context,
    )
)
