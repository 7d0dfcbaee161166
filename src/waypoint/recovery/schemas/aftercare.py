"""Aftercare plans and naloxone kits: the input of the API and of the pages."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from waypoint.clinical import aftercare as rule
from waypoint.core.schemas import Bool, IsoDate, StrictSchema, text

DETAIL_MAX, CONTACT_MAX, NOTE_MAX = 500, 200, 2000

Kind = Literal[
    "alumni_group",
    "mutual_help",
    "teletherapy",
    "referral",
    "medication_continuation",
    "housing",
    "employment",
    "other",
]
Status_ = Literal["planned", "attended", "missed", "declined"]
Formulation = Literal["nasal_4mg", "nasal_8mg", "injection_0_4mg", "autoinjector_2mg"]


class AftercareItemIn(StrictSchema):
    kind: Kind
    detail: Annotated[str, text(DETAIL_MAX, 1)]
    contact: Annotated[str, text(CONTACT_MAX)] | None = None
    next_date: IsoDate | None = None


class AftercarePlanIn(StrictSchema):
    items: Annotated[
        list[AftercareItemIn], Field(min_length=rule.ITEMS_MIN, max_length=rule.ITEMS_MAX)
    ]
    note: Annotated[str, text(NOTE_MAX)] = ""


class ItemStatusIn(StrictSchema):
    status: Status_
    note: Annotated[str, text(DETAIL_MAX)] = ""


class NaloxoneKitIn(StrictSchema):
    given_on: IsoDate
    quantity: Annotated[int, Field(ge=rule.KIT_QUANTITY_MIN, le=rule.KIT_QUANTITY_MAX, strict=True)]
    formulation: Formulation
    lot: Annotated[str, text(40)] | None = None
    trained: Bool
    site: Annotated[str, text(20, 1)] | None = None
