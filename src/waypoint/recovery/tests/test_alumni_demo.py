"""`waypoint demo` has alumni events with attendance by discharged people, contact
preferences (a withdrawal among them, left off the invitation list), sessions by video and
by phone, and retention figures to show."""

from __future__ import annotations

import pytest

from waypoint.care.models import CounselingSession, Episode
from waypoint.core.actor import Actor
from waypoint.core.models import User
from waypoint.demo import load_demo
from waypoint.recovery.models import AlumniAttendance, AlumniContactPreference, AlumniEvent
from waypoint.recovery.selectors.alumni import invite_list, retention_figures


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_has_alumni_and_modalities():
    load_demo(patients=60, seed=7)
    assert AlumniEvent.objects.count() >= 4
    came = AlumniAttendance.objects.values_list("patient_id", flat=True)
    assert came
    discharged = set(
        Episode.objects.filter(discharged_on__isnull=False).values_list("patient_id", flat=True)
    )
    assert set(came) <= discharged
    assert AlumniContactPreference.objects.filter(may_contact=False).exists()
    counselor = Actor(user=User.objects.get(username="demo_counselor"))
    listed = {i.patient.pk for i in invite_list(counselor)}
    assert listed
    for pid in listed:
        newest = AlumniContactPreference.objects.filter(patient_id=pid).order_by(
            "-recorded_at", "-id"
        )[0]
        assert newest.may_contact
    modalities = set(CounselingSession.objects.values_list("modality", flat=True))
    assert {"in_person", "video", "phone"} <= modalities
    figures = retention_figures(counselor)
    assert figures["total"].admissions == Episode.objects.count()
    assert figures["total"].marks[30].measured > 0
