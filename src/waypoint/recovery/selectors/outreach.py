"""Outreach tasks: where a person's task belongs (reads shared by every part)."""

from __future__ import annotations

from django.db.models import F

from waypoint.care.models import Episode
from waypoint.core.models import Site


def care_site(organization_id: int, patient_id: int) -> Site | None:
    """The site that follows the person up: their open episode's site, else the site of
    their latest episode (discharged people are followed by the site that discharged
    them); ``None`` when they were never admitted."""
    ep = (
        Episode.objects.filter(organization_id=organization_id, patient_id=patient_id)
        .select_related("site")
        .order_by(F("discharged_on").desc(nulls_first=True), "-admitted_on", "-id")
        .first()
    )
    return ep.site if ep else None
