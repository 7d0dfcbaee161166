"""The rules a prescriber meets while writing or changing an order, in one place for the
service (which refuses with the first) and the order form's check (which lists them all
as the prescriber types, writing nothing).

Stage one is the order's own values (the catalogue, coded fields, dates, the documented
transfer, an implant switched off, an extended-release product): the first problem is the
answer, nothing else is read. Stage two is the order against the person's record
(``clinical.orders``, ``clinical.injectables``): another open order of the family, a
conflicting medication, the washout before naltrexone, the blockade after it, methadone's
titration and QTc, buprenorphine above 24 mg, the implant's eligibility. Warnings that the
prescriber confirms (``high_dose_acknowledged``, ``blockade_acknowledged``) are refusals
until confirmed, and are listed as warnings either way.

A bottom-layer read: it imports neither services nor selectors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone

from waypoint.clinical import dosing, induction, injectables, orders
from waypoint.clinical.dosing import DosingLimits
from waypoint.clinical.medications import MEDICATIONS, MedicationError, check_order, offered
from waypoint.core.errors import Conflict, DomainError

from .dose_checks import last_agonist_day
from .models import DoseEvent, Implant, MedicationOrder, OrderChange, TakeHomeBottle

BUPRENORPHINE_TRANSFER_FAMILIES = ("buprenorphine", "buprenorphine_extended_release")
INDUCTIONS = ("standard", "low_dose")
LAST_OPIOID_KINDS = ("short_acting", "long_acting")


@dataclass
class Draft:
    """The values of an order being written (the body of ``POST /medication-orders``)."""

    medication: str
    dose_mg: Decimal
    start_date: dt.date
    schedule: str | None = None
    stop_date: dt.date | None = None
    induction: str = ""
    take_home_max_doses: int = 0
    first_day_override_reason: str = ""
    high_dose_acknowledged: bool = False
    blockade_acknowledged: bool = False
    titration_reason: str = ""
    transfer_source: str = ""
    transfer_last_dose_on: dt.date | None = None
    transfer_treated_since: dt.date | None = None
    implant_supplemental: bool = False
    last_opioid_use_on: dt.date | None = None
    last_opioid_kind: str = ""
    repeat_dose_mg: Decimal | None = None
    repeat_interval_hours: int | None = None
    day_one_max_mg: Decimal | None = None
    # the staff page's order form: take-homes above today's ceiling are refused
    # (``take_home_above_ceiling``); the API keeps its answer (docs/API.md)
    take_home_ceiling: int | None = None


@dataclass
class Checks:
    """What the rules say: refusals (the first is what writing the order answers), the
    warnings shown to the prescriber, and what the service keeps with the order."""

    refusals: list[DomainError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    schedule: str = ""
    titration_from: Decimal | None = None  # a continued methadone order's previous dose
    acknowledged: list[str] = field(default_factory=list)  # warnings confirmed

    def refuse(self, error: DomainError | None) -> None:
        if error is not None:
            self.refusals.append(error)

    def refusal(self, refusal: dosing.Refusal | None, **extra) -> None:
        if refusal is not None:
            self.refusals.append(
                DomainError(refusal.code, refusal.message, refusal.status, **extra)
            )

    def raise_first(self) -> None:
        if self.refusals:
            raise self.refusals[0]

    def as_body(self) -> dict:
        return {
            "refusals": [{"code": r.code, "detail": r.message} for r in self.refusals],
            "warnings": list(self.warnings),
        }


def fields_check(
    med_name: str,
    *,
    start_date: dt.date,
    stop_date: dt.date | None = None,
    take_home_max_doses: int | None = None,
) -> DomainError | None:
    """The checks an order's plain values pass whether it is written or changed."""
    med = MEDICATIONS[med_name]
    if stop_date is not None and stop_date < start_date:
        return DomainError(
            "stop_before_start", "stop_date is before start_date.", field="stop_date"
        )
    if take_home_max_doses is not None:
        if take_home_max_doses and not med.take_home:
            return DomainError(
                "take_home_not_allowed_for_medication",
                f"{med.label} is never taken home.",
                field="take_home_max_doses",
            )
        if not 0 <= take_home_max_doses <= 28:
            return DomainError(
                "take_home_limit_exceeded",
                "take_home_max_doses is 0 to 28 (the federal ceiling).",
                field="take_home_max_doses",
            )
    return None


