"""The census board is right for the demo program: every figure recomputed from the rows
themselves (stays, episodes, attendance) independently of the census selectors."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from waypoint.care.census import census
from waypoint.care.models import Episode, LevelOfCareStay
from waypoint.clinical.level_of_care import LEVELS
from waypoint.core.actor import Actor
from waypoint.core.models import Site, User
from waypoint.demo import load_demo


@pytest.mark.slow
@pytest.mark.django_db
def test_census_matches_the_demo_data():
    load_demo(patients=60, seed=7)
    actor = Actor(user=User.objects.get(username="demo_admin"))
    checked = 0
    for site in Site.objects.all():
        board = census(actor, site)
        today = timezone.now().astimezone(site.tz).date()
        week_start = today - dt.timedelta(days=today.weekday())
        open_stays = LevelOfCareStay.objects.filter(
            episode__site=site, episode__discharged_on__isnull=True, ended_on__isnull=True
        )
        expected = Counter(open_stays.values_list("level", flat=True))
        assert board["counts"] == {lvl: expected.get(lvl, 0) for lvl in LEVELS}
        shown = [r["patient"].pk for lv in board["levels"] for r in lv["rows"]]
        open_patients = Episode.objects.filter(site=site, discharged_on__isnull=True)
        assert sorted(shown) == sorted(open_patients.values_list("patient_id", flat=True))
        assert len(shown) == len(set(shown)) == board["current_total"]
        here = Episode.objects.filter(site=site)
        assert board["admissions_this_week"] == sum(1 for e in here if e.admitted_on >= week_start)
        assert board["discharges_this_week"] == sum(
            1 for e in here if e.discharged_on and e.discharged_on >= week_start
        )
        for lv in board["levels"]:
            for r in lv["rows"]:
                stay = r["stay"]
                assert stay.level == lv["level"] and stay.ended_on is None
        checked += len(shown)
    assert checked > 10  # the demo really has patients in care
