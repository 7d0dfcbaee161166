"""The dosing window: today's board at a site, finding a person, and the panel the nurse
reads before pressing the button: for each order what the rules will say
(``dose_checks.evaluate``, the very rules the dose runs), why, and what unlocks it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from waypoint.assessments.models import Assessment
from waypoint.assessments.selectors import open_flags
from waypoint.audit import services as audit
from waypoint.care.codes import REASON_LABELS
from waypoint.care.models import Episode
from waypoint.clinical.medications import SCHEDULES
from waypoint.core.selectors import site_today
from waypoint.patients import access
from waypoint.patients.models import Patient
from waypoint.patients.selectors import patient_ref, patient_search

from .. import dose_checks
from ..facts import day_facts
from ..limits import limits_from
from ..models import DoseEvent, MedicationOrder, TakeHomeBottle, VitalSigns
from .hooks import PENDING_TEST_CHECKS

# Given at the window: not naloxone kits (handed out from the chart) nor the implant (a
# procedure on the chart).
NOT_AT_THE_WINDOW = ("naloxone", "buprenorphine_implant")

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.core.models import Site


@dataclass
class WindowOrder:
    order: MedicationOrder
    given_today: int
    per_day: int
    covered_by_take_home: bool
    missed_days: int
    blocked: str = ""  # a sentence when the rules will refuse; shown before the nurse tries
    code: str = ""  # the refusal's stable code
    unlock: str = ""  # what unlocks it: who must document what
    warnings: tuple[str, ...] = ()
    # an induction's repeat doses on day 1 (dose_checks.repeat_status): the plan, what is
    # left of the day-1 maximum, the next repeat's earliest time; None when none is open
    repeat: dict | None = None

    @property
    def done(self) -> bool:
        return (
            self.given_today >= self.per_day and self.repeat is None
        ) or self.covered_by_take_home

    @property
    def give_mg(self):
        """The dose the button gives: the repeat dose once the first is given."""
        if self.repeat is not None:
            return self.repeat["plan"].repeat_dose_mg
        return self.order.dose_mg


@dataclass
class WindowPatient:
    patient: Patient
    orders: list[WindowOrder]
    flags: list[dict] = field(default_factory=list)
    take_homes_due: bool = False
    pending_test: bool = False
    doses_today: list[DoseEvent] = field(default_factory=list)
    episode: Episode | None = None  # the open episode of care (None: not admitted)
    last_episode: Episode | None = None  # the last discharged one, when none is open
    vitals: list[VitalSigns] = field(default_factory=list)  # the last day's, newest first
    cows: Assessment | None = None  # the latest COWS (shown for a buprenorphine induction)


def window_orders(
    organization_id: int, site: Site, day: dt.date, patient_ids: Iterable[int] | None = None
) -> QuerySet[MedicationOrder]:
    """The orders the window serves at ``site`` on ``day``: active, not naloxone kits."""
    qs = (
        MedicationOrder.objects.filter(
            MedicationOrder.active_on_q(day), organization_id=organization_id, site=site
        )
        .exclude(medication__in=NOT_AT_THE_WINDOW)
        .select_related("patient")
    )
    if patient_ids is not None:
        qs = qs.filter(patient_id__in=patient_ids)
    return qs


def window_day(org: int, site: Site, day) -> tuple[list, set[int], set[int]]:
    """A site's daily orders on ``day`` and, of their patients, who was dosed and who is
    covered by a take-home bottle: what the window board and the nurse's home count."""
    orders = list(window_orders(org, site, day).filter(schedule="daily"))
    pids = [o.patient_id for o in orders]
    dosed = set(
        DoseEvent.objects.filter(
            organization_id=org, local_day=day, patient_id__in=pids
        ).values_list("patient_id", flat=True)
    )
    covered = set(
        TakeHomeBottle.objects.filter(
            organization_id=org, for_day=day, patient_id__in=pids
        ).values_list("patient_id", flat=True)
    )
    return orders, dosed, covered


