"""API of the groups part (issue 18): a group session's note written once, edited while a
draft, and signed — which files one note per attendee, holding the shared part and only
that attendee's entry. Refusals write nothing (codes in docs/API.md, "Clinical notes")."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from waypoint.core.actor import api_actor
from waypoint.core.schemas import PatientId

from ..schemas.groups import GroupNoteIn, GroupNotePatch
from ..selectors import groups as selectors
from ..services import groups as services

sessions_router = Router(tags=["group notes"])
group_notes_router = Router(tags=["group notes"])
patients_router = Router(tags=["group notes"])


class GroupEntryOut(Schema):
    id: int
    attendee: int = Field(validation_alias="attendee_id", description="the roster row's id")
    patient: PatientId
    participation: str
    progress: str
    plan: str


class FiledRefOut(Schema):
    id: int
    patient: PatientId
    status: str
    late_entry: bool
    cosigner: int | None = Field(validation_alias="cosigner_id")


class GroupNoteOut(Schema):
    id: int
    session: int = Field(validation_alias="session_id")
    author: int = Field(validation_alias="author_id")
    status: str
    topic: str
    shared: str
    place: str
    service_at: dt.datetime
    duration_minutes: int
    modality: str
    signed_at: dt.datetime | None
    entries: list[GroupEntryOut]
    notes: list[FiledRefOut] = Field(description="the notes filed on signing, one per entry")

    @staticmethod
    def resolve_entries(obj) -> list:
        return list(obj.entries.all())

    @staticmethod
    def resolve_notes(obj) -> list:
        return list(obj.notes.all())


class FiledGroupNoteOut(Schema):
    """A group note as filed in one patient's chart: the shared part and their entry."""

    id: int
    patient: PatientId
    session: int | None = Field(validation_alias="session_id")
    group_note: int | None = Field(validation_alias="group_note_id")
    note_type: str
    format: str
    fields: dict[str, str]
    service_at: dt.datetime
    duration_minutes: int
    modality: str
    place: str
    author: int = Field(validation_alias="author_id")
    status: str
    signed_at: dt.datetime | None
    late_entry: bool
    cosigner: int | None = Field(validation_alias="cosigner_id")


@sessions_router.post("/{id:session_id}/group-note", response={201: GroupNoteOut})
def group_note_create(request: HttpRequest, session_id: int, payload: GroupNoteIn):
    """Write a group session's note as a draft (a counselor or physician with
    ``notes.write``): the shared part and one entry per attendee marked attended
    (``entries[].attendee`` is the roster row's id). Service time, duration and modality
    are the session's. 404 another organization's session; 403 ``note_type_not_allowed``;
    409 ``not_group_session``, ``group_note_exists``, ``no_attendees``; 422
    ``roster_mismatch`` (with ``missing``, ``extra`` and ``repeated`` attendee ids),
    ``invalid_input``."""
    actor = api_actor(request)
    gn = services.group_note_create(actor, session_id, payload)
    return Status(201, selectors.group_note_row(actor.organization_id, gn.pk))


@group_notes_router.get("/{id:group_note_id}", response=GroupNoteOut)
def group_note_get(request: HttpRequest, group_note_id: int):
    """The group note with every entry (staff with ``notes.view``); each attendee's read is
    audited on its own. 404 another organization's."""
    return selectors.group_note_read(api_actor(request), group_note_id)


@group_notes_router.patch("/{id:group_note_id}", response=GroupNoteOut)
def group_note_update(request: HttpRequest, group_note_id: int, payload: GroupNotePatch):
    """Change a draft (its author only): the parts given; ``entries`` replace all entries.
    403 ``not_note_author``; 409 ``note_signed``; 422 ``roster_mismatch``."""
    actor = api_actor(request)
    gn = services.group_note_update(actor, group_note_id, payload)
    return selectors.group_note_row(actor.organization_id, gn.pk)


@group_notes_router.post("/{id:group_note_id}/sign", response=GroupNoteOut)
def group_note_sign(request: HttpRequest, group_note_id: int):
    """Sign a draft (its author only): files one note per entry in that attendee's chart
    (``notes``), late entry and co-signature decided as for any note. The entries are
    checked against the roster again. 403 ``not_note_author``; 409 ``note_signed``,
    ``no_attendees``; 422 ``roster_mismatch``."""
    actor = api_actor(request)
    services.group_note_sign(actor, group_note_id)
    return selectors.group_note_row(actor.organization_id, group_note_id)


@patients_router.get("/{id:patient_id}/group-notes", response=list[FiledGroupNoteOut])
def patient_group_notes(request: HttpRequest, patient_id: int):
    """The group notes filed in this patient's chart, newest first: each holds the group's
    shared part and only this patient's entry. 404 another organization's patient."""
    _patient, notes = selectors.patient_group_notes(api_actor(request), patient_id)
    return notes


ROUTERS: list[tuple[str, Router]] = [
    ("/sessions", sessions_router),
    ("/group-notes", group_notes_router),
    ("/patients", patients_router),
]
