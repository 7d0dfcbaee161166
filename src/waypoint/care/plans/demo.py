"""Demo treatment plans: most open episodes get a plan written within days of the start
of the current level of care (so some are overdue for review), most of them signed by the
counselor and the patient, some already revised once."""

from __future__ import annotations

import datetime as dt
import random

from waypoint.assessments.models import Problem
from waypoint.care.models import Episode, LevelOfCareStay
from waypoint.core.actor import Actor
from waypoint.core.models import Site, User
from waypoint.core.selectors import site_today

from . import services
from .schemas import PlanIn

OUD_GOALS = [
    ("Stop using illicit opioids", "Negative urine drug tests for opioids, 3 in a row"),
    ("Take medication for OUD as prescribed", "No missed doses for 4 weeks"),
    ("Reduce overdose risk", "Carries naloxone; names two overdose-risk situations"),
]
CO_OCCURRING = {
    "depression": ("Improve mood", "PHQ-9 below 10"),
    "anxiety": ("Manage anxiety without substances", "GAD-7 below 10"),
    "ptsd": ("Reduce trauma symptoms", "Attends trauma-focused therapy 6 of 8 weeks"),
}
INTERVENTIONS = [
    ("Individual counseling (CBT)", "weekly"),
    ("Group counseling", "3 times a week"),
    ("Medication management visit", "every 2 weeks"),
    ("Recovery coaching and peer support", "weekly"),
]


def load(actor: Actor, sites: list[Site], rng: random.Random) -> None:
    org_id = actor.organization_id
    counselor_user = User.objects.get(organization_id=org_id, username="demo_counselor")
    physician = User.objects.filter(organization_id=org_id, username="demo_physician").first()
    counselor = Actor(user=counselor_user, channel="cli", purpose="operations")
    staff = [counselor_user, *([physician] if physician else [])]
    open_eps = Episode.objects.filter(
        organization_id=org_id, discharged_on__isnull=True
    ).select_related("site")
    for ep in open_eps.order_by("id"):
        if rng.random() < 0.2:
            continue  # no plan yet
        today = site_today(ep.site)
        stay = LevelOfCareStay.objects.get(episode=ep, ended_on__isnull=True)
        plan_date = min(today, stay.started_on + dt.timedelta(days=rng.randint(0, 3)))
        problems = []
        goal, objective = rng.choice(OUD_GOALS)
        problems.append(
            _problem("Opioid use disorder", None, goal, objective, plan_date, staff, rng)
        )
        for p in Problem.objects.filter(
            organization_id=org_id, patient_id=ep.patient_id, status="active"
        )[:2]:
            goal, objective = CO_OCCURRING.get(
                p.condition, ("Stabilize the co-occurring condition", "Keeps referral visits")
            )
            problems.append(_problem(p.display, p.pk, goal, objective, plan_date, staff, rng))
        plan = services.plan_create(
            counselor, ep.pk, PlanIn.model_validate({"plan_date": plan_date, "problems": problems})
        )
        if rng.random() < 0.8:
            services.plan_sign(counselor, plan.pk, "clinician")
            if rng.random() < 0.85:
                services.plan_sign(counselor, plan.pk, "patient")
            if rng.random() < 0.15:
                services.plan_revise(counselor, plan.pk)


def _problem(text, problem_id, goal, objective, plan_date, staff, rng) -> dict:
    what, freq = rng.choice(INTERVENTIONS)
    return {
        "text": text[:500],
        "problem_id": problem_id,
        "goals": [
            {
                "text": goal,
                "objectives": [
                    {
                        "text": objective,
                        "target_date": plan_date + dt.timedelta(days=rng.choice([30, 45, 60, 90])),
                    }
                ],
                "interventions": [
                    {"text": what, "responsible": rng.choice(staff).pk, "frequency": freq}
                ],
            }
        ],
    }
