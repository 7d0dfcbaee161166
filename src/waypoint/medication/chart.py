"""The "Medication" section of the patient chart, registered by ``MedicationConfig.ready()``."""

from __future__ import annotations

from waypoint.patients.chart import ChartSection, SummaryCard


def _context(actor, patient, page: int = 1) -> dict:
    from .views import chart_context

    return chart_context(actor, patient, page)


SECTION = ChartSection(
    "medication",
    "Medication",
    "medication/section_medication.html",
    27,
    "medication.view",
    _context,
    forms=(
        "order",
        "take-home",
        "determination",
        "diversion",
        "implant",
        "implant-remove",
        "opioid-free",
        "change-",
        "stop-",
        "reassess-",
        "implant-insert-",
    ),
    paged=True,
)


def _card(actor, patient) -> dict:
    from .views import summary_card

    return summary_card(actor, patient)


CARD = SummaryCard(
    "medication",
    "Medication today",
    "medication/card_medication.html",
    10,
    "medication.view",
    _card,
    tab="medication",
)
