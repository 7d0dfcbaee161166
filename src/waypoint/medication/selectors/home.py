"""The home page's medication panels (core/home.py; registered in apps.py): the nurse's
window today, the physician's orders, and the director's program numbers.

Each is bounded (counts, and the first ``HOME_ROWS`` rows with a link to the full board)
and cheap: a handful of indexed queries over today's orders at one site, never one query
per row. A panel that names patients records one ``list`` audit event naming them (as the
dosing window's board does); the program numbers name nobody and record nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max, Min, Q
from django.urls import reverse
from django.utils import timezone

from waypoint.assessments.models import Assessment, Flag
from waypoint.assessments.selectors import SAFETY_KINDS
from waypoint.audit import services as audit
from waypoint.care.models import Episode, LevelOfCareStay
from waypoint.core.models import Site as SiteModel
from waypoint.core.selectors import site_today
from waypoint.patients import access
from waypoint.patients.chart import chart_url

from ..coverage import last_covered_days, last_reassessed_days, missed_days_after
from ..limits import limits_for
from ..models import DoseEvent, MedicationOrder
from .window import window_day, window_orders

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.core.models import Site

HOME_ROWS = 8  # rows shown per list; the full list is one click away
OTP = "opioid_treatment_program"
AGONISTS = ("methadone", "buprenorphine")


def _window_url(site: Site, patient_id: int) -> str:
    return f"{reverse('medication:window')}?site={site.code}&patient={patient_id}"


def _sorted_masked(actor: Actor, rows: list[dict]) -> list[dict]:
    """Rows by last then first name, a restricted record the actor may not open masked and
    last (one query for the whole list, patients.access)."""
    hidden = access.hidden_ids(actor, (r["patient"].pk for r in rows))
    for r in rows:
        if r["patient"].pk in hidden:
            r["patient"] = access.masked_copy(r["patient"])
    return sorted(
        rows,
        key=lambda r: (
            r["patient"].pk in hidden,
            r["patient"].last_name_key or "",
            r["patient"].first_name_key or "",
            r["patient"].pk,
        ),
    )


def _missed(org: int, orders: list[MedicationOrder], day: dt.date) -> dict[int, int]:
    """Days missed in a row before ``day`` per order id (methadone and buprenorphine daily
    orders), counted as the window counts them (``coverage``: two grouped queries)."""
    agonist = [o for o in orders if o.family in AGONISTS and o.schedule == "daily"]
    keys = [(o.patient_id, o.family) for o in agonist]
    last = last_covered_days(org, keys, day)
    reassessed = last_reassessed_days(org, keys)
    out = {}
    for o in agonist:
        k = (o.patient_id, o.family)
        n = missed_days_after(o, day, last.get(k), reassessed.get(k))
        if n:
            out[o.pk] = n
    return out


def _first_bup_days(org: int, patient_ids: list[int]) -> dict[int, dt.date]:
    """Each patient's first buprenorphine day (any form), when they have one."""
    return dict(
        DoseEvent.objects.filter(
            organization_id=org, patient_id__in=patient_ids, family__startswith="buprenorphine"
        )
        .values_list("patient_id")
        .annotate(first=Min("local_day"))
        .order_by()
    )


def _audit(actor: Actor, kind: str, view: str, site: Site, patient_ids: list[int]) -> None:
    if not patient_ids:
        return
    ids = sorted(set(patient_ids))
    with transaction.atomic():
        audit.record(
            actor,
            "list",
            kind,
            "",
            patients=ids,
            detail={"view": view, "site": site.code, "results": ids[:200]},
        )


