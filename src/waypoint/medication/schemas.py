"""Inputs of the medication side, shared by the API and the HTML forms. Coded values
(medication, schedule, induction) are checked by the services and the pure rules, so both
get the same stable refusal codes."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AwareDatetime, Field

from waypoint.core.schemas import Bool, IsoDate, StrictSchema, text

# A milligram amount: positive, two decimals at most, and below anything plausible.
Mg = Annotated[Decimal, Field(gt=0, le=10_000, max_digits=8, decimal_places=2, allow_inf_nan=False)]
Days = Annotated[int, Field(ge=0, le=28, strict=True)]


class OrderIn(StrictSchema):
    medication: text(40, 1)
    dose_mg: Mg
    start_date: IsoDate
    schedule: text(20, 1) | None = None
    stop_date: IsoDate | None = None
    induction: text(10) | None = None
    take_home_max_doses: Days = 0
    first_day_override_reason: text(2000) = ""
    high_dose_acknowledged: Bool = False
    last_opioid_use_on: IsoDate | None = None
    last_opioid_kind: text(20) = ""
    instructions: text(2000) = ""
    site: text(20, 1) | None = None


class OrderChangeIn(StrictSchema):
    reason: text(2000, 1)
    dose_mg: Mg | None = None
    take_home_max_doses: Days | None = None
    stop_date: IsoDate | None = None
    first_day_override_reason: text(2000) | None = None
    high_dose_acknowledged: Bool = False


class ReasonIn(StrictSchema):
    reason: text(2000, 1)


class ReassessIn(StrictSchema):
    note: text(2000, 1)
    dose_mg: Mg | None = None


class OpioidFreeIn(StrictSchema):
    kind: text(30, 1)
    on: IsoDate
    note: text(300) = ""


class DoseIn(StrictSchema):
    order: Annotated[int, Field(ge=1, strict=True)]
    dose_mg: Mg
    idempotency_key: text(100, 8)
    administered_at: AwareDatetime | None = None
    note: text(500) = ""


class TakeHomeIn(StrictSchema):
    order: Annotated[int, Field(ge=1, strict=True)]
    days: Annotated[int, Field(ge=1, le=28, strict=True)]
    first_day: IsoDate | None = None
    note: text(500) = ""


class StockReceiptIn(StrictSchema):
    quantity_mg: Annotated[Decimal, Field(gt=0, le=10_000_000, decimal_places=2)]
    reference: text(100, 1)


class StockWasteIn(StrictSchema):
    quantity_mg: Annotated[Decimal, Field(gt=0, le=10_000_000, decimal_places=2)]
    reason: text(300, 1)
    witness: text(150, 1)


class StockCountIn(StrictSchema):
    counted_mg: Annotated[Decimal, Field(ge=0, le=10_000_000, decimal_places=2)]
    witness: text(150, 1)
    note: text(500) = ""


class CloseDayIn(StrictSchema):
    on: IsoDate | None = None


class SettingsIn(StrictSchema):
    dosing: dict[str, int | str | float] = {}
    take_home: dict[str, int | str | float | list[list[int]]] = {}


class DiversionIn(StrictSchema):
    reason: text(300, 1)
