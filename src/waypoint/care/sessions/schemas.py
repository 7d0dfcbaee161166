"""Inputs of counseling sessions, shared by the API and the HTML forms: a session (or a
weekly series) to schedule, an attendance to record, and the API's query strings."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, Field

from waypoint.core.schemas import IsoDate, RecordId, StrictSchema, text

MAX_OCCURRENCES = 52  # a weekly series covers at most a year
MAX_ROSTER = 40


class RepeatIn(StrictSchema):
    """Weekly repetition: ``count`` occurrences in all (2-52), or every week ``until`` a
    site-local date (inclusive)."""

    count: int | None = Field(default=None, ge=2, le=MAX_OCCURRENCES)
    until: IsoDate | None = None


class SessionIn(StrictSchema):
    kind: Annotated[str, text(20, 1)]
    site: Annotated[str, text(20, 1)]
    counselor: RecordId
    starts_at: AwareDatetime
    duration_minutes: int
    title: Annotated[str, text(120)] = ""
    modality: Annotated[str, text(10, 1)] = "in_person"
    patients: list[RecordId] = Field(default_factory=list, max_length=MAX_ROSTER)
    repeat: RepeatIn | None = None


class SessionSettingsIn(StrictSchema):
    """The session kinds that must be held by video (``clinical.telehealth``)."""

    video_required_for: list[Annotated[str, text(20, 1)]] = Field(
        default_factory=list, max_length=10
    )


class AttendanceIn(StrictSchema):
    patient: RecordId
    status: Annotated[str, text(10, 1)]
    minutes: int | None = None


class DayQuery(StrictSchema):
    date: IsoDate | None = None
    counselor: RecordId | None = None
    site: Annotated[str, text(20, 1)] | None = None


class WeekQuery(StrictSchema):
    on: IsoDate | None = None
