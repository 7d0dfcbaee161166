"""`waypoint demo` has aftercare plans of the recently discharged with every item status
(a missed one with its outreach task), naloxone kits (some out of the first site's
naloxone stock), and people on the nurse's "Naloxone due" list."""

from __future__ import annotations

import pytest

from waypoint.core.actor import Actor
from waypoint.core.models import User
from waypoint.demo import load_demo
from waypoint.medication.models import StockEntry
from waypoint.recovery.models import AftercareItem, AftercarePlan, NaloxoneKit, OutreachTask
from waypoint.recovery.selectors import aftercare as selectors


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_has_plans_kits_and_people_due_a_kit():
    load_demo(patients=80, seed=11)
    assert AftercarePlan.objects.exists()
    statuses = set(AftercareItem.objects.values_list("status", flat=True))
    assert {"planned", "missed"} <= statuses, statuses
    missed = AftercareItem.objects.filter(status="missed")
    tasks = OutreachTask.objects.filter(reason="missed_aftercare")
    assert tasks.count() == missed.count() and tasks.filter(status="open").exists()
    assert NaloxoneKit.objects.count() >= 10
    assert StockEntry.objects.filter(medication="naloxone", kind="received").count() == 1
    nurse = User.objects.get(username="demo_nurse")
    rows = selectors.naloxone_due_rows(Actor(user=nurse), nurse.site)
    assert rows, "the nurse's naloxone list is empty"
    assert any(r["last_kit_on"] is not None for r in rows)  # a kit over 12 months ago
