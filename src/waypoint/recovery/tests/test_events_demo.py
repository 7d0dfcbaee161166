"""`waypoint demo` holds recovery events of every kind the part handles: returns to use
after a residential or withdrawal-management discharge (the overdose-risk flag and a task),
an overdose with naloxone used, a release from incarceration, and open tasks with
attempts."""

from __future__ import annotations

import pytest

from waypoint.assessments.models import Flag
from waypoint.demo import load_demo
from waypoint.recovery.models import OutreachAttempt, OutreachTask, RecoveryEvent


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_has_events_flags_and_open_tasks_with_attempts():
    load_demo(patients=80, seed=7)
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
