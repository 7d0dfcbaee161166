"""Recovery events (returns to use, overdoses, releases, hospital discharges), the lost-
tolerance flag, outreach tasks and the outreach board, the way back in: reads.

``use_history`` gathers what the lost-tolerance and days-abstinent rules
(``clinical.recovery``) need from every app that knows something about a person's use:

- uses: returns to use and overdoses (recovery events), drug tests read as use
  (``DrugTest.has_use``, on the test's site-local day), and the day a check-in's "days
  since use" points to (``clinical.recovery.check_in_use_day``);
- signs of abstinence: a drug test with no use and at least one negative result (an
  all-invalid test shows nothing), and a check-in answering "days since use" 1 or more
  (on the day it was answered). A check-in that leaves the question blank shows nothing:
  silence is not abstinence;
- ends of a period without use: the discharge of an episode whose last level of care (the
  stay that ended at discharge) was withdrawal management or residential, and releases
  from incarceration and hospital discharges (recovery events).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.care.models import Episode, LevelOfCareStay
from waypoint.clinical import recovery as rules
from waypoint.core.errors import NotFound
from waypoint.core.selectors import site_today
from waypoint.labs.models import DrugTest, DrugTestResult
from waypoint.patients import access
from waypoint.patients.models import Patient
from waypoint.patients.selectors import patient_ref

from ..models import (
    AftercarePlan,
    CheckIn,
    NaloxoneKit,
    OutreachAttempt,
    OutreachTask,
    RecoveryEvent,
    RecoverySettings,
)

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.core.models import Site

# The setting "7+ days of abstinence" (contract): the organization's RecoverySettings row,
# else the clinical default; every read of the number goes through this function.


def abstinence_days(organization_id: int) -> int:
    """How many documented days without use make a return to use one after lost
    tolerance: the organization's setting (``/recovery/settings/``), else
    ``clinical.recovery.DEFAULT_ABSTINENCE_DAYS``."""
    days = (
        RecoverySettings.objects.filter(organization_id=organization_id)
        .values_list("abstinence_days", flat=True)
        .first()
    )
    return rules.DEFAULT_ABSTINENCE_DAYS if days is None else days


@dataclass(frozen=True)
class UseHistory:
    """What is known of a person's use, for the rules of ``clinical.recovery``."""

    uses: tuple[dt.date, ...]
    abstinent_on: tuple[dt.date, ...]
    period_ends: tuple[rules.PeriodEnd, ...]

    @property
    def last_use_on(self) -> dt.date | None:
        return rules.last_use(self.uses)


def _discharges(organization_id: int, patient_id: int) -> list[rules.PeriodEnd]:
    """Each discharge whose last level (the stay that ended at discharge) leaves a person
    without tolerance: withdrawal management or residential care."""
    stays = (
        LevelOfCareStay.objects.filter(
            organization_id=organization_id,
            episode__patient_id=patient_id,
            episode__discharged_on__isnull=False,
        )
        .values_list("episode_id", "episode__discharged_on", "level", "started_on", "id")
        .order_by("episode_id", "started_on", "id")
    )
    last: dict[int, tuple[dt.date, str]] = {}
    for episode_id, discharged_on, level, _started, _id in stays:
        if discharged_on is not None:  # the filter says so
            last[episode_id] = (discharged_on, level)  # the latest stay of the episode wins
    return [
        rules.PeriodEnd(level, on) for on, level in last.values() if level in rules.ABSTINENT_LEVELS
    ]


def use_history(
    organization_id: int,
    patient_id: int,
    *,
    tz: ZoneInfo | None = None,
    exclude_event: int | None = None,
) -> UseHistory:
    """The person's uses, signs of abstinence and ends of periods without use (module
    docstring), from recovery events, drug tests, check-ins and episodes. ``tz`` is the
    zone of the day a check-in was answered in (the patient's site's by default);
    ``exclude_event`` leaves one recovery event out (the one being decided)."""
    if tz is None:
        patient = Patient.objects.select_related("site").get(
            pk=patient_id, organization_id=organization_id
        )
        tz = patient.site.tz
    uses: list[dt.date] = []
    abstinent: list[dt.date] = []
    ends: list[rules.PeriodEnd] = _discharges(organization_id, patient_id)
    events = RecoveryEvent.objects.filter(organization_id=organization_id, patient_id=patient_id)
    if exclude_event is not None:
        events = events.exclude(pk=exclude_event)
    for kind, on in events.values_list("kind", "on"):
        if kind in rules.USE_KINDS:
            uses.append(on)
        elif kind in rules.RELEASE_KINDS:
            ends.append(rules.PeriodEnd(kind, on))
    negative = DrugTestResult.objects.filter(test=OuterRef("pk"), result="negative")
    tests = (
        DrugTest.objects.filter(organization_id=organization_id, patient_id=patient_id)
        .annotate(any_negative=Exists(negative))
        .values_list("local_day", "has_use", "any_negative")
    )
    for day, has_use, any_negative in tests:
        if has_use:
            uses.append(day)
        elif any_negative:
            abstinent.append(day)
    check_ins = CheckIn.objects.filter(
        organization_id=organization_id, patient_id=patient_id, days_since_use__isnull=False
    ).values_list("submitted_at", "days_since_use")
    for at, days in check_ins:
        answered_on = at.astimezone(tz).date()
        used_on = rules.check_in_use_day(answered_on, days)
        if used_on is not None:
            uses.append(used_on)
        if days is not None and days >= 1:
            abstinent.append(answered_on)
    return UseHistory(tuple(sorted(uses)), tuple(sorted(abstinent)), tuple(ends))


