"""Demo drug testing and contingency management: six months of tests for everyone in an
opioid treatment program (fentanyl common in the first weeks, fewer later, some relapses),
a contingency plan for about a third of them with its awards settled through the real
service, a rewards catalog and a monthly budget per site, a few redemptions, and today's
random picks.

Past tests are placed in bulk (as an import from a lab interface would be), read with the
same pure rule as the service; the awards then come from ``services.settle`` (audited).
Each test has a reason: the first after admission ``admission``, most tests of a person
with a plan ``contingency``, the others ``random`` (only those count toward the minimum).
The admission test answers the test request that entering the opioid treatment program
made; a request left without a test in the history (a transfer into the program, an
admission before the six months) gets its admission test on its day."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from waypoint.care.models import Episode, LevelOfCareStay
from waypoint.clinical import drugtests as dtr
from waypoint.core.actor import Actor
from waypoint.core.errors import DomainError
from waypoint.core.models import Site, User
from waypoint.labs import services as labs
from waypoint.labs.models import DrugTest, DrugTestResult, TestRequest

from . import services

REWARDS = (
    ("Transit day pass", "transport", 500),
    ("Meal voucher", "food", 1000),
    ("Phone credit", "phone", 1500),
    ("Hygiene kit", "health", 800),
    ("Gym week pass", "recreation", 2000),
    ("Grocery gift card", "gift_card", 2500),
)
PANEL = (
    "opiates",
    "fentanyl",
    "xylazine",
    "buprenorphine",
    "methadone",
    "oxycodone",
    "cocaine",
    "amphetamines",
    "benzodiazepines",
    "cannabinoids",
)


def _results(rng: random.Random, week: int, relapse: bool, meds: list[str]) -> dict[str, str]:
    use = max(0.05, 0.6 - week * 0.06) + (0.5 if relapse else 0.0)
    fent = rng.random() < use
    r = dict.fromkeys(PANEL, "negative")
    if fent:
        r["fentanyl"] = "positive"
        r["xylazine"] = "positive" if rng.random() < 0.4 else "negative"
        r["opiates"] = "positive" if rng.random() < 0.3 else "negative"
    if rng.random() < use / 3:
        r["cocaine"] = "positive"
    if rng.random() < 0.15:
        r["cannabinoids"] = "positive"
    for m in meds:
        a = dtr.MEDICATION_ANALYTE.get(m)
        if a:
            r[a] = "negative" if rng.random() < 0.03 else "positive"
    return r


def load(actor: Actor, sites: list[Site], rng: random.Random) -> None:
    org = actor.organization_id
    staff = {
        u.role: u for u in User.objects.filter(organization_id=org, username__startswith="demo_")
    }
    coord = Actor(user=staff["incentives"], channel="cli")
    counselor = Actor(user=staff["counselor"], channel="cli")
    nurse = Actor(user=staff["nurse"], channel="cli")
    otp = set(
        LevelOfCareStay.objects.filter(
            organization_id=org, ended_on__isnull=True, level="opioid_treatment_program"
        ).values_list("episode_id", flat=True)
    )
    now = timezone.now()
    for site in sites:
        today = now.astimezone(site.tz).date()
        for name, cat, cents in REWARDS:
            services.reward_create(coord, site.code, name, cat, cents)
        services.budget_set(coord, site.code, 150000)
        eps = [
            e
            for e in Episode.objects.filter(
                organization_id=org, site=site, discharged_on__isnull=True
            ).order_by("id")
            if e.pk in otp
        ]
        tests, results, planned = [], [], []
        # admission tests asked for when people entered the OTP, not yet answered
        admission = {
            r.patient_id: r
            for r in TestRequest.objects.filter(
                organization_id=org, site=site, reason="admission", status="pending"
            ).order_by("-due_on")
        }
        for e in eps:
            start = max(e.admitted_on, today - dt.timedelta(days=182))
            meds = labs.active_medications(org, e.patient_id, today)
            expected = dtr.expected_analytes(meds)
            relapse_week = rng.randrange(6, 40) if rng.random() < 0.3 else -1
            with_plan = rng.random() < 0.35
            every = 3 if with_plan else 21
            day, week = start + dt.timedelta(days=rng.randrange(1, 4)), 0
            k = 0  # the test's number: the reason follows from it (no extra random draws)
            while day < today:
                if k == 0 and start == e.admitted_on:
                    reason = "admission"
                elif with_plan and k % 4:
                    reason = "contingency"  # most plan visits are scheduled for the plan
                else:
                    reason = "random"
                k += 1
                week = (day - start).days // 7
                r = _results(rng, week, relapse_week <= week < relapse_week + 2, meds)
                readings = dtr.interpret(r, expected)
                at = dt.datetime.combine(
                    day, dt.time(rng.randrange(7, 12), rng.randrange(60)), tzinfo=site.tz
                )
                t = DrugTest(
                    organization_id=org,
                    patient_id=e.patient_id,
                    site=site,
                    collected_at=at,
                    local_day=day,
                    specimen="urine",
                    method="point_of_care" if rng.random() < 0.8 else "lab",
                    observed=rng.random() < 0.5,
                    reason=reason,
                    confirmed=False,
                    medications=meds,
                    expected=sorted(expected),
                    uses=dtr.uses(readings),
                    has_use=bool(dtr.uses(readings)),
                    possible_diversion=dtr.possible_diversion(readings),
                    recorded_by=staff["nurse"],
                    recorded_at=at + dt.timedelta(minutes=20),
                )
                req = admission.get(e.patient_id)
                if reason == "admission" and req is not None and req.due_on <= day:
                    t.request = admission.pop(e.patient_id)
                tests.append(t)
                results.append(readings)
                day += dt.timedelta(days=every + rng.randrange(0, 3))
            if with_plan:
                planned.append(e)
        for req in admission.values():  # the rest get their admission test on its day
            if req.due_on >= today:
                continue  # due today: the window and the chart show it as due
            r = _results(rng, 0, False, [])
            at = dt.datetime.combine(req.due_on, dt.time(9, 30), tzinfo=site.tz)
            readings = dtr.interpret(r, frozenset())
            tests.append(
                DrugTest(
                    organization_id=org,
                    patient_id=req.patient_id,
                    site=site,
                    collected_at=at,
                    local_day=req.due_on,
                    specimen="urine",
                    method="point_of_care",
                    observed=True,
                    reason="admission",
                    confirmed=False,
                    medications=[],
                    expected=[],
                    uses=dtr.uses(readings),
                    has_use=bool(dtr.uses(readings)),
                    possible_diversion=[],
                    request=req,
                    recorded_by=staff["nurse"],
                    recorded_at=at + dt.timedelta(minutes=20),
                )
            )
            results.append(readings)
        DrugTest.objects.bulk_create(tests, batch_size=1000)
        TestRequest.objects.filter(pk__in=[t.request_id for t in tests if t.request_id]).update(
            status="collected"
        )
        DrugTestResult.objects.bulk_create(
            [
                DrugTestResult(
                    organization_id=t.organization_id,
                    test=t,
                    analyte=x.analyte,
                    result=x.result,
                    meaning=x.meaning,
                )
                for t, rs in zip(tests, results, strict=True)
                for x in rs
            ],
            batch_size=2000,
        )
        for e in planned:
            first = (
                DrugTest.objects.filter(organization_id=org, patient_id=e.patient_id)
                .order_by("local_day")
                .values_list("local_day", flat=True)
                .first()
            )
            if first is None:
                continue
            try:
                services.plan_create(
                    counselor,
                    e.patient_id,
                    schedule="prize_draw" if rng.random() < 0.2 else "escalating",
                    start_on=first,
                )
            except DomainError:
                continue
            bal = services.balance_cents(org, e.patient_id)
            rewards = [r for r in REWARDS if r[2] <= bal]
            if rewards and rng.random() < 0.6:
                from .models import Reward

                name = rng.choice(rewards)[0]
                reward = Reward.objects.get(site=site, name=name)
                services.redeem(coord, e.patient_id, reward.pk, patient_present=True)
        labs.random_tests_pick(nurse, site.code, today, rng=rng)