def window_board(actor: Actor, site: Site, *, limit: int = 60) -> dict:
    """Today's window at a site: who is due (not yet dosed, not covered), who has been
    dosed, counts. One audit event lists the patients shown."""
    actor.require("medication.view")
    org = actor.organization_id
    day = site_today(site)
    orders, dosed, covered = window_day(org, site, day)
    recent = list(
        DoseEvent.objects.filter(organization_id=org, site=site, local_day=day)
        .select_related("patient", "order")
        .order_by("-administered_at")[:15]
    )
    # A restricted record the actor may not open is shown masked, after everyone else: one
    # indexed query for the whole board (patients.access), never one per row.
    hidden = access.hidden_ids(
        actor, [*(o.patient_id for o in orders), *(d.patient_id for d in recent)]
    )
    due = sorted(
        (o for o in orders if o.patient_id not in dosed and o.patient_id not in covered),
        key=lambda o: (
            o.patient_id in hidden,
            "" if o.patient_id in hidden else o.patient.last_name_key,
            "" if o.patient_id in hidden else o.patient.first_name_key,
            o.patient_id if o.patient_id in hidden else 0,
        ),
    )
    for o in due:
        if o.patient_id in hidden:
            o.patient = access.masked_copy(o.patient)
    for d in recent:
        if d.patient_id in hidden:
            d.patient = access.masked_copy(d.patient)
    shown = [o.patient_id for o in due[:limit]] + [d.patient_id for d in recent]
    with transaction.atomic():
        audit.record(
            actor,
            "list",
            "dose",
            "",
            patients=shown,
            detail={"view": "dosing_window", "site": site.code, "results": shown[:200]},
        )
    return {
        "site": site,
        "day": day,
        "due": due[:limit],
        "due_count": len(due),
        "dosed_count": len(dosed),
        "covered_count": len(covered),
        "expected_count": len(orders),
        "recent": recent,
    }


def window_find(actor: Actor, site: Site, q: str, *, limit: int = 20) -> list[Patient]:
    """One field for a name, an MRN or a scanned ID card (the MRN barcode): patients of the
    organization with an active order at this site first."""
    found = patient_search(actor, q, limit=limit)
    active = set(
        window_orders(
            actor.organization_id, site, site_today(site), [p.pk for p in found]
        ).values_list("patient_id", flat=True)
    )
    return sorted(found, key=lambda p: (p.pk not in active, p.last_name, p.first_name))


def window_patient(actor: Actor, site: Site, patient_id: int) -> WindowPatient:
    """Everything the nurse needs before pressing the button: today's ordered doses with
    what the rules will say (the refusal, its reason and what unlocks it), the episode of
    care, flags, recent vital signs, take-homes due, a pending drug test."""
    actor.require("medication.view")
    org = actor.organization_id
    day = site_today(site)
    now = timezone.now()
    with transaction.atomic():
        patient = patient_ref(actor, patient_id)
        orders = list(
            MedicationOrder.objects.filter(
                Q(stop_date__isnull=True) | Q(stop_date__gte=day),
                organization_id=org,
                patient=patient,
                stopped_at__isnull=True,
            )
            .exclude(medication="buprenorphine_implant")
            .select_related("site", "prescriber")
        )
        today_doses = list(
            DoseEvent.objects.filter(organization_id=org, patient=patient, local_day=day)
            .select_related("order", "administered_by")
            .order_by("administered_at")
        )
        rows = []
        for o in orders:
            per_day = SCHEDULES[o.schedule][0]
            facts = day_facts(org, patient.pk, o.family, day)
            limits, _ = limits_from(facts.dosing_settings, facts.take_home_settings)
            row = WindowOrder(o, facts.doses_today, per_day, facts.bottle_today, 0)
            if not o.active_on(day):
                row.blocked = f"Order starts {o.start_date.isoformat()}."
                row.code, row.unlock = "before_order_start", "Dose from that day."
            else:
                outcome = dose_checks.evaluate(o, o.dose_mg, now, day, facts, limits)
                row.missed_days, row.warnings = outcome.missed_days, outcome.warnings
                r = outcome.refusal
                if outcome.repeat and not (r is not None and r.code == "repeat_dose_not_day_one"):
                    row.repeat = dose_checks.repeat_status(o, day, facts)
                if r is not None and r.code not in (
                    "already_dosed_today",
                    "covered_by_take_home",
                    "repeat_dose_not_day_one",
                ):
                    row.blocked, row.code = r.message, r.code
                    row.unlock = dose_checks.unlock_for(r.code)
            rows.append(row)
        tomorrow = day + dt.timedelta(1)
        take_homes_due = any(
            o.take_home_max_doses > 0
            and o.active_on(tomorrow)
            and not TakeHomeBottle.objects.filter(
                organization_id=org, patient=patient, family=o.family, for_day=tomorrow
            ).exists()
            for o in orders
        )
        flags = [
            {"kind": f.kind, "label": f.get_kind_display(), "reason": f.reason}
            for f in open_flags(org, patient)
        ]
        pending = any(f(org, patient.pk, day) for f in PENDING_TEST_CHECKS)
        episodes = Episode.objects.filter(organization_id=org, patient=patient)
        episode = episodes.filter(discharged_on__isnull=True).first()
        last_episode = (
            None
            if episode
            else episodes.exclude(discharged_on__isnull=True).order_by("-discharged_on").first()
        )
        vitals = list(
            VitalSigns.objects.filter(
                organization_id=org, patient=patient, taken_at__gte=now - dt.timedelta(days=1)
            )[:5]
        )
        cows = None
        if any(o.family == "buprenorphine" and (o.induction or o.repeat_plan) for o in orders):
            cows = (
                Assessment.objects.filter(organization_id=org, patient=patient, instrument="cows")
                .order_by("-administered_at")
                .first()
            )
        audit.record(
            actor,
            "read",
            "medication_order",
            "",
            patient_id=patient.pk,
            detail={"view": "dosing_window", "site": site.code},
        )
    return WindowPatient(
        patient,
        rows,
        flags,
        take_homes_due,
        pending,
        today_doses,
        episode,
        last_episode,
        vitals,
        cows,
    )


