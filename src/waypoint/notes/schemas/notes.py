"""Inputs of the notes part, shared by the API and the HTML forms.

A note's fields are paragraphs: unlike the one-line ``text()`` of the rest of the API they
keep line breaks (a browser's CRLF is stored as LF) and tabs, and refuse every other
control character (``core.schemas.paragraphs``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from waypoint.core.schemas import Bool, RecordId, StrictSchema, paragraphs, text

FIELD_MAX = 8000  # one field of a note (the model's addendum text holds as much)
FIELDS_MAX = 20  # fields of a note or a template
PLACE_MAX = 200
REASON_MAX = 500
TITLE_MAX = 120
PLAN_ITEMS_MAX = 50
DURATION_MIN, DURATION_MAX = 1, 480  # minutes

NoteType = Literal[
    "individual", "group", "cbt", "family", "medical", "nursing", "case_management", "other"
]
NoteFormat = Literal["dap", "soap", "template", "narrative"]
Modality = Literal["in_person", "video", "phone"]


Paragraphs = Annotated[str, paragraphs(FIELD_MAX)]
AddendumText = Annotated[str, paragraphs(FIELD_MAX, 1)]
FieldKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
# "2" (the second problem) or "2.1.3" (the third objective of the first goal of the second
# problem) of the plan version's content.
PlanItemKey = Annotated[
    str, StringConstraints(pattern=r"^[1-9][0-9]?(\.[1-9][0-9]?\.[1-9][0-9]?)?$")
]
Duration = Annotated[int, Field(ge=DURATION_MIN, le=DURATION_MAX, strict=True)]
SettingHours = Annotated[int, Field(strict=True)]  # the bounds are clinical.notes'


class NoteIn(StrictSchema):
    """A draft progress note. ``fields`` holds the format's fields (DAP: data, assessment,
    plan; SOAP: subjective, objective, assessment, plan; narrative: narrative; template:
    the template's keys); a draft may leave them empty, signing needs them all."""

    note_type: NoteType
    format: NoteFormat
    template: RecordId | None = None
    fields: Annotated[dict[FieldKey, Paragraphs], Field(max_length=FIELDS_MAX)] = {}
    service_at: AwareDatetime
    duration_minutes: Duration
    modality: Modality
    place: Annotated[str, text(PLACE_MAX)] = ""
    session: RecordId | None = None
    episode: RecordId | None = None
    plan_items: Annotated[list[PlanItemKey], Field(max_length=PLAN_ITEMS_MAX)] = []


class NoteUpdateIn(StrictSchema):
    """A change to a draft: only the fields given change (``session``, ``episode`` and
    ``template`` may be set to null; ``plan_items`` replaces the list)."""

    note_type: NoteType | None = None
    format: NoteFormat | None = None
    template: RecordId | None = None
    fields: Annotated[dict[FieldKey, Paragraphs], Field(max_length=FIELDS_MAX)] | None = None
    service_at: AwareDatetime | None = None
    duration_minutes: Duration | None = None
    modality: Modality | None = None
    place: Annotated[str, text(PLACE_MAX)] | None = None
    session: RecordId | None = None
    episode: RecordId | None = None
    plan_items: Annotated[list[PlanItemKey], Field(max_length=PLAN_ITEMS_MAX)] | None = None


class NoteAddendumIn(StrictSchema):
    reason: Annotated[str, text(REASON_MAX, 1)]
    text: AddendumText


class NoteTemplateFieldIn(StrictSchema):
    title: Annotated[str, text(TITLE_MAX, 1)]


class NoteTemplateIn(StrictSchema):
    """A template: a name and 1-20 titled fields, offered for the note types listed (none:
    every type). Changing a template makes a new version."""

    name: Annotated[str, text(TITLE_MAX, 1)]
    fields: Annotated[list[NoteTemplateFieldIn], Field(min_length=1, max_length=FIELDS_MAX)]
    note_types: Annotated[list[NoteType], Field(max_length=8)] = []


class NoteTemplateRetireIn(StrictSchema):
    retired: Bool


class NoteSupervisionIn(StrictSchema):
    """``user``'s notes need ``supervisor``'s co-signature; ``supervisor`` null: no longer."""

    user: RecordId
    supervisor: RecordId | None = None
    reason: Annotated[str, text(200)] = ""


class NotesSettingsIn(StrictSchema):
    late_entry_hours: SettingHours
    unsigned_alert_hours: SettingHours


class NotesQuery(StrictSchema):
    type: NoteType | None = None
    author: RecordId | None = None