def abstinence_now(organization_id: int, patient: Patient) -> dict[str, Any]:
    """``last_use_on`` and ``days_abstinent`` (to the patient's site's today) for the chart,
    the summary and the check-ins."""
    history = use_history(organization_id, patient.pk, tz=patient.site.tz)
    last = history.last_use_on
    return {
        "last_use_on": last,
        "days_abstinent": rules.days_abstinent(last, site_today(patient.site)),
    }


def events_of(organization_id: int, patient_id: int) -> list[RecoveryEvent]:
    """A person's recovery events, newest first (not audited: for a caller that audits)."""
    return list(
        RecoveryEvent.objects.filter(
            organization_id=organization_id, patient_id=patient_id
        ).select_related("recorded_by")[:200]
    )


def patient_events(actor: Actor, patient_id: int) -> dict[str, Any]:
    """The events page: the person, their events, last use and days abstinent (audited
    read)."""
    actor.require("recovery.view")
    patient = patient_ref(actor, patient_id)
    with transaction.atomic():
        now = abstinence_now(actor.organization_id, patient)
        events = events_of(actor.organization_id, patient.pk)
        audit.record(
            actor,
            "read",
            "recovery_event",
            "",
            patient_id=patient.pk,
            detail={"view": "events", "count": len(events)},
        )
    return {"patient": patient, "events": events, **now}


def event_result(actor: Actor, event_id: int) -> dict[str, Any]:
    """One event with what it set off: the flag it raised and the outreach task it opened
    (audited read); 404 across organizations."""
    from waypoint.assessments.models import Flag

    actor.require("recovery.view")
    event = (
        RecoveryEvent.objects.filter(pk=event_id, organization_id=actor.organization_id)
        .select_related("patient", "patient__site")
        .first()
    )
    if event is None:
        raise NotFound("recovery event")
    with transaction.atomic():
        audit.record(actor, "read", "recovery_event", event.pk, patient_id=event.patient_id)
    flag = Flag.objects.filter(
        organization_id=actor.organization_id,
        source_type="recoveryevent",
        source_id=event.pk,
    ).first()
    task = (
        OutreachTask.objects.filter(
            organization_id=actor.organization_id,
            source_type="recoveryevent",
            source_id=event.pk,
        )
        .select_related("site")
        .first()
    )
    return {"event": event, "patient": event.patient, "flag": flag, "task": task}


def recovery_summary(actor: Actor, patient_id: int) -> dict[str, Any]:
    """``GET /patients/{id}/recovery``: last use, days abstinent, the check-ins, naloxone
    kits, the newest aftercare plan (or ``None``) and the recovery events (audited read)."""
    actor.require("recovery.view")
    patient = patient_ref(actor, patient_id)
    org = actor.organization_id
    with transaction.atomic():
        now = abstinence_now(org, patient)
        check_ins = list(CheckIn.objects.filter(organization_id=org, patient_id=patient.pk)[:200])
        kits = list(NaloxoneKit.objects.filter(organization_id=org, patient_id=patient.pk)[:200])
        plan = (
            AftercarePlan.objects.filter(organization_id=org, patient_id=patient.pk)
            .prefetch_related("items")
            .first()
        )
        events = events_of(org, patient.pk)
        audit.record(
            actor,
            "read",
            "recovery",
            patient.pk,
            patient_id=patient.pk,
            detail={
                "check_ins": len(check_ins),
                "naloxone_kits": len(kits),
                "aftercare_plan": plan.pk if plan else None,
                "events": len(events),
            },
        )
    return {
        "patient": patient.pk,
        **now,
        "check_ins": check_ins,
        "naloxone_kits": kits,
        "aftercare_plan": plan,
        "events": events,
    }


# --- the way back in ----------------------------------------------------------------------
# the medications for opioid use disorder (not lofexidine, a withdrawal aid, nor naloxone)
MOUD = (
    "methadone",
    "buprenorphine",
    "buprenorphine_naloxone",
    "buprenorphine_extended_release",
    "buprenorphine_implant",
    "naltrexone_extended_release",
)
RECENT_STOP_DAYS = 30  # an order stopped within this many days counts as "recently stopped"


