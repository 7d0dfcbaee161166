"""Random and near-valid bodies for the drug-test, plan and redemption endpoints: always a
4xx with a code (or a 201), never a server error, and nothing written when refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from waypoint.audit.models import AuditEvent
from waypoint.clinical.drugtests import ANALYTES
from waypoint.incentives.models import IncentiveLedgerEntry, IncentivePlan, Redemption
from waypoint.labs.models import DrugTest
from waypoint.patients.tests.test_bad_input import json_values

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def counts():
    return (
        DrugTest.objects.count(),
        IncentivePlan.objects.count(),
        IncentiveLedgerEntry.objects.count(),
        Redemption.objects.count(),
        AuditEvent.objects.count(),
    )


def check(status, out, before):
    assert status < 500, out
    if status not in (200, 201):
        assert 400 <= status < 500
        assert isinstance(out, dict) and "code" in out and "detail" in out, out
        assert counts() == before


results = st.dictionaries(
    st.sampled_from(ANALYTES) | st.text(max_size=12),
    st.sampled_from(["positive", "negative", "invalid", "not_tested"]) | json_values,
    max_size=4,
)
test_bodies = st.fixed_dictionaries(
    {},
    optional={
        "collected_at": st.sampled_from(
            [
                (timezone.now() - dt.timedelta(hours=1)).isoformat(),
                "2999-01-01T00:00:00+00:00",
                "2026-02-31T10:00:00+00:00",
                "yesterday",
            ]
        )
        | json_values,
        "observed": st.booleans() | json_values,
        "results": results | json_values,
        "specimen": st.sampled_from(["urine", "hair"]) | json_values,
        "method": st.sampled_from(["lab", "test_strip", "x"]) | json_values,
        "junk": json_values,
    },
)


@FUZZ
@given(data=test_bodies | json_values)
def test_random_drug_test_bodies(api, make_patient, data):
    from waypoint.patients.models import Patient

    p = Patient.objects.first() or make_patient()
    before = counts()
    status, out = api.post(f"/patients/{p.pk}/drug-tests", "nurse", data)
    check(status, out, before)


plan_bodies = st.fixed_dictionaries(
    {},
    optional={
        "schedule": st.sampled_from(["escalating", "prize_draw", "lottery"]) | json_values,
        "start_on": st.sampled_from(["2026-11-01", "2026-13-01", "x"]) | json_values,
        "tests_per_week": st.integers(-2, 9) | json_values,
        "targets": st.lists(st.sampled_from(ANALYTES) | st.text(max_size=8), max_size=3)
        | json_values,
        "confirm_without_medication": st.booleans() | json_values,
    },
)


@FUZZ
@given(data=plan_bodies | json_values)
def test_random_plan_and_redemption_bodies(api, make_patient, data):
    from waypoint.patients.models import Patient

    p = Patient.objects.first() or make_patient()
    before = counts()
    status, out = api.post(f"/patients/{p.pk}/incentive-plans", "counselor", data)
    assert status < 500, out
    if status != 201:
        check(status, out, before)
    before = counts()
    status, out = api.post(f"/patients/{p.pk}/redemptions", "incentives", data)
    check(status, out, before)
