"""Demo assessments: intake screens for most patients, COWS series for people in
withdrawal management, risk screens, problems and level-of-care decisions."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from waypoint.clinical import cows
from waypoint.clinical.dsm5_oud import CRITERIA
from waypoint.core.actor import Actor
from waypoint.core.models import Site, User
from waypoint.patients.models import Patient

from . import services

COWS_ALLOWED = {it.name: it.allowed for it in cows.ITEMS}


def _cows(rng: random.Random, intensity: float) -> dict:
    """Item values around an intensity from 0 (none) to 1 (severe)."""
    out = {}
    for name in COWS_ALLOWED:
        allowed = COWS_ALLOWED[name]
        idx = min(
            len(allowed) - 1, max(0, round(intensity * (len(allowed) - 1) + rng.uniform(-0.8, 0.8)))
        )
        out[name] = allowed[idx]
    return out


def load(actor: Actor, sites: list[Site], rng: random.Random) -> None:
    org_id = actor.organization_id
    clinician = Actor(
        user=User.objects.get(organization_id=org_id, username="demo_physician"),
        channel="cli",
        purpose="operations",
    )
    now = timezone.now()
    for patient in Patient.objects.filter(organization_id=org_id).order_by("id"):
        if rng.random() < 0.2:
            continue  # not yet assessed
        start = now - dt.timedelta(days=rng.randint(0, 170), hours=rng.randint(0, 8))
        start = max(start, now - dt.timedelta(days=170))
        detox = rng.random() < 0.2
        if detox:  # room for two days of COWS scores
            start = min(start, now - dt.timedelta(hours=48))
        n = rng.choices([1, 3, 5, 7, 9], weights=[5, 15, 25, 30, 25])[0]
        dsm = {name: i < n for i, (name, _) in enumerate(rng.sample(CRITERIA, len(CRITERIA)))}
        services.assessment_record(
            actor, patient.pk, "dsm5_oud", dsm | {"in_withdrawal_now": rng.random() < 0.4}, start
        )
        phq = {
            f"q{i}": rng.choices([0, 1, 2, 3], weights=[40, 30, 20, 10])[0] for i in range(1, 10)
        }
        if rng.random() < 0.9:
            phq["q9"] = 0  # most people: no thoughts of self-harm
        services.assessment_record(actor, patient.pk, "phq9", phq, start)
        services.assessment_record(
            actor,
            patient.pk,
            "gad7",
            {f"q{i}": rng.choices([0, 1, 2, 3], weights=[35, 30, 22, 13])[0] for i in range(1, 8)},
            start,
        )
        if detox:  # a COWS every 4 hours over two days, withdrawal easing
            for k in range(12):
                services.assessment_record(
                    clinician,
                    patient.pk,
                    "cows",
                    _cows(rng, max(0.0, 0.75 - k * 0.065)),
                    start + dt.timedelta(hours=4 * k),
                )
        factors = {
            "injection_use": rng.random() < 0.35,
            "tobacco_use": rng.random() < 0.7,
            "unemployed": rng.random() < 0.45,
            "overdose_history": rng.random() < 0.35,
            "overdose_last_year": rng.random() < 0.12,
            "fentanyl_exposure": rng.random() < 0.8,
            "family_history_addiction": rng.random() < 0.5,
            "recent_abstinence": rng.random() < 0.05,
        }
        services.risk_screen_record(
            actor, patient.pk, factors, infection_testing_offered=factors["injection_use"]
        )
        if rng.random() < 0.3:
            services.problem_add(
                clinician, patient.pk, rng.choice(["depression", "anxiety", "ptsd", "bipolar"])
            )
        ratings = {
            "d1_intoxication_withdrawal": 3 if detox else rng.choice([0, 1, 1, 2]),
            "d2_biomedical": rng.choice([0, 1, 1, 2]),
            "d3_emotional_behavioral": rng.choice([0, 1, 2, 2, 3]),
            "d4_readiness": rng.choice([0, 1, 2, 3]),
            "d5_relapse_potential": rng.choice([1, 2, 2, 3]),
            "d6_recovery_environment": rng.choice([0, 1, 2, 3]),
        }
        la = services.level_of_care_assess(
            actor, patient.pk, ratings, overdose_last_year=factors["overdose_last_year"]
        )
        if rng.random() < 0.85:
            if rng.random() < 0.85:
                services.level_of_care_decide(clinician, la.pk, accept=True)
            else:
                other = (
                    "opioid_treatment_program"
                    if la.recommended_level != "opioid_treatment_program"
                    else "intensive_outpatient"
                )
                services.level_of_care_decide(
                    clinician,
                    la.pk,
                    accept=False,
                    level=other,
                    reason="Patient prefers daily dosing near work",
                )