def nurse_home(actor: Actor, site: Site | None) -> dict[str, Any]:
    """The nurse's window today at their site: due, dosed and covered counts, the first
    people due (each row opens the dosing window with that person selected), the
    exceptions the window will refuse until someone acts (missed days: a prescriber's
    reassessment; an open safety flag), and the COWS due before a buprenorphine induction
    or a repeat induction dose."""
    if site is None:
        return {"nurse": None}
    actor.require("medication.view")
    org = actor.organization_id
    day = site_today(site)
    limits, _ = limits_for(org)
    orders, dosed, covered = window_day(org, site, day)
    due_orders = [o for o in orders if o.patient_id not in dosed and o.patient_id not in covered]
    due_ids = sorted({o.patient_id for o in due_orders})
    missed = _missed(org, due_orders, day)
    flagged = set(
        Flag.objects.filter(
            organization_id=org, patient_id__in=due_ids, acknowledged_at__isnull=True
        ).values_list("patient_id", flat=True)
    )
    # A buprenorphine induction: the first dose ever needs a COWS at or above the
    # threshold within the window (dose_checks); a day-1 repeat dose follows a repeat COWS.
    bup = [o for o in orders if o.family == "buprenorphine"]
    first_days = _first_bup_days(org, [o.patient_id for o in bup])
    since = timezone.now() - dt.timedelta(hours=limits.induction_cows_window_hours)
    cows_rows = (
        Assessment.objects.filter(
            organization_id=org,
            patient_id__in=[o.patient_id for o in bup],
            instrument="cows",
            administered_at__gte=since,
        )
        .values("patient_id")
        .annotate(best=Max("total"), last=Max("administered_at"))
        .order_by()
    )
    cows = {r["patient_id"]: r for r in cows_rows}
    cows_due: list[dict] = []
    for o in bup:
        c = cows.get(o.patient_id)
        first = first_days.get(o.patient_id)
        transfer = o.transfer_last_dose_on is not None
        if (
            first is None
            and o.patient_id not in dosed
            and o.induction != "low_dose"
            and not transfer
            and (c is None or c["best"] < limits.induction_cows_min)
        ):
            cows_due.append(
                {"patient": o.patient, "order": o, "why": "first dose", "cows": c, "repeat": False}
            )
        elif first == day and o.repeat_plan is not None and o.patient_id in dosed:
            cows_due.append(
                {"patient": o.patient, "order": o, "why": "repeat dose", "cows": c, "repeat": True}
            )
    rows = [
        {
            "patient": o.patient,
            "order": o,
            "missed": missed.get(o.pk, 0),
            "reassess": missed.get(o.pk, 0) >= limits.missed_days_for_reassessment,
            "flag": o.patient_id in flagged,
        }
        for o in due_orders
    ]
    rows = _sorted_masked(actor, rows)
    exceptions = [r for r in rows if r["reassess"] or r["flag"]]
    cows_due = _sorted_masked(actor, cows_due)
    for r in [*rows, *cows_due]:
        r["url"] = _window_url(site, r["patient"].pk)
    for r in cows_due:
        r["cows_url"] = reverse("assessments:record", args=[r["patient"].pk, "cows"])
    shown = rows[:HOME_ROWS] + exceptions[:HOME_ROWS] + cows_due[:HOME_ROWS]
    _audit(actor, "dose", "home_nurse", site, [r["patient"].pk for r in shown])
    return {
        "nurse": {
            "site": site,
            "day": day,
            "expected": len(orders),
            "due_count": len(rows),
            "dosed_count": len(dosed),
            "covered_count": len(covered),
            "due": rows[:HOME_ROWS],
            "exceptions": exceptions[:HOME_ROWS],
            "exception_count": len(exceptions),
            "cows_due": cows_due[:HOME_ROWS],
            "cows_due_count": len(cows_due),
            "window_url": f"{reverse('medication:window')}?site={site.code}",
        }
    }


