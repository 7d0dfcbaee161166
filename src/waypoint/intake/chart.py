"""The front door's parts of the patient chart: the "From intake" section (what the walk-in
or call said, with a link back to it) and the banner of its urgent facts (in withdrawal
now, pregnant, overdose in the last year), registered by ``IntakeConfig.ready()``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.timezone import localtime

from waypoint.patients.chart import ChartSection

from . import selectors


def _context(actor, patient) -> dict:
    return {"inquiries": selectors.patient_inquiries(actor.organization_id, patient)}


def urgent_banner(actor, patient) -> list[dict]:
    """Urgent intake facts of the last days on the chart banner (no acknowledgement: they
    are facts, reviewed with the assessments)."""
    if not actor.can("inquiry.view"):
        return []
    out = []
    for inq in selectors.urgent_recent(actor.organization_id, patient):
        out.append(
            {
                "kind": "intake",
                "title": "At intake:",
                "text": ", ".join(inq.urgency_labels) + f" ({inq.get_channel_display().lower()} "
                f"{localtime(inq.arrived_at, inq.site.tz):%Y-%m-%d %H:%M})",
                "url": reverse("intake:detail", args=[inq.pk]),
            }
        )
    return out


SECTION = ChartSection(
    "intake", "From intake", "intake/section_intake.html", 22, "inquiry.view", _context
)
