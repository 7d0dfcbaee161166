"""Medication API: orders (prescriber), doses and take-homes (nurse), the day's close,
outreach lists and the controlled-substance ledger. Thin routes over services/selectors."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from pydantic import Field, create_model
from typing_extensions import TypedDict

from waypoint.clinical import dosing, drugtests, takehome
from waypoint.core.actor import api_actor
from waypoint.core.apiauth import staff_or_token
from waypoint.core.errors import NotFound
from waypoint.core.schemas import (
    IsoDate,
    PatientId,
    SiteCode,
    dataclass_schema,
    dataclass_values,
)
from waypoint.core.selectors import site_by_code

from . import selectors, services
from .schemas import (
    CheckOut,
    CloseDayIn,
    DeterminationIn,
    DiversionIn,
    DoseIn,
    ImplantInsertIn,
    ImplantRemoveIn,
    LedgerMedication,
    OpioidFreeIn,
    OrderChangeCheckIn,
    OrderChangeIn,
    OrderIn,
    ReasonIn,
    ReassessIn,
    SettingsIn,
    StockCountIn,
    StockReceiptIn,
    StockWasteIn,
    TakeHomeIn,
    VitalsIn,
)

if TYPE_CHECKING:
    from .models import DoseEvent

patients_router = Router(tags=["medication"])
orders_router = Router(tags=["medication"])
doses_router = Router(tags=["medication"])
sites_router = Router(tags=["medication"])
settings_router = Router(tags=["medication"])
implants_router = Router(tags=["medication"])


def _checker(request: HttpRequest):
    """The actor of a check: a bearer token (channel ``api``) or the page's session
    (``html``; ``request.auth`` is then the signed-in user)."""
    actor = api_actor(request)
    if request.headers.get("Authorization"):
        return actor
    return dataclasses.replace(actor, channel="html")


class ChangeOut(Schema):
    kind: str
    changes: dict
    reason: str
    by: str
    at: dt.datetime

    @staticmethod
    def resolve_by(obj) -> str:
        return obj.by.username


class OrderOut(Schema):
    id: int
    patient: PatientId
    site: SiteCode
    medication: str
    route: str
    schedule: str
    dose_mg: Decimal
    start_date: dt.date
    stop_date: dt.date | None
    induction: str
    take_home_max_doses: int
    first_day_override_reason: str
    high_dose_acknowledged: bool
    blockade_acknowledged: bool
    transfer_source: str
    transfer_last_dose_on: dt.date | None
    transfer_treated_since: dt.date | None
    implant_supplemental: bool
    last_opioid_use_on: dt.date | None
    last_opioid_kind: str
    last_reassessed_on: dt.date | None
    instructions: str
    repeat_dose_mg: Decimal | None
    repeat_interval_hours: int | None
    day_one_max_mg: Decimal | None
    status: str
    prescriber: str
    signed_at: dt.datetime
    stop_reason: str
    changes: list[ChangeOut]

    @staticmethod
    def resolve_status(obj) -> str:
        return "stopped" if obj.stopped_at else "active"

    @staticmethod
    def resolve_prescriber(obj) -> str:
        return obj.prescriber.username

    @staticmethod
    def resolve_changes(obj) -> list:
        return list(obj.changes.select_related("by").all())


class DoseOut(Schema):
    id: int
    order: int
    patient: PatientId
    site: SiteCode
    medication: str
    dose_mg: Decimal
    administered_at: dt.datetime
    local_day: dt.date
    first_day: bool
    administered_by: str
    idempotency_key: str | None
    warnings: list[str]

    @classmethod
    def of(cls, dose: DoseEvent) -> DoseOut:
        """The answer about ``dose``, made from its values as they are, not validated again:
        the dosing window's hot path. django-ninja validates an answer it is handed as a
        record (each field read through its getter, then checked by pydantic) and then
        serializes it; handed this schema's own instance, it only serializes it: 77 µs of
        a dose's time in process instead of 136 (docs/BENCHMARKS.md, issue 21).
        ``test_dose_answer_is_the_schema`` checks that every value has its field's type,
        strictly."""
        return cls.model_construct(
            id=dose.pk,
            order=dose.order_id,
            patient=dose.patient_id,
            site=dose.site.code,
            medication=dose.order.medication,
            dose_mg=dose.dose_mg,
            administered_at=dose.administered_at,
            local_day=dose.local_day,
            first_day=dose.first_day,
            administered_by=dose.administered_by.username,
            idempotency_key=dose.idempotency_key,
            warnings=dose.warnings,
        )


class FactorOut(Schema):
    code: str
    text: str


class TierOut(Schema):
    from_day: int
    max_doses: int


class DeterminationOut(Schema):
    id: int
    decided_on: dt.date
    by: str
    current: bool
    current_until: dt.date
    all_favorable: bool
    answers: dict
    note: str


class EligibilityOut(Schema):
    patient: int
    on: dt.date
    days_in_treatment: int
    max_take_home_doses: int
    tiers: list[TierOut]
    factors_against: list[FactorOut]
    order: int | None
    authorized_take_home_doses: int
    otp_stay_started_on: dt.date | None
    first_medication_on: dt.date | None
    determination: DeterminationOut | None
    determination_valid_days: int
    eligible: bool


class VitalsOut(Schema):
    id: int
    patient: PatientId
    taken_at: dt.datetime
    systolic: int | None
    diastolic: int | None
    pulse: int | None
    note: str
    recorded_by: str

    @staticmethod
    def resolve_recorded_by(obj) -> str:
        return obj.recorded_by.username


class ImplantOut(Schema):
    id: int
    patient: PatientId
    order: int
    lot: str
    arm: str
    inserted_on: dt.date
    inserted_by: str
    removal_due_on: dt.date
    removed_on: dt.date | None
    removed_by: str | None
    in_place: bool

    @staticmethod
    def resolve_order(obj) -> int:
        return obj.order_id

    @staticmethod
    def resolve_inserted_by(obj) -> str:
        return obj.inserted_by.username

    @staticmethod
    def resolve_removed_by(obj) -> str | None:
        return obj.removed_by.username if obj.removed_by_id else None


class DeterminationRowOut(Schema):
    id: int
    patient: PatientId
    decided_on: dt.date
    answers: dict
    note: str
    by: str
    all_favorable: bool

    @staticmethod
    def resolve_by(obj) -> str:
        return obj.by.username


class SupplyOut(Schema):
    id: int
    order: int
    patient: PatientId
    first_day: dt.date
    days: int
    dose_mg: Decimal
    bottles: list[dt.date]
    days_in_treatment: int
    regulatory_max: int
    factors_against: list[FactorOut]

    @staticmethod
    def resolve_order(obj) -> int:
        return obj.order_id

    @staticmethod
    def resolve_bottles(obj) -> list:
        return [b.for_day for b in obj.bottles.all()]


class OpioidFreeOut(Schema):
    id: int
    kind: str
    on: dt.date
    drug_test: int | None


class DiversionFlagOut(Schema):
    id: int
    kind: str
    reason: str


class DayClosedOut(Schema):
    site: str
    marked_missed: int
    patients: list[int]


class MissedRowOut(Schema):
    patient: int
    mrn: str
    name: str
    order: int
    missed_days: int
    last_covered: dt.date | None


# Keys that are not names: "1", "2" and "3+" consecutive days missed, always all three.
MissedGroupsOut = TypedDict(
    "MissedGroupsOut",
    {"1": list[MissedRowOut], "2": list[MissedRowOut], "3+": list[MissedRowOut]},
)


class MissedOut(Schema):
    site: str
    on: dt.date
    groups: MissedGroupsOut


class InjectionDueOut(Schema):
    kind: Literal["injection", "implant_removal"]
    patient: int
    order: int
    medication: str
    last: dt.date | None
    due: dt.date
    overdue_days: int


class InjectionsDueOut(Schema):
    site: str
    on: dt.date
    injections: list[InjectionDueOut]


# Milligrams in the stock ledger are written as decimal strings, as ``str()`` gives them.
MgText = Annotated[str, Field(description='milligrams, a decimal string ("9965.00")')]


class StockCountRowOut(Schema):
    day: dt.date
    expected_mg: MgText
    counted_mg: MgText
    difference_mg: MgText
    discrepancy: bool
    by: str
    witness: str


class StockOut(Schema):
    site: str
    medication: str
    expected_mg: MgText
    today: dict[str, MgText] = Field(description="today's movements: kind -> milligrams")
    counts: list[StockCountRowOut]


class StockEntryOut(Schema):
    id: int
    kind: str
    quantity_mg: MgText


class StockCountOut(Schema):
    id: int
    expected_mg: MgText
    counted_mg: MgText
    difference_mg: MgText
    discrepancy: bool


# One field per limit of the clinical/ dataclasses: a new limit is documented with no list
# to keep here.
MedicationSettingsOut = create_model(
    "MedicationSettingsOut",
    __base__=Schema,
    dosing=(dataclass_schema("DosingLimitsOut", dosing.DosingLimits), ...),
    take_home=(dataclass_schema("TakeHomeLimitsOut", takehome.TakeHomeLimits), ...),
    testing=(dataclass_schema("TestingLimitsOut", drugtests.TestingLimits), ...),
)


# --- orders -----------------------------------------------------------------------------
@patients_router.post("/{id:patient_id}/medication-orders", response={201: OrderOut})
def order_create(request: HttpRequest, patient_id: int, payload: OrderIn):
    """Write and sign an order (prescriber only). 409 ``order_already_active``,
    ``conflicting_medication``, ``opioid_free_period_not_met`` (naltrexone within the
    washout), ``titration_limit`` (a continued methadone order's increase without
    ``titration_reason``), ``high_dose_not_acknowledged`` / ``qtc_not_acknowledged``
    (``high_dose_acknowledged``), ``blockade_not_acknowledged`` (``blockade_acknowledged``),
    ``implant_not_eligible``; 422 ``unknown_medication``, ``schedule_not_allowed``,
    ``dose_out_of_range``, ``medication_not_offered``, ``unknown_induction``,
    ``induction_not_applicable``, ``transfer_not_applicable``, ``transfer_incomplete``,
    ``supplemental_not_applicable``, ``stop_before_start``, ``start_in_past``,
    ``date_in_future``, ``take_home_not_allowed_for_medication``."""
    actor = api_actor(request)
    order = services.order_create(
        actor,
        patient_id,
        **payload.model_dump(exclude={"induction"}),
        induction=payload.induction or "",
    )
    return Status(201, selectors.order_written(actor, order.pk))


@patients_router.post(
    "/{id:patient_id}/medication-orders/check", response=CheckOut, auth=staff_or_token()
)
def order_check(request: HttpRequest, patient_id: int, payload: OrderIn):
    """What writing this order would answer, without writing it (same body as writing it):
    ``{refusals: [{code, detail}], warnings: [...]}``; audited as a read. The chart's order
    form calls it as the prescriber types (the page's session and CSRF token, or a bearer
    token)."""
    return services.order_check(
        _checker(request),
        patient_id,
        **payload.model_dump(exclude={"induction", "instructions"}),
        induction=payload.induction or "",
    )


@patients_router.get("/{id:patient_id}/medication-orders", response=list[OrderOut])
def orders_list(request: HttpRequest, patient_id: int):
    return selectors.orders_for_patient(api_actor(request), patient_id)


@orders_router.get("/{id:order_id}", response=OrderOut)
def order_get(request: HttpRequest, order_id: int):
    return selectors.order_get(api_actor(request), order_id)


@orders_router.post("/{id:order_id}/changes", response=OrderOut)
def order_change(request: HttpRequest, order_id: int, payload: OrderChangeIn):
    """Change the dose, take-home authorization, stop date, first-day override or
    supplemental doses with an implant, with a reason (kept in the order's history). A
    methadone increase above 10 mg or sooner than 3 days after the last (settings) needs
    ``titration_reason`` (409 ``titration_limit``); above 100 mg ``high_dose_acknowledged``
    (409 ``qtc_not_acknowledged``). 409 ``order_not_active``; 422 ``nothing_to_change``,
    ``dose_out_of_range``."""
    actor = api_actor(request)
    services.order_change(actor, order_id, **payload.model_dump())
    return selectors.order_written(actor, order_id)


@orders_router.post("/{id:order_id}/changes/check", response=CheckOut, auth=staff_or_token())
def order_change_check(request: HttpRequest, order_id: int, payload: OrderChangeCheckIn):
    """What this change would answer, without writing it: ``{refusals, warnings}``."""
    return services.order_change(
        _checker(request), order_id, **payload.model_dump(), check_only=True
    )


@orders_router.post("/{id:order_id}/implant-insertions", response={201: ImplantOut})
def implant_insert(request: HttpRequest, order_id: int, payload: ImplantInsertIn):
    """Record the insertion of the ordered implant (prescriber): its lot, the day, the arm.
    Removal is due 6 calendar months later (``removal_due_on``)."""
    actor = api_actor(request)
    implant = services.implant_insert(actor, order_id, **payload.model_dump())
    return Status(201, selectors.implant_written(actor, implant.pk))


@implants_router.post("/{id:implant_id}/removal", response=ImplantOut)
def implant_remove(request: HttpRequest, implant_id: int, payload: ImplantRemoveIn):
    """Record an implant's removal (prescriber); its order ends with it."""
    actor = api_actor(request)
    services.implant_remove(actor, implant_id, **payload.model_dump())
    return selectors.implant_written(actor, implant_id)


@patients_router.get("/{id:patient_id}/implants", response=list[ImplantOut])
def implants_list(request: HttpRequest, patient_id: int):
    return selectors.implants_for_patient(api_actor(request), patient_id)


@patients_router.post("/{id:patient_id}/vital-signs", response={201: VitalsOut})
def vitals_create(request: HttpRequest, patient_id: int, payload: VitalsIn):
    """Blood pressure and/or pulse with the time taken (nurse or prescriber). Lofexidine is
    held while the last reading is below 90/60 or a pulse below 55 (settings)."""
    row = services.vitals_record(api_actor(request), patient_id, **payload.model_dump())
    return Status(201, row)


@patients_router.get("/{id:patient_id}/vital-signs", response=list[VitalsOut])
def vitals_list(request: HttpRequest, patient_id: int):
    return selectors.vitals_for_patient(api_actor(request), patient_id)


@patients_router.post(
    "/{id:patient_id}/take-home-determinations", response={201: DeterminationRowOut}
)
def determination_create(request: HttpRequest, patient_id: int, payload: DeterminationIn):
    """The prescriber's take-home determination: ``answers`` holds every criterion of 42 CFR
    8.12(i)(2) (``no_active_risk_condition``, ``regular_attendance``,
    ``no_serious_behavioral_problems``, ``no_recent_diversion``,
    ``safe_transport_and_storage``, ``other_relevant_criteria``) as ``{favorable, note}``; an
    unfavorable answer needs a note. Dispensing take-homes asks for one made in the last 90
    days (a setting)."""
    row = services.take_home_determination_record(
        api_actor(request),
        patient_id,
        {k: v.model_dump() for k, v in payload.answers.items()},
        decided_on=payload.decided_on,
        note=payload.note,
    )
    return Status(201, row)


@patients_router.get(
    "/{id:patient_id}/take-home-determinations", response=list[DeterminationRowOut]
)
def determinations_list(request: HttpRequest, patient_id: int):
    return selectors.determinations_for_patient(api_actor(request), patient_id)


@orders_router.post("/{id:order_id}/stop", response=OrderOut)
def order_stop(request: HttpRequest, order_id: int, payload: ReasonIn):
    actor = api_actor(request)
    services.order_stop(actor, order_id, payload.reason)
    return selectors.order_written(actor, order_id)


@orders_router.post("/{id:order_id}/reassessments", response=OrderOut)
def order_reassess(request: HttpRequest, order_id: int, payload: ReassessIn):
    """A prescriber's reassessment after missed days: dosing may resume today, at the new
    ``dose_mg`` when given."""
    actor = api_actor(request)
    services.order_reassess(actor, order_id, payload.note, payload.dose_mg)
    return selectors.order_written(actor, order_id)


@patients_router.post("/{id:patient_id}/opioid-free-confirmations", response={201: OpioidFreeOut})
def opioid_free(request: HttpRequest, patient_id: int, payload: OpioidFreeIn):
    """A negative opioid test (``kind: negative_test`` with ``drug_test``, the id of the
    person's recorded test showing opiates and fentanyl negative) or a naloxone challenge
    (``kind: naloxone_challenge`` with ``on``) before naltrexone."""
    row = services.opioid_free_confirm(
        api_actor(request),
        patient_id,
        payload.kind,
        payload.on,
        payload.note,
        drug_test=payload.drug_test,
    )
    return Status(
        201, {"id": row.pk, "kind": row.kind, "on": row.on, "drug_test": row.drug_test_id}
    )


@patients_router.post("/{id:patient_id}/diversion-concerns", response={201: DiversionFlagOut})
def diversion(request: HttpRequest, patient_id: int, payload: DiversionIn):
    flag = services.diversion_concern_raise(api_actor(request), patient_id, payload.reason)
    return Status(201, {"id": flag.pk, "kind": flag.kind, "reason": flag.reason})


# --- doses ------------------------------------------------------------------------------
@doses_router.post("", response={201: DoseOut})
def dose_create(request: HttpRequest, payload: DoseIn, response: HttpResponse):
    """Give a dose (nurse). A retry with the same ``idempotency_key`` returns the first
    dose (header ``Idempotent-Replay: true``) and doses nothing more. Refusals: 409
    ``already_dosed_today``, ``covered_by_take_home``, ``order_not_active``,
    ``dose_differs_from_order``, ``no_open_episode``, ``first_day_limit_exceeded``,
    ``missed_doses_reassessment_required``, ``withdrawal_too_low_for_induction``,
    ``implant_in_place``, ``opioid_free_period_not_met``, ``opioid_free_not_confirmed``,
    ``injection_too_soon``, ``no_prior_buprenorphine``, ``daily_limit_exceeded``,
    ``dose_too_soon``, ``blood_pressure_or_pulse_too_low``, ``idempotency_key_reused``; 422
    ``time_in_future``, ``time_too_old``, ``before_order_start``, ``dose_out_of_range``,
    ``implant_is_a_procedure``; 404 for an unknown order or another organization's. Nothing
    is written on a refusal (no dose, so nothing out of stock, and no audit event)."""
    dose, replay = services.dose_record(
        api_actor(request),
        payload.order,
        payload.dose_mg,
        idempotency_key=payload.idempotency_key,
        administered_at=payload.administered_at,
        note=payload.note,
    )
    if replay:
        response["Idempotent-Replay"] = "true"
    return Status(201, DoseOut.of(dose))


@patients_router.get("/{id:patient_id}/take-home-eligibility", response=EligibilityOut)
def take_home_eligibility(request: HttpRequest, patient_id: int, on: IsoDate | None = None):
    """The regulatory maximum of take-home doses for the days in treatment on ``on``
    (default today at the patient's site), the factors in the record that argue against
    take-homes, and what the active order authorizes."""
    return selectors.take_home_eligibility(api_actor(request), patient_id, on)


@patients_router.post("/{id:patient_id}/take-homes", response={201: SupplyOut})
def take_home_dispense(request: HttpRequest, patient_id: int, payload: TakeHomeIn):
    """Dispense take-home bottles (nurse), one per day from ``first_day`` (default
    tomorrow). 409 ``take_home_limit_exceeded``, ``take_home_not_authorized``,
    ``take_home_determination_required``, ``already_covered``, ``order_not_active``; 422
    ``take_home_not_allowed_for_medication``."""
    actor = api_actor(request)
    order = selectors.order_written(actor, payload.order)
    if order.patient_id != patient_id:
        raise NotFound("medication order")
    return Status(
        201,
        services.take_home_dispense(
            actor, payload.order, payload.days, first_day=payload.first_day, note=payload.note
        ),
    )


# --- sites: close the day, outreach, injections, stock -----------------------------------
@sites_router.post("/{code}/dosing-day/close", response=DayClosedOut)
def close_day(request: HttpRequest, code: str, payload: CloseDayIn):
    """Close a site-local day (default today): everyone with an active daily order and no
    dose or take-home that day is marked missed. Safe to repeat."""
    new = services.close_day(api_actor(request), code, payload.on)
    return {"site": code, "marked_missed": len(new), "patients": [m.patient_id for m in new]}


@sites_router.get("/{code}/missed-doses", response=MissedOut)
def missed(request: HttpRequest, code: str):
    """Who has missed 1, 2 or 3+ consecutive dosing days, for outreach."""
    actor = api_actor(request)
    data = selectors.missed_outreach(actor, site_by_code(actor.organization_id, code))
    return {
        "site": code,
        "on": data["day"],
        "groups": {
            k: [
                {
                    "patient": r["patient"].pk,
                    "mrn": r["patient"].mrn,
                    "name": f"{r['patient'].first_name} {r['patient'].last_name}",
                    "order": r["order"].pk,
                    "missed_days": r["missed_days"],
                    "last_covered": r["last_covered"],
                }
                for r in rows
            ]
            for k, rows in data["groups"].items()
        },
    }


@sites_router.get("/{code}/injections-due", response=InjectionsDueOut)
def injections(
    request: HttpRequest, code: str, within_days: Annotated[int, Field(ge=0, le=60)] = 7
):
    actor = api_actor(request)
    data = selectors.injections_due(
        actor, site_by_code(actor.organization_id, code), within_days=within_days
    )
    return {
        "site": code,
        "on": data["day"],
        "injections": [
            {
                "kind": r["kind"],
                "patient": r["patient"].pk,
                "order": r["order"].pk,
                "medication": r["order"].medication,
                "last": r["last"],
                "due": r["due"],
                "overdue_days": r["overdue_days"],
            }
            for r in data["rows"]
        ],
    }


def _stock_out(summary: dict) -> dict:
    return {
        "site": summary["site"].code,
        "medication": summary["medication"],
        "expected_mg": str(summary["expected_mg"]),
        "today": {k: str(v) for k, v in summary["today"].items()},
        "counts": [
            {
                "day": c.day,
                "expected_mg": str(c.expected_mg),
                "counted_mg": str(c.counted_mg),
                "difference_mg": str(c.difference_mg),
                "discrepancy": c.difference_mg != 0,
                "by": c.by.username,
                "witness": c.witness.username,
            }
            for c in summary["counts"]
        ],
    }


@sites_router.get("/{code}/stock", response=StockOut)
def stock(request: HttpRequest, code: str, medication: LedgerMedication = "methadone"):
    """The site's ledger of ``medication`` (``methadone``, or ``naloxone`` where the site
    keeps naloxone stock: kits given count out of it)."""
    actor = api_actor(request)
    site = site_by_code(actor.organization_id, code)
    return _stock_out(selectors.stock_summary(actor, site, medication))


@sites_router.post("/{code}/stock/receipts", response={201: StockEntryOut})
def stock_receive(request: HttpRequest, code: str, payload: StockReceiptIn):
    e = services.stock_receive(
        api_actor(request), code, payload.quantity_mg, payload.reference, payload.medication
    )
    return Status(201, {"id": e.pk, "kind": e.kind, "quantity_mg": str(e.quantity_mg)})


@sites_router.post("/{code}/stock/waste", response={201: StockEntryOut})
def stock_waste(request: HttpRequest, code: str, payload: StockWasteIn):
    e = services.stock_waste(
        api_actor(request),
        code,
        payload.quantity_mg,
        payload.reason,
        payload.witness,
        payload.medication,
        witness_password=payload.witness_password,
        witness_code=payload.witness_code,
    )
    return Status(201, {"id": e.pk, "kind": e.kind, "quantity_mg": str(e.quantity_mg)})


@sites_router.post("/{code}/stock/counts", response={201: StockCountOut})
def stock_count(request: HttpRequest, code: str, payload: StockCountIn):
    """A witnessed count against the ledger; ``discrepancy`` is true when they differ."""
    c = services.stock_count(
        api_actor(request),
        code,
        payload.counted_mg,
        payload.witness,
        payload.note,
        payload.medication,
        witness_password=payload.witness_password,
        witness_code=payload.witness_code,
    )
    return Status(
        201,
        {
            "id": c.pk,
            "expected_mg": str(c.expected_mg),
            "counted_mg": str(c.counted_mg),
            "difference_mg": str(c.difference_mg),
            "discrepancy": c.difference_mg != 0,
        },
    )


# --- settings ---------------------------------------------------------------------------
@settings_router.get("/medication", response=MedicationSettingsOut)
def settings_get(request: HttpRequest):
    actor = api_actor(request)
    actor.require("medication.view")
    d, t = services.limits_for(actor.organization_id)
    testing = selectors.testing_limits_for(actor.organization_id)
    return {
        "dosing": dataclass_values(d),
        "take_home": dataclass_values(t),
        "testing": dataclass_values(testing),
    }


@settings_router.patch("/medication", response=MedicationSettingsOut)
def settings_patch(request: HttpRequest, payload: SettingsIn):
    """Set some limits (admin): 422 ``invalid_setting`` for an unknown key or a bad value,
    ``setting_exceeds_federal_limit`` for a value that loosens a federal limit (the
    first-day limit above 50 mg, take-home tiers above 7/14/28 from days 1/15/31,
    ``testing.random_tests_per_year`` below 8)."""
    actor = api_actor(request)
    services.settings_update(actor, payload.dosing, payload.take_home, payload.testing)
    return settings_get(request)
