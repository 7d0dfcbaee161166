"""The "Medication" section of the patient chart, registered by ``MedicationConfig.ready()``."""

from __future__ import annotations

from waypoint.patients.chart import ChartSection


def _context(actor, patient) -> dict:
    from .views import chart_context

    return chart_context(actor, patient)


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
