"""`waypoint demo`'s after-discharge data, loaded once for the three parts that check it:

- recovery events of every kind the events part handles: returns to use after a
  residential or withdrawal-management discharge (the overdose-risk flag and a task), an
  overdose with naloxone used, a release from incarceration, and open tasks with attempts;
- aftercare plans of the recently discharged with every item status (a missed one with its
  outreach task), naloxone kits (some out of the first site's naloxone stock), and people on
  the nurse's "Naloxone due" list;
- alumni events with attendance by discharged people, contact preferences (a withdrawal
  among them, left off the invitation list), sessions by video and by phone, and retention
  figures to show.

(The check-ins part checks its demo on its own: test_checkins_demo.py.)"""

from __future__ import annotations

import pytest

from waypoint.assessments.models import Flag
from waypoint.care.models import CounselingSession, Episode
from waypoint.core.actor import Actor
from waypoint.core.models import User
from waypoint.demo import load_demo
from waypoint.medication.models import StockEntry
from waypoint.recovery.models import (
    AftercareItem,
    AftercarePlan,
    AlumniAttendance,
    AlumniContactPreference,
    AlumniEvent,
    NaloxoneKit,
    OutreachAttempt,
    OutreachTask,
    RecoveryEvent,
)
from waypoint.recovery.selectors import aftercare as selectors
from waypoint.recovery.selectors.alumni import invite_list, retention_figures


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_has_the_after_discharge_data():
    load_demo(patients=80, seed=7)
    _events()
    _aftercare()
    _alumni()


def _events() -> None:
    kinds = set(RecoveryEvent.objects.values_list("kind", flat=True))
    assert {"return_to_use", "overdose", "naloxone_used", "release_from_incarceration"} <= kinds
    lost = RecoveryEvent.objects.filter(lost_tolerance=True)
    assert lost.exists()
    flagged = Flag.objects.filter(kind="overdose_risk", source_type="recoveryevent")
    assert set(flagged.values_list("source_id", flat=True)) == set(
        lost.values_list("pk", flat=True)
    )
    uses = RecoveryEvent.objects.filter(kind__in=("return_to_use", "overdose")).count()
    tasks = OutreachTask.objects.filter(source_type="recoveryevent")
    assert tasks.count() == uses and tasks.filter(status="open").exists()
    assert OutreachAttempt.objects.filter(task__status="open").exists()


def _aftercare() -> None:
    assert AftercarePlan.objects.exists()
    statuses = set(AftercareItem.objects.values_list("status", flat=True))
    assert {"planned", "missed"} <= statuses, statuses
    missed = AftercareItem.objects.filter(status="missed")
    tasks = OutreachTask.objects.filter(reason="missed_aftercare")
    assert tasks.count() == missed.count() and tasks.filter(status="open").exists()
    assert NaloxoneKit.objects.count() >= 10
    assert StockEntry.objects.filter(medication="naloxone", kind="received").count() == 1
    nurse = User.objects.get(username="demo_nurse")
    assert nurse.site is not None
    rows = selectors.naloxone_due_rows(Actor(user=nurse), nurse.site)
    assert rows, "the nurse's naloxone list is empty"
    assert any(r["last_kit_on"] is not None for r in rows)  # a kit over 12 months ago


def _alumni() -> None:
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
