"""Shared set-up of the aftercare and naloxone tests (test_aftercare_*.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from waypoint.core.selectors import site_today

ITEM = {"kind": "mutual_help", "detail": "NA meeting, Tuesdays 7 pm", "contact": "555-0100"}


def admit(actor, patient, on, level="residential"):
    from waypoint.care.episodes import services

    return services.episode_admit(actor("counselor"), patient.pk, level, on)


def discharge(actor, episode, on, reason="completed"):
    from waypoint.care.episodes import services

    return services.episode_discharge(actor("counselor"), episode.pk, on, reason)


def discharged(actor, patient, days_ago: int, level="residential"):
    """An episode admitted 40 days before and discharged ``days_ago`` days ago (site time)."""
    today = site_today(patient.site)
    ep = admit(actor, patient, today - dt.timedelta(days=days_ago + 40), level)
    return discharge(actor, ep, today - dt.timedelta(days=days_ago))


def oud(patient, actor, severity="severe"):
    """A DSM-5 OUD result on the record (what the naloxone list reads)."""
    from django.utils import timezone

    from waypoint.assessments.models import Assessment

    return Assessment.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        instrument="dsm5_oud",
        items={},
        total=7 if severity == "severe" else 0,
        severity=severity,
        details={"icd10": "F11.20"} if severity != "none" else {},
        administered_at=timezone.now(),
        administered_by=actor("physician").user,
    )


def facility(name, lat, lon, *, site=None, phone="(816) 555-0101", street="1 Main St"):
    """An active listing of the public locator at (lat, lon)."""
    from waypoint.directory import codes, synthetic
    from waypoint.directory.index import listing_json
    from waypoint.directory.models import Facility

    values = {**synthetic.records(1, seed=1, unpublished_share=1.0)[0].values}
    values.update(
        name1=name,
        name2="",
        street1=street,
        city="Kansas City",
        state="MO",
        zip="64106",
        latitude=lat,
        longitude=lon,
        phone=phone,
        site_id=None,
    )
    values = codes.merged_offer(values, otp=False)
    values["listing_json"] = listing_json(values)
    values.pop("site_id")
    return Facility.objects.create(key=name, source="synthetic", site=site, **values)


@pytest.fixture
def fresh_index(settings):
    from waypoint.directory import index

    settings.WAYPOINT_DIRECTORY_RECHECK_SECONDS = 0
    index.reset()
    yield
    index.reset()
