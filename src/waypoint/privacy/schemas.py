"""Input and output shapes of the privacy API and forms (one validation for both)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, field_validator

from waypoint.core.schemas import Bool, IsoDate, RecordId, Schema, StrictSchema, text

Category = Literal[
    "demographics",
    "diagnosis",
    "assessments",
    "medications",
    "drug_tests",
    "attendance",
    "treatment_plan",
    "counseling_notes",
]
ConsentPurpose = Literal[
    "treatment", "payment", "health_care_operations", "tpo", "research", "other"
]
DisclosurePurpose = Literal[
    "treatment",
    "payment",
    "health_care_operations",
    "tpo",
    "research",
    "other",
    "legal_proceeding",
    "law_enforcement",
]
Categories = Annotated[list[Category], Field(min_length=1, max_length=8)]


def _unique(values: list) -> list:
    out = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


class RecipientIn(StrictSchema):
    name: Annotated[str, text(200, 1)]
    organization: Annotated[str, text(200)] = ""
    # for a disclosure under the general designation "my treating providers": the sender
    # states that this recipient treats the patient
    treating_provider: Bool = False


class ConsentIn(StrictSchema):
    recipient: RecipientIn | None = None
    general_designation: Literal["treating_providers"] | None = None
    purpose: ConsentPurpose
    purpose_detail: Annotated[str, text(300)] = ""
    categories: Categories
    expires_on: IsoDate | None = None
    expiry_event: Annotated[str, text(300)] = ""
    signed_on: IsoDate
    signature_method: Literal["electronic", "wet", "verbal_witnessed"]
    # the staff witness of a consent given aloud: a user id or username of the organization
    witness: RecordId | Annotated[str, text(150)] | None = None
    signature_reference: Annotated[str, text(200)] = ""
    language: Literal["en", "es"] = "en"
    # a new version of this consent (same patient): it ends when this one is recorded
    supersedes: RecordId | None = None

    @field_validator("categories")
    @classmethod
    def _no_repeats(cls, values: list) -> list:
        return _unique(values)


class RevokeIn(StrictSchema):
    on: IsoDate
    method: Literal["written", "verbal"]
    reference: Annotated[str, text(200)] = ""  # the letter or form, for a written revocation
    note: Annotated[str, text(500)] = ""


class ExpiryEventIn(StrictSchema):
    on: IsoDate
    note: Annotated[str, text(500)] = ""


class EmergencyIn(StrictSchema):
    nature: Annotated[str, text(500)] = ""
    facility: Annotated[str, text(200)] = ""


class DisclosureIn(StrictSchema):
    recipient: RecipientIn
    purpose: DisclosurePurpose
    categories: Categories
    basis: Literal["consent", "medical_emergency", "court_order"] = "consent"
    consent: RecordId | None = None
    court_order: RecordId | None = None
    emergency: EmergencyIn | None = None

    @field_validator("categories")
    @classmethod
    def _no_repeats(cls, values: list) -> list:
        return _unique(values)


class CourtOrderIn(StrictSchema):
    court: Annotated[str, text(200, 1)]
    case_number: Annotated[str, text(100)] = ""
    order_date: IsoDate
    findings: Annotated[str, text(4000, 1)]
    recipient: RecipientIn
    purposes: Annotated[list[DisclosurePurpose], Field(min_length=1, max_length=8)]
    categories: Categories
    valid_until: IsoDate | None = None
    reference: Annotated[str, text(200)] = ""

    @field_validator("categories", "purposes")
    @classmethod
    def _no_repeats(cls, values: list) -> list:
        return _unique(values)


class NoticeIn(StrictSchema):
    received_on: IsoDate
    version: Annotated[str, text(30)] = ""
    language: Literal["en", "es"] = "en"
    method: Literal["paper", "electronic"] = "paper"


class RestrictionRequestIn(StrictSchema):
    requested_on: IsoDate
    recipient: RecipientIn | None = None
    purposes: Annotated[list[ConsentPurpose], Field(max_length=6)] = []
    categories: Annotated[list[Category], Field(max_length=8)] = []
    to_health_plan: Bool = False
    paid_in_full: Bool = False
    detail: Annotated[str, text(500)] = ""

    @field_validator("categories", "purposes")
    @classmethod
    def _no_repeats(cls, values: list) -> list:
        return _unique(values)


class RestrictionDecisionIn(StrictSchema):
    agree: Bool
    note: Annotated[str, text(500)] = ""


class ComplaintIn(StrictSchema):
    received_on: IsoDate
    patient: RecordId | None = None
    complainant: Annotated[str, text(200)] = ""
    summary: Annotated[str, text(4000, 1)]


class ResolveIn(StrictSchema):
    resolution: Annotated[str, text(4000, 1)]


class RestrictIn(StrictSchema):
    reason: Literal["staff_member", "public_figure", "other"]
    note: Annotated[str, text(500)] = ""


class CareTeamIn(StrictSchema):
    user: RecordId


class BreakGlassIn(StrictSchema):
    reason: Literal["direct_care", "emergency", "covering", "other"]
    explanation: Annotated[str, text(500, 1)]


class ReviewIn(StrictSchema):
    outcome: Literal["appropriate", "concern"]
    note: Annotated[str, text(1000)] = ""


# --- answers ---------------------------------------------------------------------------
class RecipientOut(Schema):
    name: str
    organization: str


class ConsentEndOut(Schema):
    kind: str
    on: dt.date
    at: dt.datetime
    method: str
    recorded_by: str


class ConsentOut(Schema):
    id: int
    patient: int
    status: str
    version: int
    supersedes: int | None
    superseded_by: int | None
    discloser: str
    recipient: RecipientOut | None
    general_designation: str | None
    purpose: str
    purpose_detail: str
    categories: list[str]
    expires_on: dt.date | None
    expiry_event: str
    signed_on: dt.date
    signature_method: str
    signature_reference: str
    witness: str | None
    language: str
    revocation_statement: str
    recorded_by: str
    recorded_at: dt.datetime
    ended: ConsentEndOut | None


class EmergencyOut(Schema):
    nature: str
    facility: str


class DisclosureListItem(Schema):
    id: int
    at: dt.datetime
    by: str
    recipient: RecipientOut
    purpose: str
    categories: list[str]
    basis: str
    consent: int | None
    court_order: int | None
    emergency: EmergencyOut | None
    notice_version: str
    package_sha256: str
    reviewed: bool | None


class DisclosureOut(DisclosureListItem):
    patient: int
    notice: str
    records: dict[str, list[dict]]


class Accounting(Schema):
    patient: int
    disclosures: list[DisclosureListItem]


class CourtOrderOut(Schema):
    id: int
    patient: int
    court: str
    case_number: str
    order_date: dt.date
    findings: str
    recipient: RecipientOut
    purposes: list[str]
    categories: list[str]
    valid_until: dt.date | None
    recorded_by: str
    recorded_at: dt.datetime


class BreakGlassOut(Schema):
    id: int
    patient: int
    reason: str
    explanation: str
    at: dt.datetime
    until: dt.datetime


# --- the answers of the notice, request, complaint, restriction and review routes --------
class NoticeOut(Schema):
    id: int
    patient: int
    version: str
    received_on: dt.date
    language: str
    method: str


class RestrictionRequestOut(Schema):
    id: int
    patient: int
    status: str
    requested_on: dt.date
    recipient: RecipientOut | None
    purposes: list[str]
    categories: list[str]
    to_health_plan: bool
    paid_in_full: bool
    detail: str
    decision_note: str


class ComplaintOut(Schema):
    id: int
    patient: int | None
    received_on: dt.date
    complainant: str
    summary: str
    status: str
    resolution: str


class RestrictedOut(Schema):
    patient: int
    restricted: bool
    reason: str
    since: dt.datetime


class UnrestrictedOut(Schema):
    patient: int
    restricted: bool
    lifted_at: dt.datetime | None


class CareTeamAddedOut(Schema):
    patient: int
    user: int
    added_at: dt.datetime


class CareTeamRemovedOut(Schema):
    patient: int
    user: int
    removed_at: dt.datetime | None


class ReviewOut(Schema):
    id: int
    outcome: str
    at: dt.datetime


RecipientPurpose = Literal["treatment", "payment", "health_care_operations", "research", "other"]
RECIPIENT_PURPOSES = ("treatment", "payment", "health_care_operations", "research", "other")


class RecipientTokenIn(StrictSchema):
    """An outside recipient's FHIR token (issue 20): who, for which purpose (one use of
    records; a TPO consent covers treatment, payment and operations, so a token names one of
    them), for how many days."""

    recipient_name: Annotated[str, text(200, 1)]
    recipient_organization: Annotated[str, text(200)] = ""
    purpose: RecipientPurpose
    label: Annotated[str, text(100)] = ""
    days: Annotated[int, Field(ge=1, le=3650)] = 90