def way_back_in(organization_id: int, patient: Patient) -> dict[str, Any]:
    """What the result page of a return to use or an overdose offers: the level of care
    recommended (``care.episodes.selectors.latest_recommendation``), whether the person is
    in an open episode, and the medications of their active or recently stopped (within
    ``RECENT_STOP_DAYS``) opioid-use-disorder orders, for a restart through the order form
    and its safety rules."""
    from waypoint.care.episodes.selectors import latest_recommendation
    from waypoint.clinical.level_of_care import LEVEL_LABELS
    from waypoint.medication.models import MedicationOrder

    from .outreach import care_site

    today = site_today(patient.site)
    since = today - dt.timedelta(days=RECENT_STOP_DAYS)
    orders = (
        MedicationOrder.objects.filter(
            organization_id=organization_id,
            patient_id=patient.pk,
            medication__in=MOUD,
        )
        .filter(Q(stop_date__isnull=True) | Q(stop_date__gte=since))
        .order_by("-start_date", "-id")
    )
    meds: list[dict[str, Any]] = []
    for o in orders:
        if o.medication in {m["medication"] for m in meds}:
            continue
        active = o.stop_date is None or o.stop_date >= today
        meds.append(
            {
                "medication": o.medication,
                "label": o.label,
                "active": active,
                "stopped_on": o.stop_date,
            }
        )
    level = latest_recommendation(organization_id, patient)
    open_episode = Episode.objects.filter(
        organization_id=organization_id, patient_id=patient.pk, discharged_on__isnull=True
    ).exists()
    site = care_site(organization_id, patient.pk) or patient.site
    return {
        "today": today,
        "level": level,
        "level_label": LEVEL_LABELS.get(level, level),
        "open_episode": open_episode,
        "site": site,
        "medications": meds,
    }


# --- outreach ------------------------------------------------------------------------------
def _open_tasks(organization_id: int, site: Site):
    return (
        OutreachTask.objects.filter(organization_id=organization_id, site=site, status="open")
        .select_related("patient", "site")
        .prefetch_related(
            Prefetch("attempts", queryset=OutreachAttempt.objects.select_related("by"))
        )
        .order_by("due_at", "id")
    )


def site_tasks(actor: Actor, site: Site, status: str = "open") -> list[OutreachTask]:
    """A site's outreach tasks of ``status`` (``open``, ``closed`` or ``all``), most urgent
    first: the earliest due first, so every overdue task comes before every task not yet
    due (closed ones: the most recently closed first). Audited as a list."""
    actor.require("outreach.view")
    qs = OutreachTask.objects.filter(organization_id=actor.organization_id, site=site)
    if status in ("open", "closed"):
        qs = qs.filter(status=status)
    if status == "closed":
        qs = qs.order_by("-closed_at", "-id")
    else:
        # open before closed, then the earliest due first
        qs = qs.order_by("-status", "due_at", "id")
    rows = list(qs.select_related("patient", "site")[:500])
    with transaction.atomic():
        audit.record(
            actor,
            "list",
            "outreach_task",
            "",
            patients=[t.patient_id for t in rows],
            detail={"site": site.code, "status": status, "count": len(rows)},
        )
    return rows


def outreach_board(actor: Actor, site: Site) -> dict[str, Any]:
    """The site's outreach board: its open tasks, most urgent first (overdue first, then
    by due time), each with its attempts; restricted records masked. Audited as a list."""
    actor.require("outreach.view")
    now = timezone.now()
    tasks = list(_open_tasks(actor.organization_id, site))
    rows = access.mask_rows(
        actor,
        [
            {
                "task": t,
                "patient": t.patient,
                "attempts": list(t.attempts.all()),
                "overdue": t.due_at <= now,
            }
            for t in tasks
        ],
    )
    with transaction.atomic():
        audit.record(
            actor,
            "list",
            "outreach_task",
            "",
            patients=[t.patient_id for t in tasks],
            detail={"view": "outreach_board", "site": site.code, "count": len(tasks)},
        )
    return {
        "site": site,
        "now": now,
        "rows": rows,
        "overdue": sum(1 for r in rows if r["overdue"]),
    }


def task_detail(actor: Actor, task_id: int) -> OutreachTask:
    """One outreach task with its attempts (audited read); 404 across organizations."""
    actor.require("outreach.view")
    task = (
        OutreachTask.objects.filter(pk=task_id, organization_id=actor.organization_id)
        .select_related("patient", "site", "opened_by", "closed_by")
        .prefetch_related(
            Prefetch("attempts", queryset=OutreachAttempt.objects.select_related("by"))
        )
        .first()
    )
    if task is None:
        raise NotFound("outreach task")
    with transaction.atomic():
        audit.record(actor, "read", "outreach_task", task.pk, patient_id=task.patient_id)
    return task


def home_panel(actor: Actor, site: Site | None) -> dict[str, Any]:
    """The home page's "Outreach" panel: open and overdue tasks at the actor's site (counts
    only: no patient is shown, so nothing is audited)."""
    if site is None:
        return {"site": None, "open": 0, "overdue": 0}
    counts = OutreachTask.objects.filter(
        organization_id=actor.organization_id, site=site, status="open"
    ).aggregate(open=Count("id"), overdue=Count("id", filter=Q(due_at__lte=timezone.now())))
    return {"site": site, "open": counts["open"], "overdue": counts["overdue"]}