def physician_home(actor: Actor, site: Site | None) -> dict[str, Any]:
    """The prescriber's work at their site: people in the opioid treatment program with no
    active medication order (an order to write and sign), orders the window refuses until
    a reassessment (missed days), and today's inductions (orders starting today)."""
    if site is None:
        return {"physician": None}
    actor.require("medication.view")
    org = actor.organization_id
    day = site_today(site)
    limits, _ = limits_for(org)
    orders = list(window_orders(org, site, day))
    missed = _missed(org, orders, day)
    reassess = [
        {"patient": o.patient, "order": o, "missed": missed[o.pk]}
        for o in orders
        if missed.get(o.pk, 0) >= limits.missed_days_for_reassessment
    ]
    inductions = [
        {"patient": o.patient, "order": o}
        for o in orders
        if o.start_date == day and (o.induction or o.family in AGONISTS)
    ]
    # Admitted to the opioid treatment program, no active order of any medication yet.
    in_otp = list(
        LevelOfCareStay.objects.filter(
            organization_id=org,
            level=OTP,
            ended_on__isnull=True,
            episode__site=site,
            episode__discharged_on__isnull=True,
        )
        .select_related("episode__patient")
        .order_by("started_on", "id")[:500]
    )
    with_order = set(
        MedicationOrder.objects.filter(
            MedicationOrder.active_on_q(day),
            organization_id=org,
            patient_id__in=[s.episode.patient_id for s in in_otp],
        )
        .exclude(medication="naloxone")
        .values_list("patient_id", flat=True)
    )
    no_order = [
        {"patient": s.episode.patient, "since": s.started_on}
        for s in in_otp
        if s.episode.patient_id not in with_order
    ]
    out: dict[str, Any] = {}
    shown: list[int] = []
    lists: tuple[tuple[str, list[dict[str, Any]]], ...] = (
        ("reassess", reassess),
        ("inductions", inductions),
        ("no_order", no_order),
    )
    for name, found in lists:
        ordered = _sorted_masked(actor, found)
        for r in ordered:
            r["url"] = chart_url(r["patient"].pk, "medication")
        out[name] = ordered[:HOME_ROWS]
        out[name + "_count"] = len(ordered)
        shown += [r["patient"].pk for r in ordered[:HOME_ROWS]]
    _audit(actor, "medication_order", "home_physician", site, shown)
    return {"physician": {"site": site, "day": day, **out}}


def program_home(actor: Actor, site: Site | None) -> dict[str, Any]:
    """The director's headline numbers for the whole organization (each site's own day):
    people in care now, in the opioid treatment program, admissions and discharges in the
    last 30 days, doses given at the window today, open safety flags. Counts only: no
    patient is named, so nothing is audited. The charts behind them are on the program
    dashboard (``/dashboard/``)."""
    actor.require("dashboard.view")
    org = actor.organization_id
    now = timezone.now()
    sites = list(SiteModel.objects.filter(organization_id=org, active=True))
    days = {s.pk: site_today(s) for s in sites}
    today = max(days.values()) if days else now.date()
    month_ago = today - dt.timedelta(days=30)
    episodes = Episode.objects.filter(organization_id=org)
    in_care = episodes.filter(discharged_on__isnull=True).count()
    in_otp = LevelOfCareStay.objects.filter(
        organization_id=org, level=OTP, ended_on__isnull=True, episode__discharged_on__isnull=True
    ).count()
    by_day = Q()
    for s in sites:  # one indexed range per site: (organization, site, local_day)
        by_day |= Q(site_id=s.pk, local_day=days[s.pk])
    doses = DoseEvent.objects.filter(by_day, organization_id=org).count() if sites else 0
    return {
        "program": {
            "in_care": in_care,
            "in_otp": in_otp,
            "admissions_30": episodes.filter(admitted_on__gt=month_ago).count(),
            "discharges_30": episodes.filter(discharged_on__gt=month_ago).count(),
            "doses_today": doses,
            "open_flags": Flag.objects.filter(
                organization_id=org, acknowledged_at__isnull=True, kind__in=SAFETY_KINDS
            ).count(),
            "sites": len(sites),
        }
    }
