"""The window's rules for one dose, in the order they refuse, and what unlocks each.

``evaluate`` runs the pure rules of ``clinical.dosing`` and ``clinical.injectables`` over
the day's facts (``facts.day_facts``, one statement) and, only for the medications and
moments that need them, a few more reads (a first buprenorphine dose's COWS, the last
injection, lofexidine's neighbours and the vital signs). Two callers, one answer:
``services.dosing.dose_record`` under the order lock (a refusal rolls everything back), and
``selectors.window`` before the nurse presses (the refusal, its reason and what unlocks it,
who must document what). A bottom-layer read: it imports neither services nor selectors.

The order of the checks: an open episode (naloxone kits excepted); the day's doses and
take-home cover; missed days across orders and episodes; methadone's first-day limit (each
episode, and after re-induction); buprenorphine with an implant in place, and a person's
first buprenorphine ever; extended-release injections (product, interval, the first
injection's prerequisite); naltrexone's interval and opioid-free period; lofexidine's
rolling limits and its blood-pressure/pulse hold.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max

from waypoint.assessments.models import Assessment
from waypoint.clinical import dosing, injectables
from waypoint.clinical.dosing import DosingLimits, Refusal
from waypoint.clinical.medications import MEDICATIONS, SCHEDULES

from .coverage import missed_days_after
from .facts import DayFacts
from .models import (
    DoseEvent,
    MedicationOrder,
    OpioidFreeConfirmation,
    TakeHomeBottle,
    VitalSigns,
)

AGONIST_FAMILIES = ("methadone", "buprenorphine")

# What unlocks each refusal: who must document what (shown on the window under the reason).
UNLOCKS: dict[str, str] = {
    "no_open_episode": (
        "Intake, a counselor or a physician admits the person to a new episode of care "
        "(chart → Episode of care), then a prescriber writes a new order."
    ),
    "already_dosed_today": "Nothing to unlock: the next dose is due on the next day.",
    "covered_by_take_home": "Nothing to give: today's dose went home in a take-home bottle.",
    "order_not_active": "A prescriber writes a new order.",
    "missed_doses_reassessment_required": (
        "A prescriber records a reassessment on the order (chart → Medication → Change, "
        "reassess or stop), often with a lower dose; dosing may resume the same day."
    ),
    "first_day_limit_exceeded": (
        "A prescriber lowers the order to the first-day limit, or documents on the order why "
        "more is needed (first-day override reason)."
    ),
    "withdrawal_too_low_for_induction": (
        "Score COWS again (nurse or clinician, on the chart) and dose when it reaches the "
        "threshold; or a prescriber orders a low-dose induction, or documents a transfer "
        "(prescriber or program, last buprenorphine dose) on a new order."
    ),
    "implant_in_place": (
        "A prescriber orders supplemental doses on this order (implant_supplemental), or "
        "records the implant's removal."
    ),
    "implant_is_a_procedure": (
        "A prescriber records the insertion on the chart (Medication → implant), with its lot."
    ),
    "dose_out_of_range": "A prescriber rewrites the order with a strength of the product.",
    "injection_too_soon": (
        "Wait until the date given; the minimum interval is the product's (an organization "
        "setting)."
    ),
    "no_prior_buprenorphine": (
        "Give a transmucosal buprenorphine test dose (4 mg or more, a prescriber's order) and "
        "observe for an hour; or a prescriber documents current buprenorphine treatment (a "
        "transfer: prescriber or program, last dose, since when) on the order."
    ),
    "opioid_free_period_not_met": (
        "Wait until the date given. If the last opioid use or its kind is wrong, a prescriber "
        "rewrites the order with the right date and kind."
    ),
    "opioid_free_not_confirmed": (
        "A prescriber records a negative opioid test (naming the recorded drug test) or a "
        "naloxone challenge on the chart."
    ),
    "daily_limit_exceeded": (
        "Wait: the next dose fits once earlier doses are more than 24 hours old (a prescriber "
        "may lower the dose)."
    ),
    "dose_too_soon": "Wait until 5 hours (a setting) have passed since the nearest dose.",
    "blood_pressure_or_pulse_too_low": (
        "Record new vital signs on this window when they recover (nurse); or the prescriber "
        "reduces or skips the dose."
    ),
}


def unlock_for(code: str) -> str:
    return UNLOCKS.get(code, "")


@dataclass(frozen=True)
class Outcome:
    """What the rules say about one dose: the first refusal (None: it may be given), whether
    methadone's first-day limit applies, warnings kept with the dose, missed days."""

    refusal: Refusal | None
    first_day: bool = False
    warnings: tuple[str, ...] = field(default=())
    missed_days: int = 0


