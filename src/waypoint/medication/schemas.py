"""Inputs of the medication side, shared by the API and the HTML forms. Coded values
(medication, schedule, induction) are checked by the services and the pure rules, so both
get the same stable refusal codes."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AwareDatetime, Field

from waypoint.core.schemas import Bool, IsoDate, StrictRecordId, StrictSchema, text

# A milligram amount: positive, two decimals at most, and below anything plausible.
Mg = Annotated[Decimal, Field(gt=0, le=10_000, max_digits=8, decimal_places=2, allow_inf_nan=False)]
Days = Annotated[int, Field(ge=0, le=28, strict=True)]


class OrderIn(StrictSchema):
    medication: Annotated[str, text(40, 1)]
    dose_mg: Mg
    start_date: IsoDate
    schedule: Annotated[str, text(20, 1)] | None = None
    stop_date: IsoDate | None = None
    induction: Annotated[str, text(10)] | None = None
    take_home_max_doses: Days = 0
    first_day_override_reason: Annotated[str, text(2000)] = ""
    # confirms the high-dose warning: buprenorphine above 24 mg, methadone above 100 mg (QTc)
    high_dose_acknowledged: Bool = False
    # confirms the blockade warning: an agonist within 28 days of a naltrexone injection
    blockade_acknowledged: Bool = False
    # the prescriber's documented reason for a methadone increase beyond the titration limit
    titration_reason: Annotated[str, text(2000)] = ""
    # a documented transfer: continuing buprenorphine from another prescriber or program
    transfer_source: Annotated[str, text(200)] = ""
    transfer_last_dose_on: IsoDate | None = None
    transfer_treated_since: IsoDate | None = None
    # supplemental daily buprenorphine while an implant is in place
    implant_supplemental: Bool = False
    last_opioid_use_on: IsoDate | None = None
    last_opioid_kind: Annotated[str, text(20)] = ""
    instructions: Annotated[str, text(2000)] = ""
    site: Annotated[str, text(20, 1)] | None = None
    # buprenorphine induction: repeat doses on day 1 (clinical.induction; all three or none)
    repeat_dose_mg: Mg | None = None
    repeat_interval_hours: Annotated[int, Field(ge=0, le=1000, strict=True)] | None = None
    day_one_max_mg: Mg | None = None


class OrderChangeIn(StrictSchema):
    reason: Annotated[str, text(2000, 1)]
    dose_mg: Mg | None = None
    take_home_max_doses: Days | None = None
    stop_date: IsoDate | None = None
    first_day_override_reason: Annotated[str, text(2000)] | None = None
    high_dose_acknowledged: Bool = False
    titration_reason: Annotated[str, text(2000)] = ""
    implant_supplemental: Bool | None = None


class OrderChangeCheckIn(StrictSchema):
    """The body of a change being typed: the reason may still be empty."""

    reason: Annotated[str, text(2000)] = ""
    dose_mg: Mg | None = None
    take_home_max_doses: Days | None = None
    stop_date: IsoDate | None = None
    first_day_override_reason: Annotated[str, text(2000)] | None = None
    high_dose_acknowledged: Bool = False
    titration_reason: Annotated[str, text(2000)] = ""
    implant_supplemental: Bool | None = None


class CheckOut(Schema):
    refusals: list[dict]
    warnings: list[str]


class ReasonIn(StrictSchema):
    reason: Annotated[str, text(2000, 1)]


class ReassessIn(StrictSchema):
    note: Annotated[str, text(2000, 1)]
    dose_mg: Mg | None = None


class OpioidFreeIn(StrictSchema):
    kind: Annotated[str, text(30, 1)]
    on: IsoDate | None = None  # a negative test's day is the test's
    drug_test: StrictRecordId | None = None
    note: Annotated[str, text(300)] = ""


class VitalsIn(StrictSchema):
    taken_at: AwareDatetime | None = None
    systolic: Annotated[int, Field(ge=40, le=300, strict=True)] | None = None
    diastolic: Annotated[int, Field(ge=20, le=200, strict=True)] | None = None
    pulse: Annotated[int, Field(ge=20, le=250, strict=True)] | None = None
    note: Annotated[str, text(300)] = ""
    site: Annotated[str, text(20, 1)] | None = None


class ImplantInsertIn(StrictSchema):
    lot: Annotated[str, text(50, 1)]
    inserted_on: IsoDate | None = None
    arm: Annotated[str, text(5)] = ""
    note: Annotated[str, text(500)] = ""


class ImplantRemoveIn(StrictSchema):
    removed_on: IsoDate | None = None
    note: Annotated[str, text(500)] = ""


class CriterionIn(StrictSchema):
    favorable: Bool
    note: Annotated[str, text(1000)] = ""


class DeterminationIn(StrictSchema):
    answers: dict[str, CriterionIn]
    decided_on: IsoDate | None = None
    note: Annotated[str, text(2000)] = ""


class DoseIn(StrictSchema):
    order: StrictRecordId
    dose_mg: Mg
    idempotency_key: Annotated[str, text(100, 8)]
    administered_at: AwareDatetime | None = None
    note: Annotated[str, text(500)] = ""


class TakeHomeIn(StrictSchema):
    order: StrictRecordId
    days: Annotated[int, Field(ge=1, le=28, strict=True)]
    first_day: IsoDate | None = None
    note: Annotated[str, text(500)] = ""


# The ledgers a site may keep: methadone (controlled) and naloxone (kits given count out).
LedgerMedication = Literal["methadone", "naloxone"]


class StockReceiptIn(StrictSchema):
    quantity_mg: Annotated[Decimal, Field(gt=0, le=10_000_000, decimal_places=2)]
    reference: Annotated[str, text(100, 1)]
    medication: LedgerMedication = "methadone"


class StockWasteIn(StrictSchema):
    quantity_mg: Annotated[Decimal, Field(gt=0, le=10_000_000, decimal_places=2)]
    reason: Annotated[str, text(300, 1)]
    witness: Annotated[str, text(150, 1)]
    # the witness confirms in the same request: their password or authenticator code
    witness_password: Annotated[str, text(200)] = ""
    witness_code: Annotated[str, text(12)] = ""
    medication: LedgerMedication = "methadone"


class StockCountIn(StrictSchema):
    counted_mg: Annotated[Decimal, Field(ge=0, le=10_000_000, decimal_places=2)]
    witness: Annotated[str, text(150, 1)]
    witness_password: Annotated[str, text(200)] = ""
    witness_code: Annotated[str, text(12)] = ""
    note: Annotated[str, text(500)] = ""
    medication: LedgerMedication = "methadone"


class CloseDayIn(StrictSchema):
    on: IsoDate | None = None


class SettingsIn(StrictSchema):
    # bool first: a JSON true/false stays a boolean (a switch), never becomes 1/0
    dosing: dict[str, bool | int | str | float] = {}
    take_home: dict[str, bool | int | str | float | list[list[int]]] = {}
    testing: dict[str, bool | int | str | float] = {}


class DiversionIn(StrictSchema):
    reason: Annotated[str, text(300, 1)]
