"""Fixtures for the medication tests: a patient in an opioid treatment program, orders
written through the API by the physician, and past doses placed directly (the service only
records doses given within the last day, as the window does).

A dose needs an open episode of care (issue 14 rule 2): ``order`` admits the patient to an
opioid treatment program 60 days ago when they have no open episode, and ``admitted(n)``
moves that admission to ``n`` days ago (or admits them). A test of ``no_open_episode``
discharges the person, or writes its order without the fixture."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from waypoint.care.tests.test_concurrency import (  # noqa: F401  (fixtures for the races)
    _triggers_back_after_flush,
    _triggers_off_for_flush,
)

KC = ZoneInfo("America/Chicago")


def today() -> dt.date:
    return timezone.now().astimezone(KC).date()


def ago(days: int) -> dt.date:
    return today() - dt.timedelta(days)


@pytest.fixture
def patient(make_patient):
    return make_patient()


def admit_to_otp(actor, patient, days_ago: int = 60):
    """Admit ``patient`` to an OTP ``days_ago`` days ago (day 1 = admission); an open
    episode already there (the ``order`` fixture's) is moved to that day instead."""
    from waypoint.care.episodes import services
    from waypoint.care.models import Episode, LevelOfCareStay

    open_ep = Episode.objects.filter(patient=patient, discharged_on__isnull=True).first()
    if open_ep is None:
        return services.episode_admit(
            actor("counselor"), patient.pk, "opioid_treatment_program", ago(days_ago)
        )
    Episode.objects.filter(pk=open_ep.pk).update(admitted_on=ago(days_ago))
    LevelOfCareStay.objects.filter(episode=open_ep).update(started_on=ago(days_ago))
    open_ep.refresh_from_db()
    return open_ep


@pytest.fixture
def admitted(actor, patient):
    """Admit ``patient`` to an OTP ``days_ago`` days ago (day 1 = admission)."""

    def admit(days_ago: int = 60):
        return admit_to_otp(actor, patient, days_ago)

    return admit


@pytest.fixture
def order(api, patient, actor):
    """Write an order through the API as the physician; returns the JSON body. The patient
    is admitted to an OTP 60 days ago first when they have no open episode."""
    from waypoint.care.models import Episode

    def make(medication="methadone", dose_mg=60, start_days_ago=0, **extra):
        if not Episode.objects.filter(patient=patient, discharged_on__isnull=True).exists():
            admit_to_otp(actor, patient, 60)
        body = {
            "medication": medication,
            "dose_mg": dose_mg,
            "start_date": ago(start_days_ago).isoformat(),
        } | extra
        s, b = api.post(f"/patients/{patient.pk}/medication-orders", "physician", body)
        assert s == 201, b
        return b

    return make


@pytest.fixture
def backdate(patient, users):
    """Move an order's start back and place past doses (site-local days ago)."""
    from waypoint.medication.models import DoseEvent, MedicationOrder

    def place(order_id: int, *days_ago: int, start_days_ago: int | None = None):
        o = MedicationOrder.objects.get(pk=order_id)
        if start_days_ago is not None:
            o.start_date = ago(start_days_ago)
            o.save(update_fields=["start_date"])
        for n in days_ago:
            at = timezone.now() - dt.timedelta(days=n)
            DoseEvent.objects.create(
                organization_id=o.organization_id,
                patient_id=o.patient_id,
                order=o,
                site=o.site,
                family=o.family,
                dose_mg=o.dose_mg,
                local_day=ago(n),
                administered_at=at,
                recorded_at=at,
                administered_by=users["nurse"],
            )
        return o

    return place


FAVORABLE = {
    code: {"favorable": True, "note": ""}
    for code in (
        "no_active_risk_condition",
        "regular_attendance",
        "no_serious_behavioral_problems",
        "no_recent_diversion",
        "safe_transport_and_storage",
        "other_relevant_criteria",
    )
}


@pytest.fixture
def determined(api, patient):
    """The prescriber's take-home determination (every criterion favorable), through the
    API; ``determined(decided_on=...)`` backdates it."""

    def record(**extra):
        s, b = api.post(
            f"/patients/{patient.pk}/take-home-determinations",
            "physician",
            {"answers": FAVORABLE} | extra,
        )
        assert s == 201, b
        return b

    return record


_n = iter(range(10**9))


def key() -> str:
    return f"test-key-{next(_n):08d}"


@pytest.fixture
def give(api):
    def dose(order_id: int, dose_mg, role="nurse", **extra):
        body = {"order": order_id, "dose_mg": dose_mg, "idempotency_key": key()} | extra
        return api.post("/doses", role, body)

    return dose


def mg(x) -> Decimal:
    return Decimal(str(x))


def bottle(org_id, p, o, family, day, at, nurse) -> None:
    """A take-home supply of one bottle of ``o``'s dose for ``day``, dispensed at ``at``."""
    from waypoint.medication.models import TakeHomeBottle, TakeHomeSupply

    supply = TakeHomeSupply.objects.create(
        organization_id=org_id,
        patient=p,
        order=o,
        site=o.site,
        first_day=day,
        days=1,
        dose_mg=o.dose_mg,
        days_in_treatment=30,
        regulatory_max=1,
        dispensed_by=nurse,
        dispensed_at=at,
    )
    TakeHomeBottle.objects.create(
        organization_id=org_id,
        supply=supply,
        patient=p,
        family=family,
        for_day=day,
        dose_mg=o.dose_mg,
    )


@pytest.fixture
def methadone(actor, patient, admitted, backdate):
    """A methadone order of 40 mg, dosed yesterday: today's dose is an ordinary one."""
    admitted(30)
    from waypoint.medication import services as med

    o = med.order_create(
        actor("physician"),
        patient.pk,
        medication="methadone",
        dose_mg=Decimal("40"),
        start_date=ago(1),
    )
    return backdate(o.pk, 1)