def discharge_label(episode: Episode | None) -> str:
    if episode is None or episode.discharged_on is None:
        return ""
    reason = REASON_LABELS.get(episode.discharge_reason, episode.discharge_reason)
    return f"discharged on {episode.discharged_on.isoformat()} ({reason.lower()})"


def today_status(organization_id: int, patient: Patient) -> dict:
    """The face sheet's medication card: each active order with today's dose status at its
    site (given, due, covered by a take-home, or what the window's rules would refuse and
    why), the last dose and the next take-home or injection. No audit event: the chart
    page's read is audited once. A few indexed queries per active order."""
    day = site_today(patient.site)
    now = timezone.now()
    orders = list(
        MedicationOrder.objects.filter(
            Q(stop_date__isnull=True) | Q(stop_date__gte=day),
            organization_id=organization_id,
            patient=patient,
            stopped_at__isnull=True,
        ).select_related("site")
    )
    rows = []
    for o in orders:
        if o.medication == "naloxone":  # a kit to carry, not a dose
            continue
        per_day = SCHEDULES[o.schedule][0]
        status, why = "", ""
        if o.medication in NOT_AT_THE_WINDOW or not o.active_on(day):
            status = "not_today" if not o.active_on(day) else "not_at_window"
            why = f"starts {o.start_date.isoformat()}" if not o.active_on(day) else ""
            given = 0
        else:
            facts = day_facts(organization_id, patient.pk, o.family, day)
            given = facts.doses_today
            if facts.bottle_today:
                status = "take_home"
            elif per_day and given >= per_day:
                status = "given"
            else:
                limits, _ = limits_from(facts.dosing_settings, facts.take_home_settings)
                r = dose_checks.evaluate(o, o.dose_mg, now, day, facts, limits).refusal
                if r is not None and r.code not in (
                    "already_dosed_today",
                    "covered_by_take_home",
                    "repeat_dose_not_day_one",
                ):
                    status, why = "refused", r.message
                else:
                    status = "due"
        rows.append({"order": o, "status": status, "why": why, "given": given, "per_day": per_day})
    last = (
        DoseEvent.objects.filter(organization_id=organization_id, patient=patient)
        .order_by("-administered_at")
        .only("administered_at", "dose_mg", "family", "local_day")
        .first()
    )
    return {"rows": rows, "last_dose": last, "today": day}
