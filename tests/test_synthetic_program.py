"""The dashboard benchmark's synthetic program (bench/synthetic_program.py) at a tiny size:
the rows it writes keep the app's invariants, so the benchmark cannot silently rot when a
model changes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from bench import synthetic_program as synth

from waypoint.assessments.models import Assessment
from waypoint.care.codes import DISCHARGE_REASONS
from waypoint.care.models import Episode, LevelOfCareStay, SessionAttendee
from waypoint.clinical.drugtests import ANALYTES
from waypoint.clinical.registry import score
from waypoint.core.models import Organization, Site
from waypoint.incentives.models import IncentiveLedgerEntry, IncentivePlan, Redemption
from waypoint.labs.models import DrugTest, DrugTestResult
from waypoint.medication.models import DoseEvent, MedicationOrder, TakeHomeBottle
from waypoint.patients.models import Patient

TODAY = dt.date(2026, 3, 2)  # fixed: the program must not depend on the day the test runs
PATIENTS, DAYS = 30, 60


@pytest.mark.django_db
def test_tiny_program_keeps_the_invariants():
    """One generation (30 people x 60 days), every check on it."""
    program = synth.generate(PATIENTS, DAYS / 365, seed=3, today=TODAY, progress=False)
    synth.rebuild_summaries(program)
    check_counts(program)
    check_episodes_and_stays()
    check_doses()
    check_drug_tests()
    check_assessments()
    check_incentives_and_attendance()


def check_counts(program: synth.Stats) -> None:
    org = Organization.objects.get(slug=synth.ORG_SLUG)
    assert program.organization_id == org.pk
    assert Site.objects.filter(organization=org).count() == len(synth.SITES)
    assert Patient.objects.filter(organization=org).count() == PATIENTS
    for model in (Episode, LevelOfCareStay, DoseEvent, DrugTest, Assessment, IncentivePlan):
        assert model.objects.filter(organization=org).count() == program.rows[model._meta.label]
    assert DrugTestResult.objects.count() == program.rows["labs.DrugTestResult"]
    # a program that exercises every chart: doses, tests, take-homes, awards, all levels
    assert program.rows["medication.DoseEvent"] > 100
    assert program.rows["medication.TakeHomeBottle"] > 0
    assert program.rows["labs.DrugTest"] > 30
    assert IncentiveLedgerEntry.objects.filter(kind="award").exists()


def check_episodes_and_stays() -> None:
    reasons = {c[0] for c in DISCHARGE_REASONS}
    for p in Patient.objects.all():
        eps = sorted(Episode.objects.filter(patient=p), key=lambda e: e.admitted_on)
        assert eps, "every person has an episode"
        assert sum(1 for e in eps if e.discharged_on is None) <= 1
        for a, b in zip(eps, eps[1:], strict=False):
            assert a.discharged_on is not None and a.discharged_on < b.admitted_on
        for e in eps:
            assert e.admitted_on <= TODAY
            stays = list(LevelOfCareStay.objects.filter(episode=e).order_by("started_on", "id"))
            assert stays and stays[0].started_on == e.admitted_on
            for s, t in zip(stays, stays[1:], strict=False):
                assert s.ended_on == t.started_on
            if e.discharged_on is None:
                assert stays[-1].ended_on is None and e.discharge_reason == ""
            else:
                assert stays[-1].ended_on == e.discharged_on <= TODAY
                assert e.discharge_reason in reasons


def check_doses() -> None:
    """Every dose is on a signed order inside an OTP stay, never on a take-home day."""
    start = TODAY - dt.timedelta(days=DAYS)
    stays = defaultdict(list)
    for s in LevelOfCareStay.objects.filter(level="opioid_treatment_program").select_related(
        "episode"
    ):
        stays[s.episode.patient_id].append(s)
    bottles = set(TakeHomeBottle.objects.values_list("patient_id", "family", "for_day"))
    doses = list(DoseEvent.objects.select_related("order"))
    assert doses
    for d in doses:
        o = d.order
        assert o.patient_id == d.patient_id and o.signed_at is not None
        assert o.family == d.family and o.dose_mg == d.dose_mg
        assert o.start_date <= d.local_day and (o.stop_date is None or d.local_day <= o.stop_date)
        assert start <= d.local_day <= TODAY
        assert d.local_day.weekday() != 6, "the clinic is closed on Sundays"
        assert any(
            s.started_on <= d.local_day and (s.ended_on is None or d.local_day <= s.ended_on)
            for s in stays[d.patient_id]
        ), f"dose {d.pk} outside an OTP stay"
        assert (d.patient_id, d.family, d.local_day) not in bottles, "dosed on a take-home day"
    # an open order for every open OTP stay, none for a closed one
    open_orders = MedicationOrder.objects.filter(stopped_at__isnull=True)
    open_stays = LevelOfCareStay.objects.filter(
        level="opioid_treatment_program", ended_on__isnull=True
    )
    assert open_orders.count() == open_stays.count()


def check_drug_tests() -> None:
    """Every analyte, read against the person's medication; xylazine rides on fentanyl."""
    results = defaultdict(dict)
    for r in DrugTestResult.objects.all():
        results[r.test_id][r.analyte] = (r.result, r.meaning)
    for t in DrugTest.objects.all():
        got = results[t.pk]
        assert set(got) == set(ANALYTES)
        if got["xylazine"][0] == "positive":
            assert got["fentanyl"][0] == "positive"
        uses = sorted(a for a, (_r, m) in got.items() if m == "use")
        assert sorted(t.uses) == uses and t.has_use == bool(uses)
        for a in t.expected:
            assert got[a][1] in ("expected_medication", "missing_medication")


def check_assessments() -> None:
    seen = set()
    for a in Assessment.objects.all():
        r = score(a.instrument, a.items)
        assert (a.total, a.severity) == (r.total, r.severity)
        assert a.administered_at.date() <= TODAY + dt.timedelta(days=1)
        seen.add(a.instrument)
    assert {"phq9", "gad7", "cows"} <= seen


def check_incentives_and_attendance() -> None:
    for plan in IncentivePlan.objects.all():
        for e in IncentiveLedgerEntry.objects.filter(plan=plan, kind="award"):
            assert e.test is not None and e.test.patient_id == plan.patient_id
            assert plan.start_on <= e.on and (plan.end_on is None or e.on <= plan.end_on)
    balance = defaultdict(int)
    for e in IncentiveLedgerEntry.objects.order_by("created_at", "id"):
        balance[e.patient_id] += e.cents
        assert balance[e.patient_id] >= 0, "a redemption beyond the balance"
        if e.kind == "redemption":
            assert e.redemption is not None and e.cents == -e.redemption.cents
    assert (
        Redemption.objects.count() == IncentiveLedgerEntry.objects.filter(kind="redemption").count()
    )
    for a in SessionAttendee.objects.select_related("session", "episode"):
        assert a.episode.patient_id == a.patient_id
        assert (a.status == "attended") == (a.minutes is not None)
