"""Inquiry input shapes, used by the API and the HTML forms."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from waypoint.core.schemas import Phone, RecordId, StrictSchema, text
from waypoint.patients.schemas import BirthDate, Sex

from .models import CHANNELS, REFERRAL_SOURCES, ROUTES, STATUSES, SUBSTANCES

# Literals made from the models' choices when the module loads: to the type checker, strings.
if TYPE_CHECKING:
    Channel = str
    Status = str
    Referral = str
    Route = str
    Substance = str
else:
    Channel = Literal[tuple(c for c, _ in CHANNELS)]
    Status = Literal[tuple(c for c, _ in STATUSES)]
    Referral = Literal[tuple(c for c, _ in REFERRAL_SOURCES)]
    Route = Literal[tuple(c for c, _ in ROUTES)]
    Substance = Literal[tuple(c for c, _ in SUBSTANCES)]


class InquiryIn(StrictSchema):
    site: Annotated[str, text(20, 1)]
    channel: Channel
    name: Annotated[str, text(200, 1)]
    is_alias: bool = False
    # optional legal names and birth date: registration starts from them (nothing typed twice)
    first_name: Annotated[str, text(100)] = ""
    last_name: Annotated[str, text(100)] = ""
    date_of_birth: BirthDate | None = None
    phone: Phone = ""
    ok_to_call: bool = False
    ok_to_text: bool = False
    referral_source: Referral = "self"
    referral_detail: Annotated[str, text(200)] = ""
    substances: list[Substance] = Field(default_factory=list, max_length=11)
    last_use_at: dt.datetime | None = None
    route: Route = "unknown"
    withdrawal_now: bool = False
    pregnant: bool = False
    overdose_last_year: bool = False
    notes: Annotated[str, text(4000)] = ""
    arrived_at: dt.datetime | None = None


class StatusIn(StrictSchema):
    status: Status
    reason: Annotated[str, text(300)] = ""


class LinkPatientIn(StrictSchema):
    """A returning patient: the inquiry is theirs."""

    patient: RecordId


class MakePatientIn(StrictSchema):
    """What registration needs beyond the inquiry: legal name and date of birth."""

    first_name: Annotated[str, text(100, 1)]
    last_name: Annotated[str, text(100, 1)]
    date_of_birth: BirthDate
    sex_at_birth: Sex = "unknown"
    confirm_not_duplicate: bool = False