def evaluate(
    order: MedicationOrder,
    dose_mg: Decimal,
    at: dt.datetime,
    day: dt.date,
    facts: DayFacts,
    limits: DosingLimits,
) -> Outcome:
    """The rules for a dose of ``dose_mg`` from ``order`` at ``at`` (site-local day ``day``),
    given the day's ``facts``. The caller has checked the order itself (active on the day,
    the dose equal to the order's)."""
    fam = order.family
    if MEDICATIONS[order.medication].procedure:
        return Outcome(
            Refusal(
                "implant_is_a_procedure",
                f"The {order.label.lower()} is inserted as a procedure, not given at the window.",
                422,
            )
        )
    refusal = dosing.open_episode(fam, facts.has_open_episode)
    if refusal:
        return Outcome(refusal)
    per_day = SCHEDULES[order.schedule][0]
    if facts.doses_today >= per_day:
        return Outcome(
            Refusal(
                "already_dosed_today",
                f"Already given today ({day.isoformat()} at {order.site.code})"
                + (f": {facts.doses_today} of {per_day} doses." if per_day > 1 else "."),
            )
        )
    if facts.bottle_today:
        return Outcome(
            Refusal(
                "covered_by_take_home",
                f"Today ({day.isoformat()}) is covered by a take-home bottle already dispensed.",
            )
        )
    missed = 0
    if fam in AGONIST_FAMILIES:
        missed = missed_days_after(order, day, facts.last_covered_before, facts.reassessed_on)
        refusal = dosing.missed_doses(missed, limits)
        if refusal:
            return Outcome(refusal, missed_days=missed)
    if fam == "methadone":
        why = dosing.methadone_first_day(
            day,
            episode_admitted_on=facts.episode_admitted_on,
            last_dose_or_take_home=facts.last_covered_before,
            limits=limits,
        )
        if why is not None:
            refusal = dosing.first_day_limit(
                facts.mg_today + dose_mg,
                override=bool(order.first_day_override_reason),
                limits=limits,
            )
            if refusal:
                refusal = Refusal(refusal.code, f"{why} {refusal.message}", refusal.status)
        return Outcome(refusal, first_day=why is not None, missed_days=missed)
    if fam == "buprenorphine":
        refusal = injectables.daily_buprenorphine_with_implant(
            implant_in_place=facts.implant_inserted_on is not None,
            supplemental_ordered=order.implant_supplemental,
        ) or _first_buprenorphine(order, at, day, facts, limits)
        warning = dosing.buprenorphine_high_dose(dose_mg, limits)
        warnings = (warning + " Acknowledged by the prescriber.",) if warning else ()
        return Outcome(refusal, warnings=warnings, missed_days=missed)
    if fam == "buprenorphine_extended_release":
        return Outcome(_er_buprenorphine(order, at, day, limits))
    if fam == "naltrexone_extended_release":
        return Outcome(_naltrexone(order, day, limits))
    if fam == "lofexidine":
        return Outcome(_lofexidine(order, dose_mg, at, limits))
    return Outcome(None)


def transfer_of(order: MedicationOrder) -> dosing.Transfer | None:
    """The order's documented transfer (continuing buprenorphine from another prescriber)."""
    if order.transfer_last_dose_on is None:
        return None
    return dosing.Transfer(order.transfer_last_dose_on, order.transfer_treated_since)


def _first_buprenorphine(
    order: MedicationOrder, at: dt.datetime, day: dt.date, facts: DayFacts, limits: DosingLimits
) -> Refusal | None:
    """A person's first buprenorphine dose ever (any form, any order): the COWS is read only
    when neither an earlier dose, a low-dose induction nor a current transfer settles it."""
    ever = facts.first_buprenorphine_on is not None
    transfer = transfer_of(order)
    cows: list[tuple[dt.datetime, int]] = []
    if not (
        ever or order.induction == "low_dose" or dosing.transfer_is_current(transfer, day, limits)
    ):
        cows = list(
            Assessment.objects.filter(
                organization_id=order.organization_id,
                patient_id=order.patient_id,
                instrument="cows",
                administered_at__gte=at - dt.timedelta(hours=limits.induction_cows_window_hours),
                administered_at__lte=at,
            ).values_list("administered_at", "total")
        )
    return dosing.buprenorphine_first_dose(
        ever_dosed=ever,
        induction=order.induction,
        cows=cows,
        at=at,
        on=day,
        transfer=transfer,
        limits=limits,
    )


def product_of(dose_mg: Decimal, schedule: str) -> str:
    """The extended-release buprenorphine product of a dose and schedule; an older dose that
    fits none counts as the product of its schedule with the longest interval (Sublocade
    for monthly), the safe side."""
    return injectables.er_buprenorphine_product(dose_mg, schedule) or (
        "brixadi_weekly" if schedule == "weekly" else "sublocade"
    )


