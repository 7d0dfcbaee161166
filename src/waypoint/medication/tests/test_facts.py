"""The one-query read of a dosing day (``medication.facts``) against the ORM, on whichever
database the suite runs on (SQLite and PostgreSQL return dates, decimals and JSON from a
raw cursor differently)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Max, Sum

from waypoint.medication import services
from waypoint.medication.facts import day_facts
from waypoint.medication.models import DoseEvent, TakeHomeBottle

from .conftest import ago, today

pytestmark = pytest.mark.django_db


def orm_truth(org_id: int, patient_id: int, family: str, day: dt.date) -> dict:
    doses = DoseEvent.objects.filter(organization_id=org_id, patient_id=patient_id, family=family)
    bottles = TakeHomeBottle.objects.filter(
        organization_id=org_id, patient_id=patient_id, family=family
    )
    return {
        "doses_today": doses.filter(local_day=day).count(),
        "mg_today": doses.filter(local_day=day).aggregate(s=Sum("dose_mg"))["s"] or Decimal(0),
        "last_dose_before": doses.filter(local_day__lt=day).aggregate(m=Max("local_day"))["m"],
        "last_bottle_before": bottles.filter(for_day__lt=day).aggregate(m=Max("for_day"))["m"],
        "bottle_today": bottles.filter(for_day=day).exists(),
    }


def facts_dict(f) -> dict:
    return {k: getattr(f, k) for k in FIELDS}


FIELDS = ("doses_today", "mg_today", "last_dose_before", "last_bottle_before", "bottle_today")


def test_a_person_with_nothing_yet(org, patient, order):
    o = order("methadone", 40)
    f = day_facts(org.pk, patient.pk, "methadone", today())
    assert facts_dict(f) == orm_truth(org.pk, patient.pk, "methadone", today())
    assert f.doses_today == 0 and f.mg_today == Decimal(0)
    assert f.last_covered_before is None and not f.bottle_today
    assert f.dosing_settings == {} and f.take_home_settings == {}
    assert o["id"]


def test_doses_bottles_and_settings_match_the_orm(
    org, patient, admitted, order, backdate, api, actor
):
    admitted(40)
    o = order("methadone", 62.5, take_home_max_doses=6)
    backdate(o["id"], 9, 5, 3, 0, start_days_ago=40)
    services.settings_update(actor("admin"), {"missed_days_for_reassessment": 4}, {})
    s, b = api.post(f"/patients/{patient.pk}/take-homes", "nurse", {"order": o["id"], "days": 2})
    assert s == 201, b
    for day in (today(), ago(4), ago(3), ago(2), ago(-1), ago(-2), ago(-3)):
        f = day_facts(org.pk, patient.pk, "methadone", day)
        assert facts_dict(f) == orm_truth(org.pk, patient.pk, "methadone", day), day
    f = day_facts(org.pk, patient.pk, "methadone", today())
    assert f.doses_today == 1 and f.mg_today == Decimal("62.50")
    assert f.last_dose_before == ago(3) and f.last_bottle_before is None
    assert f.dosing_settings == {"missed_days_for_reassessment": 4}
    tomorrow = day_facts(org.pk, patient.pk, "methadone", ago(-1))
    assert tomorrow.bottle_today and tomorrow.last_dose_before == today()
    after = day_facts(org.pk, patient.pk, "methadone", ago(-3))
    assert after.last_bottle_before == ago(-2) and after.last_covered_before == ago(-2)
    # another family and another organization see none of it
    assert day_facts(org.pk, patient.pk, "buprenorphine", today()).doses_today == 0
    assert day_facts(org.pk + 1000, patient.pk, "methadone", today()).doses_today == 0
