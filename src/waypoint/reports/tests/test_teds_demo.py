"""The demo program's last six months export to TEDS records that all pass the layout's
rules, and every episode admitted or discharged in the period has its record."""

from __future__ import annotations

import pytest
from django.utils import timezone

from waypoint.care.models import Episode
from waypoint.clinical import teds as layout
from waypoint.core.models import Organization
from waypoint.demo import load_demo
from waypoint.reports import teds


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demos_period_exports_and_validates():
    load_demo(patients=60, seed=7)
    org = Organization.objects.get(is_demo=True)
    end = timezone.now().date()
    start = end.replace(year=end.year - 1)
    ex = teds.build(org.pk, start, end)
    assert ex.problems() == []
    eps = Episode.objects.filter(organization=org)
    admitted = eps.filter(admitted_on__gte=start, admitted_on__lte=end)
    discharged = eps.filter(discharged_on__gte=start, discharged_on__lte=end)
    assert len(ex.admissions) == admitted.count() > 0
    assert len(ex.discharges) == discharged.count() > 0
    for r in ex.records:
        assert layout.validate(r) == []
    # the demo's episodes carry what Waypoint collects: the codes are not all missing
    assert any(r["SUB1"] != "-9" for r in ex.admissions)
    assert any(r["PSOURCE"] != "-9" for r in ex.admissions)
    assert {r["REASON"] for r in ex.discharges} <= set(layout.REASON_CODES)