def _values(d: Draft, today: dt.date, limits: DosingLimits) -> DomainError | str:
    """Stage one: the order's own values. The schedule, or the first problem."""
    try:
        sched = check_order(d.medication, d.dose_mg, d.schedule)
    except MedicationError as exc:
        return DomainError(exc.code, exc.message, field=exc.field)
    med = MEDICATIONS[d.medication]
    if d.induction and d.induction not in INDUCTIONS:
        return DomainError(
            "unknown_induction", "induction is standard or low_dose.", field="induction"
        )
    if d.induction and med.family != "buprenorphine":
        return DomainError(
            "induction_not_applicable",
            "An induction type is given for a sublingual buprenorphine start only.",
            field="induction",
        )
    if d.last_opioid_kind and d.last_opioid_kind not in LAST_OPIOID_KINDS:
        return DomainError(
            "unknown_last_opioid_kind",
            "last_opioid_kind is short_acting or long_acting.",
            field="last_opioid_kind",
        )
    problem = fields_check(
        d.medication,
        start_date=d.start_date,
        stop_date=d.stop_date,
        take_home_max_doses=d.take_home_max_doses,
    )
    if problem:
        return problem
    if d.start_date < today - dt.timedelta(days=1):
        return DomainError(
            "start_in_past",
            f"start_date {d.start_date.isoformat()} is more than a day before today.",
            field="start_date",
        )
    for name in ("last_opioid_use_on", "transfer_last_dose_on", "transfer_treated_since"):
        value = getattr(d, name)
        if value is not None and value > today:
            return DomainError("date_in_future", f"{name} is after today.", field=name)
    transfer = bool(d.transfer_source.strip()) or d.transfer_last_dose_on is not None
    if transfer or d.transfer_treated_since is not None:
        if med.family not in BUPRENORPHINE_TRANSFER_FAMILIES:
            return DomainError(
                "transfer_not_applicable",
                "A transfer (continuing buprenorphine from another prescriber) is documented "
                "on a buprenorphine order only.",
                field="transfer_source",
            )
        if not d.transfer_source.strip() or d.transfer_last_dose_on is None:
            return DomainError(
                "transfer_incomplete",
                "A documented transfer names the prescriber or program (transfer_source) and "
                "the date of the last buprenorphine dose there (transfer_last_dose_on).",
                field="transfer_source",
            )
        if d.transfer_treated_since and d.transfer_treated_since > d.transfer_last_dose_on:
            return DomainError(
                "transfer_incomplete",
                "transfer_treated_since is after the last dose of the transfer.",
                field="transfer_treated_since",
            )
    repeat = (d.repeat_dose_mg, d.repeat_interval_hours, d.day_one_max_mg)
    if any(v is not None for v in repeat):
        if med.family != "buprenorphine":
            return DomainError(
                "induction_not_applicable",
                "Repeat doses on day 1 are ordered for a sublingual buprenorphine induction only.",
                field="repeat_dose_mg",
            )
        bad = induction.check_plan(d.dose_mg, *repeat)
        if bad:
            return DomainError(bad.code, bad.message, bad.status, field="repeat_dose_mg")
    if d.take_home_ceiling is not None and d.take_home_max_doses > d.take_home_ceiling:
        return DomainError(
            "take_home_above_ceiling",
            f"At most {d.take_home_ceiling} take-home doses at a time today (the federal or "
            f"state ceiling for the days in treatment); the order asks {d.take_home_max_doses}. "
            "Raise it with an order change when the ceiling rises.",
            field="take_home_max_doses",
        )
    if d.implant_supplemental and med.family != "buprenorphine":
        return DomainError(
            "supplemental_not_applicable",
            "Supplemental doses with an implant are ordered on a sublingual buprenorphine "
            "order only.",
            field="implant_supplemental",
        )
    off = offered(d.medication, limits)
    if off:
        return DomainError(off.code, off.message, off.status, field="medication")
    if med.family == "buprenorphine_extended_release":
        bad = injectables.check_er_buprenorphine(d.dose_mg.quantize(Decimal("0.01")), sched)
        if bad:
            return DomainError(bad.code, bad.message, bad.status, field="dose_mg")
    return sched


def open_orders(organization_id: int, patient_id: int) -> list[MedicationOrder]:
    return list(
        MedicationOrder.objects.filter(
            organization_id=organization_id, patient_id=patient_id, stopped_at__isnull=True
        )
    )


def _local_day(at: dt.datetime, order: MedicationOrder) -> dt.date:
    return timezone.localtime(at, order.site.tz).date()


