"""Reads of drug testing: a person's tests, the site's tests due today, who is behind the
yearly random-testing minimum; and the two reads take-homes and the dosing window see
positive and pending tests through (registered by ``LabsConfig.ready()``)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, Max, Q

from waypoint.audit import services as audit
from waypoint.care.models import Episode
from waypoint.clinical import drugtests as rules
from waypoint.core.errors import NotFound
from waypoint.core.selectors import site_by_code, site_today
from waypoint.medication import selectors as medication
from waypoint.patients import access
from waypoint.patients.selectors import patient_ref

from .models import DrugTest, TestRequest

OTP = "opioid_treatment_program"

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.core.models import Site


def tests_of(organization_id: int, patient_id: int):
    return (
        DrugTest.objects.filter(organization_id=organization_id, patient_id=patient_id)
        .select_related("site", "recorded_by")
        .prefetch_related("results", "corrections")
    )


def drug_tests_for_patient(actor: Actor, patient_id: int, limit: int = 200) -> list[DrugTest]:
    """A person's tests, newest first (audited read)."""
    actor.require("drugtest.view")
    patient_ref(actor, patient_id)
    with transaction.atomic():
        rows = list(tests_of(actor.organization_id, patient_id)[:limit])
        audit.record(
            actor, "read", "drug_test", "", patient_id=patient_id, detail={"count": len(rows)}
        )
    return rows


def drug_test_get(actor: Actor, test_id: int) -> DrugTest:
    actor.require("drugtest.view")
    test = (
        DrugTest.objects.filter(pk=test_id, organization_id=actor.organization_id)
        .select_related("site", "recorded_by")
        .prefetch_related("results", "corrections")
        .first()
    )
    if test is None:
        raise NotFound("drug test")
    audit.record(actor, "read", "drug_test", test.pk, patient_id=test.patient_id)
    return test


def random_testing_status(organization_id: int, site: Site, day: dt.date) -> list[dict]:
    """Everyone in an opioid treatment program at ``site`` on ``day`` (the level the federal
    minimum applies to): days enrolled in the last 365 days, the *random* tests in that time
    (``tests``; only a test recorded with the reason ``random`` counts toward 8.12(f)(6) —
    ``clinical.drugtests.counts_toward_random_minimum``), every test (``all_tests``), the
    pro-rated minimum (``clinical.drugtests.random_tests_required``), behind or not."""
    year_start = day - dt.timedelta(days=364)
    episodes = (
        Episode.objects.filter(
            organization_id=organization_id,
            site=site,
            admitted_on__lte=day,
        )
        .filter(Q(discharged_on__isnull=True) | Q(discharged_on__gte=day))
        .filter(
            Q(stays__level="opioid_treatment_program", stays__started_on__lte=day)
            & (Q(stays__ended_on__isnull=True) | Q(stays__ended_on__gt=day))
        )
        .distinct()
        .select_related("patient")
    )
    per_year = medication.testing_limits_for(organization_id).random_tests_per_year
    rows = []
    pids = [e.patient_id for e in episodes]
    in_year = DrugTest.objects.filter(
        organization_id=organization_id,
        patient_id__in=pids,
        local_day__gte=year_start,
        local_day__lte=day,
    )
    counts = dict(in_year.values_list("patient_id").annotate(n=Count("id")))
    random_counts = dict(
        in_year.filter(reason__in=rules.COUNTS_AS_RANDOM)
        .values_list("patient_id")
        .annotate(n=Count("id"))
    )
    last = dict(
        DrugTest.objects.filter(organization_id=organization_id, patient_id__in=pids)
        .values_list("patient_id")
        .annotate(m=Max("local_day"))
    )
    for e in episodes:
        days = (day - max(e.admitted_on, year_start)).days + 1
        required = rules.random_tests_required(days, per_year)
        done = random_counts.get(e.patient_id, 0)
        rows.append(
            {
                "patient": e.patient,
                "days_enrolled": days,
                "tests": done,
                "all_tests": counts.get(e.patient_id, 0),
                "required": required,
                "behind": done < required,
                "last_test": last.get(e.patient_id),
            }
        )
    rows.sort(key=lambda r: (not r["behind"], r["patient"].last_name, r["patient"].first_name))
    return rows


def behind(actor: Actor, site_code: str) -> list[dict]:
    actor.require("drugtest.schedule")
    site = site_by_code(actor.organization_id, site_code)
    rows = access.mask_rows(
        actor,
        [
            r
            for r in random_testing_status(actor.organization_id, site, site_today(site))
            if r["behind"]
        ],
    )
    audit.record(
        actor,
        "read",
        "random_testing",
        site.code,
        patients=[r["patient"].pk for r in rows],
        detail={"behind": len(rows)},
    )
    return rows


def tests_due(actor: Actor, site: Site, day: dt.date | None = None) -> list[TestRequest]:
    """The site's test requests of ``day`` (default today), pending first: an audited
    list, every patient on it linked to the event."""
    actor.require("drugtest.view")
    day = day or site_today(site)
    with transaction.atomic():
        rows = list(
            TestRequest.objects.filter(organization_id=actor.organization_id, site=site, due_on=day)
            .select_related("patient")
            .order_by("status", "patient__last_name")
        )
        audit.record(
            actor,
            "list",
            "test_request",
            site.code,
            patients=[r.patient_id for r in rows],
            detail={"view": "tests_due", "site": site.code, "on": day.isoformat()},
        )
    return access.mask_rows(actor, rows)  # restricted records masked


def request_answered_on(organization_id: int, patient_id: int, day: dt.date):
    """The pending test request a test collected on ``day`` answers: that day's request,
    else an admission request due on or before it (an admission test stays due until a
    test is recorded). A queryset of at most one row, for the caller to lock or read."""
    pending = TestRequest.objects.filter(
        organization_id=organization_id, patient_id=patient_id, status="pending"
    )
    today = pending.filter(due_on=day)
    if today.exists():
        return today
    return pending.filter(reason="admission", due_on__lte=day).order_by("due_on", "id")[:1]


def admission_test_due(organization_id: int, patient_id: int, day: dt.date) -> dt.date | None:
    """The day an admission test is due since, while none is recorded (None: not due)."""
    return (
        TestRequest.objects.filter(
            organization_id=organization_id,
            patient_id=patient_id,
            status="pending",
            reason="admission",
            due_on__lte=day,
        )
        .order_by("due_on")
        .values_list("due_on", flat=True)
        .first()
    )


# --- read by the medication side (registered by LabsConfig.ready()) --------------------
def positive_test_count(
    organization_id: int, patient_id: int, since: dt.date, until: dt.date
) -> int:
    return DrugTest.objects.filter(
        organization_id=organization_id,
        patient_id=patient_id,
        has_use=True,
        local_day__gte=since,
        local_day__lte=until,
    ).count()


def has_pending_test(organization_id: int, patient_id: int, day: dt.date) -> bool:
    """A drug test is asked for that day (or an admission test is still due)."""
    return request_answered_on(organization_id, patient_id, day).exists()


def drug_test_facts(organization_id: int, test_id: int) -> dict | None:
    """A recorded test of the organization: its patient, day and results by analyte."""
    test = (
        DrugTest.objects.filter(pk=test_id, organization_id=organization_id)
        .prefetch_related("results")
        .first()
    )
    if test is None:
        return None
    return {
        "patient": test.patient_id,
        "day": test.local_day,
        "results": {r.analyte: r.result for r in test.results.all()},
    }
