"""The "Counseling this week" section of the patient chart, registered by
``CareConfig.ready()``."""

from __future__ import annotations

from waypoint.core.actor import Actor
from waypoint.patients.chart import ChartSection, SummaryCard
from waypoint.patients.models import Patient

from . import selectors


def _context(actor: Actor, patient: Patient) -> dict:
    """The patient's week (the chart page audits its own read)."""
    return {
        **selectors.patient_week(actor, patient.pk, audit_read=False),
        "can_schedule": actor.can("session.manage"),
    }


SECTION = ChartSection(
    "sessions",
    "Counseling this week",
    "care/session_week.html",
    26,
    "session.view",
    _context,
)

CARD = SummaryCard(
    "appointments",
    "Next appointments",
    "care/card_appointments.html",
    40,
    "session.view",
    selectors.next_appointments,
    tab="counseling",
)