def last_increase_on(organization_id: int, patient_id: int) -> dt.date | None:
    """The site-local day of the person's last methadone increase: a change of an order's
    dose upwards, or a continued order written at a higher dose than the one before it."""
    last = None
    rows = OrderChange.objects.filter(
        organization_id=organization_id,
        order__patient_id=patient_id,
        order__family="methadone",
        kind__in=("created", "changed"),
    ).select_related("order__site")
    for ch in rows:
        c = ch.changes or {}
        old = c["dose_mg"][0] if ch.kind == "changed" and "dose_mg" in c else c.get("increase_from")
        new = c["dose_mg"][1] if ch.kind == "changed" and "dose_mg" in c else c.get("dose_mg")
        if old is None or new is None or Decimal(str(new)) <= Decimal(str(old)):
            continue
        day = _local_day(ch.at, ch.order)
        last = day if last is None or day > last else last
    return last


def previous_methadone_mg(
    organization_id: int, patient_id: int, start: dt.date, limits: DosingLimits
) -> Decimal | None:
    """A new methadone order continues the person's methadone (titration applies, not the
    first-day limit) when methadone covered a day within the re-induction period before its
    start: the dose of the order that covered the last such day."""
    since = start - dt.timedelta(days=limits.missed_days_for_reinduction)
    dose = (
        DoseEvent.objects.filter(
            organization_id=organization_id,
            patient_id=patient_id,
            family="methadone",
            local_day__gte=since,
            local_day__lt=start,
        )
        .order_by("-local_day")
        .values_list("local_day", "order__dose_mg")
        .first()
    )
    bottle = (
        TakeHomeBottle.objects.filter(
            organization_id=organization_id,
            patient_id=patient_id,
            family="methadone",
            for_day__gte=since,
            for_day__lt=start,
        )
        .order_by("-for_day")
        .values_list("for_day", "supply__order__dose_mg")
        .first()
    )
    found = [x for x in (dose, bottle) if x is not None]
    return max(found)[1] if found else None


def titration(
    organization_id: int,
    patient_id: int,
    *,
    current_mg: Decimal,
    new_mg: Decimal,
    on: dt.date,
    reason: str,
    limits: DosingLimits,
) -> dosing.Refusal | None:
    return orders.methadone_titration(
        current_mg=current_mg,
        new_mg=new_mg,
        on=on,
        last_increase_on=last_increase_on(organization_id, patient_id),
        reason=reason,
        limits=limits,
    )


def high_dose(
    family: str,
    new_mg: Decimal,
    current_mg: Decimal | None,
    acknowledged: bool,
    checks: Checks,
    limits: DosingLimits,
) -> None:
    """Buprenorphine above 24 mg, methadone above 100 mg: a warning the prescriber confirms
    with ``high_dose_acknowledged`` (409 ``high_dose_not_acknowledged`` /
    ``qtc_not_acknowledged`` until then)."""
    if family == "buprenorphine":
        warning = dosing.buprenorphine_high_dose(new_mg, limits)
        if warning:
            checks.warnings.append(warning)
            if acknowledged:
                checks.acknowledged.append("high_dose")
            else:
                checks.refuse(
                    Conflict(
                        "high_dose_not_acknowledged",
                        f"{warning} Acknowledge the warning (high_dose_acknowledged) to order it.",
                    )
                )
    elif family == "methadone":
        warning = orders.methadone_qtc_warning(new_mg, current_mg=current_mg, limits=limits)
        if warning:
            checks.warnings.append(warning)
            if acknowledged:
                checks.acknowledged.append("qtc")
            checks.refusal(
                orders.acknowledgement(
                    warning, acknowledged, "qtc_not_acknowledged", "high_dose_acknowledged"
                )
            )


def implant_check(
    organization_id: int, patient_id: int, on: dt.date, limits: DosingLimits
) -> dosing.Refusal | None:
    """The implant's eligibility from the record: the open sublingual buprenorphine order's
    dose, since when it is unchanged, the earlier insertions."""
    bup = (
        MedicationOrder.objects.filter(
            MedicationOrder.active_on_q(on),
            organization_id=organization_id,
            patient_id=patient_id,
            family="buprenorphine",
        )
        .select_related("site")
        .first()
    )
    since = None
    if bup is not None:
        changed = [
            _local_day(ch.at, bup)
            for ch in bup.changes.filter(kind="changed")
            if "dose_mg" in (ch.changes or {})
        ]
        since = max([bup.start_date, *changed])
    return injectables.implant_eligibility(
        transmucosal_mg=bup.dose_mg if bup else None,
        dose_unchanged_since=since,
        on=on,
        prior_insertions=Implant.objects.filter(
            organization_id=organization_id, patient_id=patient_id
        ).count(),
        limits=limits,
    )


