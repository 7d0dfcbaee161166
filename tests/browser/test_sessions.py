"""Counseling in a browser: a counselor opens their day, records a patient's attendance
with the quick form, and the roster shows it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from waypoint.care.episodes import services
from waypoint.care.models import SessionAttendee
from waypoint.care.sessions import services as sessions
from waypoint.care.sessions.schemas import SessionIn

pytestmark = pytest.mark.browser


def test_counselor_records_attendance_in_day_view(users, make_patient, site, actor, signed_in):
    patient = make_patient("Rowan", "Ellery")
    today = timezone.now().astimezone(site.tz).date()
    services.episode_admit(
        actor("counselor"), patient.pk, "intensive_outpatient", today - dt.timedelta(days=10)
    )
    yesterday = today - dt.timedelta(days=1)
    (s,) = sessions.session_schedule(
        actor("counselor"),
        SessionIn(
            kind="individual",
            site=site.code,
            counselor=users["counselor"].pk,
            starts_at=dt.datetime.combine(yesterday, dt.time(10), tzinfo=site.tz),
            duration_minutes=60,
            patients=[patient.pk],
        ),
    )
    page = signed_in("t_counselor")
    page.goto(f"/care/sessions/day/?date={yesterday.isoformat()}")
    row = page.locator(f"#att-{s.pk}-{patient.pk}")
    expect(row).to_contain_text("Ellery, Rowan")
    expect(row.locator(".att-status")).to_have_text("Not recorded")
    row.locator("select[name=status]").select_option("attended")
    row.locator("input[name=minutes]").fill("50")
    row.locator("button[type=submit]").click()
    expect(page.locator(f"#att-{s.pk}-{patient.pk} .att-status")).to_have_text("Attended (50 min)")
    assert SessionAttendee.objects.get(session=s, patient=patient).minutes == 50
