"""The prescriber's side: write, change, stop and reassess an order; confirm a person is
opioid-free (before naltrexone); raise a diversion concern. Every change to an order is
kept in ``OrderChange`` with who, when, why and the old and new values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from waypoint.assessments.models import Flag
from waypoint.audit import services as audit
from waypoint.care.models import Episode
from waypoint.clinical import drugtests
from waypoint.clinical.medications import MEDICATIONS, MedicationError, check_order, route_for
from waypoint.core.errors import Conflict, DomainError
from waypoint.core.selectors import site_by_code, site_today
from waypoint.patients.selectors import patient_for_update, patient_ref

from .. import order_checks
from ..limits import limits_for
from ..models import MedicationOrder, OpioidFreeConfirmation, OrderChange
from ..selectors import hooks
from ._shared import CENT, order_for_update, require_reason

if TYPE_CHECKING:
    from waypoint.core.actor import Actor


def _change(
    actor: Actor, order: MedicationOrder, kind: str, changes: dict, reason: str = ""
) -> None:
    OrderChange.objects.create(
        organization_id=actor.organization_id,
        order=order,
        kind=kind,
        changes=changes,
        reason=reason,
        by=actor.user,
        at=timezone.now(),
    )
    audit.record(
        actor,
        "create" if kind == "created" else "update",
        "medication_order",
        order.pk,
        patient_id=order.patient_id,
        detail={"kind": kind, **changes, **({"reason": reason[:300]} if reason else {})},
    )


def _med_error(exc: MedicationError) -> DomainError:
    return DomainError(exc.code, exc.message, field=exc.field)


def _has_open_episode(actor: Actor, patient_id: int) -> bool:
    return Episode.objects.filter(
        organization_id=actor.organization_id, patient_id=patient_id, discharged_on__isnull=True
    ).exists()


def order_create(
    actor: Actor,
    patient_id: int,
    *,
    medication: str,
    dose_mg: Decimal,
    start_date: dt.date,
    schedule: str | None = None,
    stop_date: dt.date | None = None,
    induction: str = "",
    take_home_max_doses: int = 0,
    first_day_override_reason: str = "",
    high_dose_acknowledged: bool = False,
    blockade_acknowledged: bool = False,
    titration_reason: str = "",
    transfer_source: str = "",
    transfer_last_dose_on: dt.date | None = None,
    transfer_treated_since: dt.date | None = None,
    implant_supplemental: bool = False,
    last_opioid_use_on: dt.date | None = None,
    last_opioid_kind: str = "",
    instructions: str = "",
    site: str | None = None,
) -> MedicationOrder:
    """Write and sign an order, after every rule of ``order_checks.new_order`` (the first
    refusal is the answer; the order form's check lists them all). 409
    ``order_already_active`` when the patient already has an open order of the same
    medication family (change its dose instead). The patient row is locked, so two orders
    written at once meet the rules one after the other."""
    actor.require("medication.order")
    draft = order_checks.Draft(
        medication=medication,
        dose_mg=dose_mg,
        start_date=start_date,
        schedule=schedule,
        stop_date=stop_date,
        induction=induction or "",
        take_home_max_doses=take_home_max_doses,
        first_day_override_reason=(first_day_override_reason or "").strip(),
        high_dose_acknowledged=high_dose_acknowledged,
        blockade_acknowledged=blockade_acknowledged,
        titration_reason=(titration_reason or "").strip(),
        transfer_source=(transfer_source or "").strip(),
        transfer_last_dose_on=transfer_last_dose_on,
        transfer_treated_since=transfer_treated_since,
        implant_supplemental=implant_supplemental,
        last_opioid_use_on=last_opioid_use_on,
        last_opioid_kind=last_opioid_kind or "",
    )
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        where = site_by_code(actor.organization_id, site) if site else patient.site
        limits, _ = limits_for(actor.organization_id)
        checks = order_checks.new_order(
            actor.organization_id,
            patient.pk,
            draft,
            today=site_today(where),
            limits=limits,
        )
        checks.raise_first()
        med = MEDICATIONS[medication]
        dose_mg = dose_mg.quantize(CENT)
        for old in MedicationOrder.objects.filter(
            organization_id=actor.organization_id,
            patient=patient,
            family=med.family,
            stopped_at__isnull=True,
        ):
            # new_order refused any other open order of the family: this one ended before
            old.stopped_at, old.stopped_by, old.stop_reason = (
                timezone.now(),
                actor.user,
                "Ended on its stop date",
            )
            old.save(update_fields=["stopped_at", "stopped_by", "stop_reason"])
        try:
            with transaction.atomic():
                order = MedicationOrder.objects.create(
                    organization_id=actor.organization_id,
                    patient=patient,
                    site=where,
                    medication=medication,
                    family=med.family,
                    route=route_for(medication, dose_mg),
                    schedule=checks.schedule,
                    dose_mg=dose_mg,
                    start_date=start_date,
                    stop_date=stop_date,
                    induction=draft.induction,
                    take_home_max_doses=take_home_max_doses,
                    first_day_override_reason=draft.first_day_override_reason,
                    high_dose_acknowledged="high_dose" in checks.acknowledged
                    or "qtc" in checks.acknowledged,
                    blockade_acknowledged="blockade" in checks.acknowledged,
                    transfer_source=draft.transfer_source,
                    transfer_last_dose_on=transfer_last_dose_on,
                    transfer_treated_since=transfer_treated_since,
                    implant_supplemental=implant_supplemental,
                    last_opioid_use_on=last_opioid_use_on,
                    # unknown stays unknown: the long-acting washout applies to it
                    last_opioid_kind=draft.last_opioid_kind,
                    instructions=instructions,
                    prescriber=actor.user,
                    signed_at=timezone.now(),
                )
        except IntegrityError as exc:
            raise Conflict(
                "order_already_active", "An active order of this medication exists."
            ) from exc
        _change(
            actor,
            order,
            "created",
            {
                "medication": medication,
                "dose_mg": str(dose_mg),
                "schedule": checks.schedule,
                "start_date": start_date.isoformat(),
                **({"induction": draft.induction} if draft.induction else {}),
                **({"first_day_override": True} if order.first_day_override_reason else {}),
                **(
                    {"increase_from": str(checks.titration_from)}
                    if checks.titration_from is not None
                    else {}
                ),
                **({"titration_reason": draft.titration_reason} if draft.titration_reason else {}),
                **({"acknowledged": checks.acknowledged} if checks.acknowledged else {}),
                **(
                    {
                        "transfer": {
                            "source": draft.transfer_source,
                            "last_dose_on": transfer_last_dose_on.isoformat(),
                        }
                    }
                    if transfer_last_dose_on
                    else {}
                ),
                **({"implant_supplemental": True} if implant_supplemental else {}),
            },
            order.first_day_override_reason,
        )
    return order


def order_check(actor: Actor, patient_id: int, **fields) -> dict:
    """What writing this order would answer, writing nothing but a read in the audit trail:
    ``{refusals: [{code, detail}], warnings: [...]}`` (the order form's check as the
    prescriber types, and ``POST /patients/{id}/medication-orders/check``)."""
    actor.require("medication.order")
    site = fields.pop("site", None)
    fields.pop("instructions", None)
    values: dict[str, Any] = {
        k: ("" if v is None and k in _TEXT_FIELDS else v) for k, v in fields.items()
    }
    draft = order_checks.Draft(**values)
    with transaction.atomic():
        patient = patient_ref(actor, patient_id)
        where = site_by_code(actor.organization_id, site) if site else patient.site
        limits, _ = limits_for(actor.organization_id)
        checks = order_checks.new_order(
            actor.organization_id,
            patient.pk,
            draft,
            today=site_today(where),
            limits=limits,
            has_open_episode=_has_open_episode(actor, patient.pk),
        )
        answer = checks.as_body()
        audit.record(
            actor,
            "read",
            "medication_order_check",
            "",
            patient_id=patient.pk,
            detail={
                "medication": str(draft.medication)[:40],
                "refusals": [r["code"] for r in answer["refusals"]],
            },
        )
    return answer


_TEXT_FIELDS = {
    "induction",
    "first_day_override_reason",
    "titration_reason",
    "transfer_source",
    "last_opioid_kind",
}


def order_change(
    actor: Actor,
    order_id: int,
    *,
    reason: str,
    dose_mg: Decimal | None = None,
    take_home_max_doses: int | None = None,
    stop_date: dt.date | None = None,
    first_day_override_reason: str | None = None,
    high_dose_acknowledged: bool = False,
    titration_reason: str = "",
    implant_supplemental: bool | None = None,
    check_only: bool = False,
) -> MedicationOrder | dict:
    """Change an active order's dose, take-home authorization, stop date, first-day override
    or supplemental doses with an implant; every change needs a reason and is kept with the
    old and new values. A methadone increase beyond the titration limit needs the
    prescriber's documented ``titration_reason`` (409 ``titration_limit``), above 100 mg the
    ECG/QTc acknowledgement (``high_dose_acknowledged``). With ``check_only`` nothing is
    written but a read in the audit trail; the answer is ``{refusals, warnings}``."""
    actor.require("medication.order")
    if not check_only:
        reason = require_reason(reason, "reason_required", "A change to an order")
    with transaction.atomic():
        order = order_for_update(actor, order_id)
        if order.stopped_at is not None:
            raise Conflict("order_not_active", "This order was stopped; write a new one.")
        new_dose = dose_mg if dose_mg is not None and dose_mg != order.dose_mg else None
        new_take_home = (
            take_home_max_doses
            if take_home_max_doses is not None and take_home_max_doses != order.take_home_max_doses
            else None
        )
        new_stop = stop_date if stop_date is not None and stop_date != order.stop_date else None
        checks = order_checks.Checks()
        if new_dose is not None:
            try:
                check_order(order.medication, new_dose, order.schedule)
            except MedicationError as exc:
                checks.refuse(_med_error(exc))
            new_dose = new_dose.quantize(CENT)
        if implant_supplemental and order.family != "buprenorphine":
            checks.refuse(
                DomainError(
                    "supplemental_not_applicable",
                    "Supplemental doses with an implant are ordered on a sublingual "
                    "buprenorphine order only.",
                    field="implant_supplemental",
                )
            )
        checks.refuse(
            order_checks.fields_check(
                order.medication,
                start_date=order.start_date,
                stop_date=new_stop,
                take_home_max_doses=new_take_home,
            )
        )
        if not checks.refusals:
            limits, _ = limits_for(actor.organization_id)
            more = order_checks.change_order(
                order,
                new_dose=new_dose,
                today=site_today(order.site),
                high_dose_acknowledged=high_dose_acknowledged,
                titration_reason=(titration_reason or "").strip(),
                limits=limits,
            )
            checks.refusals += more.refusals
            checks.warnings += more.warnings
            checks.acknowledged += more.acknowledged
        if check_only:
            answer = checks.as_body()
            audit.record(
                actor,
                "read",
                "medication_order_check",
                order.pk,
                patient_id=order.patient_id,
                detail={"refusals": [r["code"] for r in answer["refusals"]]},
            )
            return answer
        checks.raise_first()
        changes: dict[str, Any] = {}
        if new_dose is not None:
            changes["dose_mg"] = [str(order.dose_mg), str(new_dose)]
            order.dose_mg = new_dose
            order.high_dose_acknowledged = bool(checks.acknowledged)
            if titration_reason and titration_reason.strip():
                changes["titration_reason"] = titration_reason.strip()
            if checks.acknowledged:
                changes["acknowledged"] = checks.acknowledged
        if new_take_home is not None:
            changes["take_home_max_doses"] = [order.take_home_max_doses, new_take_home]
            order.take_home_max_doses = new_take_home
        if new_stop is not None:
            changes["stop_date"] = [
                order.stop_date.isoformat() if order.stop_date else None,
                new_stop.isoformat(),
            ]
            order.stop_date = new_stop
        if first_day_override_reason is not None:
            new = first_day_override_reason.strip()
            if new != order.first_day_override_reason:
                changes["first_day_override"] = [
                    bool(order.first_day_override_reason),
                    bool(new),
                ]
                order.first_day_override_reason = new
        if implant_supplemental is not None and implant_supplemental != order.implant_supplemental:
            changes["implant_supplemental"] = [order.implant_supplemental, implant_supplemental]
            order.implant_supplemental = implant_supplemental
        if not changes:
            raise DomainError("nothing_to_change", "The change gives no new value.")
        order.save()
        _change(actor, order, "changed", changes, reason)
    return order


def order_stop(actor: Actor, order_id: int, reason: str) -> MedicationOrder:
    actor.require("medication.order")
    reason = require_reason(reason, "reason_required", "Stopping an order")
    with transaction.atomic():
        order = order_for_update(actor, order_id)
        if order.stopped_at is not None:
            raise Conflict("order_not_active", "This order is already stopped.")
        order.stopped_at, order.stopped_by, order.stop_reason = timezone.now(), actor.user, reason
        today = site_today(order.site)
        if order.stop_date is None or order.stop_date > today:
            order.stop_date = max(today, order.start_date)
        order.save()
        _change(actor, order, "stopped", {"stop_date": order.stop_date.isoformat()}, reason)
    return order


def order_reassess(
    actor: Actor, order_id: int, note: str, dose_mg: Decimal | None = None
) -> MedicationOrder:
    """A prescriber's reassessment after missed doses: dosing may resume today (often at a
    lower dose, given here)."""
    actor.require("medication.order")
    note = require_reason(note, "reason_required", "A reassessment")
    with transaction.atomic():
        if dose_mg is not None:
            order_change(actor, order_id, reason=f"Reassessment: {note}", dose_mg=dose_mg)
        order = order_for_update(actor, order_id)
        if order.stopped_at is not None:
            raise Conflict("order_not_active", "This order was stopped; write a new one.")
        today = site_today(order.site)
        order.last_reassessed_on = today
        order.save(update_fields=["last_reassessed_on"])
        _change(actor, order, "reassessed", {"on": today.isoformat()}, note)
    return order


def opioid_free_confirm(
    actor: Actor,
    patient_id: int,
    kind: str,
    on: dt.date | None = None,
    note: str = "",
    drug_test: int | None = None,
) -> OpioidFreeConfirmation:
    """Record that a person is opioid-free before naltrexone: a naloxone challenge (``on``),
    or a negative test — which names the recorded drug test (``drug_test``) of this person
    showing opiates and fentanyl negative and no opioid positive
    (``clinical.drugtests.opioid_free_test``); its day is the test's. 422
    ``unknown_confirmation``, ``drug_test_required``, ``drug_test_not_applicable``,
    ``unknown_drug_test``, ``drug_test_not_negative``, ``confirmation_date_mismatch``,
    ``date_in_future``."""
    actor.require("medication.order")
    if kind not in dict(OpioidFreeConfirmation.KINDS):
        raise DomainError(
            "unknown_confirmation", "kind is negative_test or naloxone_challenge.", field="kind"
        )
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        if kind == "negative_test":
            if drug_test is None:
                raise DomainError(
                    "drug_test_required",
                    "A negative opioid test names the recorded drug test (drug_test): record "
                    "the test first.",
                    field="drug_test",
                )
            test = hooks.drug_test(actor.organization_id, drug_test)
            if test is None or test["patient"] != patient.pk:
                raise DomainError(
                    "unknown_drug_test",
                    f"No recorded drug test {drug_test} of this patient.",
                    field="drug_test",
                )
            why = drugtests.opioid_free_test(test["results"])
            if why:
                raise DomainError(
                    "drug_test_not_negative",
                    f"Drug test {drug_test} does not confirm the person opioid-free: {why}.",
                    field="drug_test",
                )
            if on is not None and on != test["day"]:
                raise DomainError(
                    "confirmation_date_mismatch",
                    f"Drug test {drug_test} was collected on {test['day'].isoformat()}, not "
                    f"{on.isoformat()}.",
                    field="on",
                )
            on = test["day"]
        else:
            if drug_test is not None:
                raise DomainError(
                    "drug_test_not_applicable",
                    "A naloxone challenge names no drug test.",
                    field="drug_test",
                )
            if on is None:
                raise DomainError(
                    "invalid_input", "on: the day of the naloxone challenge.", field="on"
                )
        if on > site_today(patient.site):
            raise DomainError("date_in_future", "on is after today.", field="on")
        row = OpioidFreeConfirmation.objects.create(
            organization_id=actor.organization_id,
            patient=patient,
            kind=kind,
            on=on,
            drug_test_id=drug_test if kind == "negative_test" else None,
            note=note[:300],
            by=actor.user,
            at=timezone.now(),
        )
        audit.record(
            actor,
            "create",
            "opioid_free_confirmation",
            row.pk,
            patient_id=patient.pk,
            detail={
                "kind": kind,
                "on": on.isoformat(),
                **({"drug_test": drug_test} if row.drug_test_id else {}),
            },
        )
    return row


def diversion_concern_raise(actor: Actor, patient_id: int, reason: str) -> Flag:
    """A diversion concern: on the chart banner until acknowledged, and a factor against
    take-homes for the look-back period."""
    actor.require("diversion.report")
    reason = require_reason(reason, "reason_required", "A diversion concern")
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        flag = Flag.objects.create(
            organization_id=actor.organization_id,
            patient=patient,
            kind="diversion_concern",
            reason=reason[:300],
            source_type="report",
            source_id=actor.user.pk,
            raised_at=timezone.now(),
        )
        audit.record(
            actor,
            "create",
            "flag",
            flag.pk,
            patient_id=patient.pk,
            detail={"kind": "diversion_concern", "reason": flag.reason},
        )
    return flag