def last_naltrexone_injection(organization_id: int, patient_id: int) -> dt.date | None:
    return DoseEvent.objects.filter(
        organization_id=organization_id,
        patient_id=patient_id,
        family="naltrexone_extended_release",
    ).aggregate(m=Max("local_day"))["m"]


def new_order(
    organization_id: int,
    patient_id: int,
    draft: Draft,
    *,
    today: dt.date,
    limits: DosingLimits,
    has_open_episode: bool = True,
) -> Checks:
    """Every rule for writing ``draft`` for the person (see the module's docstring)."""
    checks = Checks()
    sched = _values(draft, today, limits)
    if isinstance(sched, DomainError):
        checks.refuse(sched)
        return checks
    checks.schedule = sched
    med = MEDICATIONS[draft.medication]
    dose = draft.dose_mg.quantize(Decimal("0.01"))
    mine = orders.opioid_class(med.family)
    previous = None
    if med.family == "methadone":
        previous = previous_methadone_mg(organization_id, patient_id, draft.start_date, limits)
    high_dose(med.family, dose, previous, draft.high_dose_acknowledged, checks, limits)
    existing = open_orders(organization_id, patient_id)
    for old in existing:
        if old.family == med.family and not (
            old.stop_date is not None and old.stop_date < draft.start_date
        ):
            checks.refuse(
                Conflict(
                    "order_already_active",
                    f"An active {old.label.lower()} order ({old.dose_mg} mg) exists: change its "
                    "dose or stop it first.",
                    order=old.pk,
                )
            )
    checks.refusal(
        orders.conflicting_medication(
            orders.OrderSpan(med.family, draft.start_date, draft.stop_date),
            [orders.OrderSpan(o.family, o.start_date, o.stop_date, o.label) for o in existing],
        )
    )
    if mine == "naltrexone":
        checks.refusal(
            orders.naltrexone_washout(
                draft.start_date,
                last_agonist_day(organization_id, patient_id, draft.start_date),
                limits,
            )
        )
    if mine in orders.AGONIST_CLASSES and med.family != "buprenorphine_implant":
        warning = orders.naltrexone_blockade_warning(
            draft.start_date, last_naltrexone_injection(organization_id, patient_id), limits
        )
        if warning:
            checks.warnings.append(warning)
            if draft.blockade_acknowledged:
                checks.acknowledged.append("blockade")
            checks.refusal(
                orders.acknowledgement(
                    warning,
                    draft.blockade_acknowledged,
                    "blockade_not_acknowledged",
                    "blockade_acknowledged",
                )
            )
    if previous is not None:
        checks.titration_from = previous
        checks.refusal(
            titration(
                organization_id,
                patient_id,
                current_mg=previous,
                new_mg=dose,
                on=draft.start_date,
                reason=draft.titration_reason,
                limits=limits,
            )
        )
    if med.procedure:
        checks.refusal(implant_check(organization_id, patient_id, draft.start_date, limits))
    if not has_open_episode and med.family not in dosing.NO_EPISODE_EXEMPT_FAMILIES:
        checks.warnings.append(
            "This person has no open episode of care: the window refuses every dose "
            "(no_open_episode) until they are admitted."
        )
    return checks


def change_order(
    order: MedicationOrder,
    *,
    new_dose: Decimal | None,
    today: dt.date,
    high_dose_acknowledged: bool,
    titration_reason: str,
    limits: DosingLimits,
) -> Checks:
    """The rules for changing an order's dose (the plain values are checked by the
    caller): titration and QTc for methadone, 24 mg for buprenorphine."""
    checks = Checks()
    if new_dose is None:
        return checks
    if order.family == "methadone":
        checks.refusal(
            titration(
                order.organization_id,
                order.patient_id,
                current_mg=order.dose_mg,
                new_mg=new_dose,
                on=today,
                reason=titration_reason,
                limits=limits,
            )
        )
    high_dose(order.family, new_dose, order.dose_mg, high_dose_acknowledged, checks, limits)
    return checks


__all__ = [
    "Checks",
    "Draft",
    "change_order",
    "fields_check",
    "last_increase_on",
    "new_order",
    "open_orders",
]