def _er_buprenorphine(
    order: MedicationOrder, at: dt.datetime, day: dt.date, limits: DosingLimits
) -> Refusal | None:
    refusal = injectables.check_er_buprenorphine(order.dose_mg, order.schedule)
    if refusal:
        return refusal
    org, pid = order.organization_id, order.patient_id
    last = (
        DoseEvent.objects.filter(
            organization_id=org, patient_id=pid, family="buprenorphine_extended_release"
        )
        .order_by("-local_day", "-administered_at")
        .values_list("local_day", "dose_mg", "order__schedule")
        .first()
    )
    if last is not None:
        return injectables.injection_too_soon(
            last_product=product_of(last[1], last[2]), last_on=last[0], on=day, limits=limits
        )
    # the first extended-release injection ever: transmucosal buprenorphine first
    recent = limits.buprenorphine_transfer_max_days + limits.sublocade_transmucosal_days + 1
    since_day = day - dt.timedelta(days=recent)
    doses = list(
        DoseEvent.objects.filter(
            organization_id=org, patient_id=pid, family="buprenorphine", local_day__gte=since_day
        ).values_list("administered_at", "dose_mg", "local_day")
    )
    bottles = TakeHomeBottle.objects.filter(
        organization_id=org,
        patient_id=pid,
        family="buprenorphine",
        for_day__gte=since_day,
        for_day__lte=day,
    ).values_list("for_day", flat=True)
    return injectables.er_buprenorphine_prerequisite(
        injectables.er_buprenorphine_product(order.dose_mg, order.schedule) or "sublocade",
        at=at,
        on=day,
        transmucosal_doses=[injectables.TransmucosalDose(a, mg) for a, mg, _ in doses],
        transmucosal_days=[d for _, _, d in doses] + list(bottles),
        transfer=transfer_of(order),
        limits=limits,
    )


def last_agonist_day(organization_id: int, patient_id: int, day: dt.date) -> dt.date | None:
    """The last day on or before ``day`` an agonist covered: a methadone or buprenorphine
    dose or take-home bottle, or the last day an extended-release buprenorphine injection
    is meant to cover (``injectables.er_cover_until``)."""
    org, pid = organization_id, patient_id
    days = [
        DoseEvent.objects.filter(
            organization_id=org, patient_id=pid, family__in=AGONIST_FAMILIES, local_day__lte=day
        ).aggregate(m=Max("local_day"))["m"],
        TakeHomeBottle.objects.filter(
            organization_id=org, patient_id=pid, family__in=AGONIST_FAMILIES, for_day__lte=day
        ).aggregate(m=Max("for_day"))["m"],
    ]
    er = (
        DoseEvent.objects.filter(
            organization_id=org,
            patient_id=pid,
            family="buprenorphine_extended_release",
            local_day__lte=day,
        )
        .order_by("-local_day")
        .values_list("local_day", "dose_mg", "order__schedule")
        .first()
    )
    if er is not None:
        days.append(injectables.er_cover_until(product_of(er[1], er[2]), er[0]))
    known = [d for d in days if d is not None]
    return max(known) if known else None


def _naltrexone(order: MedicationOrder, day: dt.date, limits: DosingLimits) -> Refusal | None:
    org, pid = order.organization_id, order.patient_id
    last = (
        DoseEvent.objects.filter(
            organization_id=org, patient_id=pid, family="naltrexone_extended_release"
        )
        .order_by("-local_day")
        .values_list("local_day", flat=True)
        .first()
    )
    refusal = injectables.injection_too_soon(
        last_product="naltrexone_extended_release", last_on=last, on=day, limits=limits
    )
    if refusal or order.doses.exists():
        return refusal
    # the order's first injection: the opioid-free period and its confirmation
    short, long_from_order = dosing.last_use_by_kind(
        order.last_opioid_use_on, order.last_opioid_kind or None
    )
    agonist = last_agonist_day(org, pid, day)
    longs = [d for d in (long_from_order, agonist) if d is not None]
    confirmations = OpioidFreeConfirmation.objects.filter(
        organization_id=org, patient_id=pid, on__lte=day
    ).values_list("on", flat=True)
    return dosing.opioid_free_period(
        day,
        last_short_acting=short,
        last_long_acting=max(longs) if longs else None,
        confirmations=list(confirmations),
        limits=limits,
    )


def _lofexidine(
    order: MedicationOrder, dose_mg: Decimal, at: dt.datetime, limits: DosingLimits
) -> Refusal | None:
    window = dt.timedelta(hours=max(limits.lofexidine_window_hours, 1))
    others = DoseEvent.objects.filter(
        organization_id=order.organization_id,
        patient_id=order.patient_id,
        family="lofexidine",
        administered_at__gt=at - window,
        administered_at__lt=at + window,
    ).values_list("administered_at", "dose_mg")
    refusal = dosing.lofexidine_rolling(dose_mg, list(others), at, limits)
    if refusal:
        return refusal
    since = at - dt.timedelta(hours=limits.lofexidine_vitals_valid_hours)
    vitals = [
        dosing.VitalSigns(v.taken_at, v.systolic, v.diastolic, v.pulse)
        for v in VitalSigns.objects.filter(
            organization_id=order.organization_id,
            patient_id=order.patient_id,
            taken_at__gte=since,
            taken_at__lte=at,
        )
    ]
    return dosing.lofexidine_vitals_hold(vitals, at, limits)
