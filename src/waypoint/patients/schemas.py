"""Patient input and output shapes, used by the API and by the HTML forms."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints, field_validator

from waypoint.core.schemas import (
    Bool,
    NoControlChars,
    PastDate,
    Phone,
    Schema,
    SiteCode,
    State,
    StrictSchema,
    text,
)

Name = Annotated[str, text(100, 1)]
Zip = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(\d{5}(-\d{4})?)?$")]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=254, pattern=r"^([^@\s]+@[^@\s]+\.[^@\s]+)?$"
    ),
    NoControlChars,
]
Sex = Literal["female", "male", "intersex", "unknown"]


def _plausible_birth(value: dt.date) -> dt.date:
    if value.year < 1900:
        raise ValueError("must be 1900 or later")
    return value


BirthDate = Annotated[PastDate, AfterValidator(_plausible_birth)]

# Optional demographic and contact fields, shared by create and update.
OPTIONAL_FIELDS = (
    "preferred_name",
    "sex_at_birth",
    "gender_identity",
    "pronouns",
    "preferred_language",
    "interpreter_needed",
    "phone",
    "email",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "zip_code",
    "emergency_contact_name",
    "emergency_contact_relationship",
    "emergency_contact_phone",
    "insurance",
)


class PatientIn(StrictSchema):
    first_name: Name
    last_name: Name
    date_of_birth: BirthDate
    site: Annotated[str, text(20, 1)]
    preferred_name: Annotated[str, text(100)] = ""
    sex_at_birth: Sex = "unknown"
    gender_identity: Annotated[str, text(60)] = ""
    pronouns: Annotated[str, text(40)] = ""
    preferred_language: Annotated[str, text(60)] = "English"
    interpreter_needed: Bool = False
    phone: Phone = ""
    email: Email = ""
    address_line1: Annotated[str, text(200)] = ""
    address_line2: Annotated[str, text(200)] = ""
    city: Annotated[str, text(100)] = ""
    state: State = ""
    zip_code: Zip = ""
    emergency_contact_name: Annotated[str, text(200)] = ""
    emergency_contact_relationship: Annotated[str, text(60)] = ""
    emergency_contact_phone: Phone = ""
    insurance: Annotated[str, text(300)] = ""
    confirm_not_duplicate: Bool = Field(
        False,
        description="Set true to register even though a patient with the same name and date "
        "of birth exists (after checking it is a different person).",
    )


class PatientUpdate(StrictSchema):
    """Every field optional: only those sent are changed."""

    first_name: Name | None = None
    last_name: Name | None = None
    date_of_birth: BirthDate | None = None
    site: Annotated[str, text(20, 1)] | None = None
    preferred_name: Annotated[str, text(100)] | None = None
    sex_at_birth: Sex | None = None
    gender_identity: Annotated[str, text(60)] | None = None
    pronouns: Annotated[str, text(40)] | None = None
    preferred_language: Annotated[str, text(60)] | None = None
    interpreter_needed: Bool | None = None
    phone: Phone | None = None
    email: Email | None = None
    address_line1: Annotated[str, text(200)] | None = None
    address_line2: Annotated[str, text(200)] | None = None
    city: Annotated[str, text(100)] | None = None
    state: State | None = None
    zip_code: Zip | None = None
    emergency_contact_name: Annotated[str, text(200)] | None = None
    emergency_contact_relationship: Annotated[str, text(60)] | None = None
    emergency_contact_phone: Phone | None = None
    insurance: Annotated[str, text(300)] | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _no_null(cls, value: object) -> object:
        # A null used to be ignored with a 200, as if the change had been made.
        if value is None:
            raise ValueError("must not be null: leave the field out to keep its value")
        return value


class PatientOut(Schema):
    id: int
    mrn: str
    first_name: str
    last_name: str
    date_of_birth: dt.date
    site: SiteCode
    preferred_name: str
    sex_at_birth: str
    gender_identity: str
    pronouns: str
    preferred_language: str
    interpreter_needed: bool
    phone: str
    email: str
    address_line1: str
    address_line2: str
    city: str
    state: str
    zip_code: str
    emergency_contact_name: str
    emergency_contact_relationship: str
    emergency_contact_phone: str
    insurance: str
    created_at: dt.datetime
    updated_at: dt.datetime


class PatientBrief(Schema):
    """A patient in a list. A restricted record the caller may not open comes masked
    (``patients.access``): ``restricted`` true, names "Restricted record", no MRN or date
    of birth; opening it asks for a reason (``POST /patients/{id}/break-glass``)."""

    id: int
    mrn: str
    first_name: str
    last_name: str
    date_of_birth: dt.date | None
    site: SiteCode
    restricted: bool = False

    @staticmethod
    def resolve_restricted(obj: object) -> bool:
        return bool(getattr(obj, "restricted", False))
