"""Demo episodes of care over the last six months: most patients admitted at the level
their level-of-care decision chose (a random level where there was none), some moved
between levels, some discharged with TEDS reasons."""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Min

from waypoint.assessments.models import Assessment, LevelOfCareAssessment
from waypoint.clinical.level_of_care import LEVELS
from waypoint.core.actor import Actor
from waypoint.core.models import Site, User
from waypoint.core.selectors import site_today
from waypoint.patients.models import Patient

from . import services

# Where people usually go next from each level (step-down first).
NEXT = {
    "withdrawal_management": ["residential", "intensive_outpatient", "opioid_treatment_program"],
    "residential": ["partial_hospitalization", "intensive_outpatient"],
    "partial_hospitalization": ["intensive_outpatient"],
    "intensive_outpatient": ["outpatient", "opioid_treatment_program"],
    "outpatient": ["intensive_outpatient"],
    "opioid_treatment_program": ["intensive_outpatient", "outpatient"],
}
TYPICAL_DAYS = {
    "withdrawal_management": (3, 8),
    "residential": (21, 45),
    "partial_hospitalization": (14, 30),
    "intensive_outpatient": (30, 75),
    "outpatient": (45, 120),
    "opioid_treatment_program": (60, 200),
}
REASONS = ["completed", "dropped_out", "terminated", "transferred", "incarcerated", "other"]
REASON_WEIGHTS = [40, 30, 6, 14, 5, 5]
REFERRALS = ["individual", "sud_provider", "health_care_provider", "community", "criminal_justice"]
SUBSTANCES = ["fentanyl", "heroin", "other_opioids", "non_prescription_methadone"]


def load(actor: Actor, sites: list[Site], rng: random.Random) -> None:
    org_id = actor.organization_id
    counselor = Actor(
        user=User.objects.get(organization_id=org_id, username="demo_counselor"),
        channel="cli",
        purpose="operations",
    )
    decided = {}
    la: LevelOfCareAssessment | None
    for la in LevelOfCareAssessment.objects.filter(organization_id=org_id).order_by("assessed_at"):
        decided[la.patient_id] = la
    # The demo's level-of-care assessments are all made "now"; the intake screens carry the
    # dates over the last six months, so an episode starts after the patient's first screen.
    first_seen = dict(
        Assessment.objects.filter(organization_id=org_id)
        .values_list("patient_id")
        .annotate(first=Min("administered_at"))
    )
    for patient in Patient.objects.filter(organization_id=org_id).select_related("site"):
        la = decided.get(patient.pk)
        if rng.random() < (0.1 if la else 0.6):
            continue  # not (yet) admitted
        today = site_today(patient.site)
        if la is not None:
            level = la.decided_level or la.recommended_level
            seen = first_seen.get(patient.pk, la.assessed_at)
            earliest = seen.astimezone(patient.site.tz).date()
        else:
            level = rng.choice(LEVELS)
            earliest = today - dt.timedelta(days=rng.randint(0, 180))
        start = min(today, earliest + dt.timedelta(days=rng.randint(0, 3)))
        ep = services.episode_admit(
            counselor,
            patient.pk,
            level,
            start,
            referral_source=rng.choice(REFERRALS),
            primary_substance=rng.choices(SUBSTANCES, weights=[60, 25, 12, 3])[0],
            other_substances=rng.sample(["benzodiazepines", "methamphetamine", "alcohol"], 1)
            if rng.random() < 0.4
            else [],
        )
        on, current = start, level
        for _ in range(3):
            lo, hi = TYPICAL_DAYS[current]
            on = on + dt.timedelta(days=rng.randint(lo, hi))
            if on > today:
                break
            if rng.random() < 0.3:  # leaves the program from this level
                reason = rng.choices(REASONS, weights=REASON_WEIGHTS)[0]
                services.episode_discharge(counselor, ep.pk, on, reason)
                break
            current = rng.choice(NEXT[current])
            services.episode_transition(counselor, ep.pk, current, on)
