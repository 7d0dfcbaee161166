"""API of the notes part (issue 18): progress notes (write a draft, edit it, sign, addenda,
co-signature), the co-signature list, one's unsigned notes, templates, supervision and the
documentation settings. Every read of a patient's notes is audited."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from waypoint.core.actor import Actor, api_actor
from waypoint.core.schemas import PatientId

from ..models import Addendum, Note, NoteTemplate, Supervision
from ..schemas.notes import (
    NoteAddendumIn,
    NoteIn,
    NotesQuery,
    NotesSettingsIn,
    NoteSupervisionIn,
    NoteTemplateIn,
    NoteTemplateRetireIn,
    NoteUpdateIn,
)
from ..selectors import notes as selectors
from ..selectors.supervision import settings_of
from ..services import notes as services

patients_router = Router(tags=["progress notes"])
notes_router = Router(tags=["progress notes"])


class NotePlanItemOut(Schema):
    plan: int = Field(validation_alias="plan_id")
    item: str
    label: str


class NoteAddendumOut(Schema):
    id: int
    note: int = Field(validation_alias="note_id")
    author: int = Field(validation_alias="author_id")
    reason: str
    text: str
    created_at: dt.datetime


class NoteOut(Schema):
    id: int
    patient: PatientId
    note_type: str
    format: str
    template: int | None = Field(validation_alias="template_id")
    fields: dict[str, str]
    service_at: dt.datetime
    duration_minutes: int
    modality: str
    place: str
    session: int | None = Field(validation_alias="session_id")
    episode: int | None = Field(validation_alias="episode_id")
    author: int = Field(validation_alias="author_id")
    status: str = Field(description="draft, awaiting_cosign or signed")
    signed_at: dt.datetime | None
    late_entry: bool
    cosigner: int | None = Field(validation_alias="cosigner_id")
    cosigned_at: dt.datetime | None
    created_at: dt.datetime
    plan_items: list[NotePlanItemOut]
    addenda: list[NoteAddendumOut]

    @staticmethod
    def resolve_plan_items(obj: Note) -> list:
        return list(obj.plan_items.order_by("plan_id", "item"))

    @staticmethod
    def resolve_addenda(obj: Note) -> list:
        return list(obj.addenda.order_by("id"))


class NoteSummaryOut(Schema):
    """A note in a list: what it is and where it stands, without its fields."""

    id: int
    patient: PatientId
    note_type: str
    service_at: dt.datetime
    author: int = Field(validation_alias="author_id")
    status: str
    late_entry: bool
    signed_at: dt.datetime | None
    cosigner: int | None = Field(validation_alias="cosigner_id")
    created_at: dt.datetime
    plan_items: list[NotePlanItemOut]
    addenda: int

    @staticmethod
    def resolve_plan_items(obj: Note) -> list:
        return list(obj.plan_items.all())

    @staticmethod
    def resolve_addenda(obj: Note) -> int:
        return len(obj.addenda.all())


class UnsignedNoteOut(NoteSummaryOut):
    overdue: bool = Field(description="started more than the unsigned-alert hours ago")


class NoteTemplateFieldOut(Schema):
    key: str
    title: str


class NoteTemplateOut(Schema):
    id: int
    name: str
    version: int
    previous: int | None = Field(validation_alias="previous_id")
    fields: list[NoteTemplateFieldOut]
    note_types: list[str]
    retired: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_retired(obj: NoteTemplate) -> bool:
        return obj.retired_at is not None


class NoteSupervisionOut(Schema):
    user: int
    supervisor: int | None
    reason: str


class NotesSettingsOut(Schema):
    late_entry_hours: int
    unsigned_alert_hours: int


def _note(actor: Actor, note_id: int) -> Note:
    """The note as the answer shows it, read without a second audit event (the write
    just audited it)."""
    return selectors.note_written(actor, note_id)


# --- a patient's notes -----------------------------------------------------------------------
@patients_router.post("/{id:patient_id}/notes", response={201: NoteOut})
def note_create(request: HttpRequest, patient_id: int, payload: NoteIn):
    """Write a draft progress note (physician, nurse, counselor; the types each role
    writes: docs/NOTES.md). 403 ``note_type_not_allowed``; 422 ``invalid_input``; 404
    another organization's patient."""
    actor = api_actor(request)
    note = services.note_create(actor, patient_id, payload)
    return Status(201, _note(actor, note.pk))


@patients_router.get("/{id:patient_id}/notes", response=list[NoteSummaryOut])
def notes_list(request: HttpRequest, patient_id: int, q: Query[NotesQuery]):
    """The patient's notes, newest service first, optionally of one ``type`` or
    ``author`` (audited read)."""
    return selectors.notes_for_patient(api_actor(request), patient_id, q.type, q.author)


# --- lists of one's work, templates, supervision, settings -----------------------------------
@notes_router.get("/cosign-queue", response=list[NoteSummaryOut])
def cosign_queue(request: HttpRequest):
    """The notes waiting for the caller's co-signature, oldest first."""
    return selectors.cosign_queue(api_actor(request))


@notes_router.get("/unsigned", response=list[UnsignedNoteOut])
def unsigned(request: HttpRequest):
    """The caller's own drafts, oldest first, each marked ``overdue`` past the
    unsigned-alert hours."""
    return selectors.unsigned_of(api_actor(request)).notes


@notes_router.get("/templates", response=list[NoteTemplateOut])
def templates(request: HttpRequest):
    """The latest version of every template (retired ones marked)."""
    actor = api_actor(request)
    actor.require("notes.view")
    return (
        selectors.templates_current(actor.organization_id)
        if not actor.can("notes.manage")
        else selectors.templates_all(actor)
    )


@notes_router.post("/templates", response={201: NoteTemplateOut})
def template_create(request: HttpRequest, payload: NoteTemplateIn):
    """Add a template (admin): a name and 1-20 titled fields. 422 ``invalid_input``."""
    return Status(201, services.template_create(api_actor(request), payload))


@notes_router.post("/templates/{id:template_id}/versions", response={201: NoteTemplateOut})
def template_revise(request: HttpRequest, template_id: int, payload: NoteTemplateIn):
    """Change a template (admin): a new version; notes keep theirs. 409
    ``template_superseded``; 422 ``invalid_input``."""
    return Status(201, services.template_revise(api_actor(request), template_id, payload))


@notes_router.post("/templates/{id:template_id}/retired", response=NoteTemplateOut)
def template_retire(request: HttpRequest, template_id: int, payload: NoteTemplateRetireIn):
    """Retire a template (no longer offered) or offer it again (admin). 409
    ``template_superseded``."""
    return services.template_retire(api_actor(request), template_id, payload.retired)


@notes_router.get("/supervision", response=list[NoteSupervisionOut])
def supervision(request: HttpRequest):
    """Who needs co-signature and by whom (admin)."""
    rows: list[Supervision] = selectors.supervision_rows(api_actor(request))
    return [{"user": r.user_id, "supervisor": r.supervisor_id, "reason": r.reason} for r in rows]


@notes_router.post("/supervision", response=NoteSupervisionOut)
def supervision_set(request: HttpRequest, payload: NoteSupervisionIn):
    """Say whose co-signature a staff member's notes need (admin); ``supervisor`` null:
    they sign alone. 422 ``invalid_input``."""
    services.supervision_set(api_actor(request), payload.user, payload.supervisor, payload.reason)
    return {"user": payload.user, "supervisor": payload.supervisor, "reason": payload.reason}


@notes_router.get("/settings", response=NotesSettingsOut)
def settings_get(request: HttpRequest):
    """The late-entry and unsigned-alert hours (admin)."""
    actor = api_actor(request)
    actor.require("notes.manage")
    return settings_of(actor.organization_id)


@notes_router.put("/settings", response=NotesSettingsOut)
def settings_put(request: HttpRequest, payload: NotesSettingsIn):
    """Set the late-entry and unsigned-alert hours (admin), each 1-720. 422
    ``invalid_input``."""
    return services.settings_set(
        api_actor(request), payload.late_entry_hours, payload.unsigned_alert_hours
    )


# --- one note --------------------------------------------------------------------------------
@notes_router.get("/{id:note_id}", response=NoteOut)
def note_get(request: HttpRequest, note_id: int):
    """A note with its plan items and addenda (audited read)."""
    return selectors.note_get(api_actor(request), note_id)


@notes_router.patch("/{id:note_id}", response=NoteOut)
def note_update(request: HttpRequest, note_id: int, payload: NoteUpdateIn):
    """Change a draft (its author). 403 ``not_note_author``, ``note_type_not_allowed``;
    409 ``note_signed``; 422 ``invalid_input``."""
    actor = api_actor(request)
    services.note_update(actor, note_id, payload)
    return _note(actor, note_id)


@notes_router.post("/{id:note_id}/sign", response=NoteOut)
def note_sign(request: HttpRequest, note_id: int):
    """Sign a draft (its author): locked from now on; ``late_entry`` when signed more than
    the late-entry hours after the service ended; ``awaiting_cosign`` when the author
    needs a supervisor's co-signature. 403 ``not_note_author``; 409 ``note_signed``; 422
    ``note_incomplete``."""
    actor = api_actor(request)
    services.note_sign(actor, note_id)
    return _note(actor, note_id)


@notes_router.post("/{id:note_id}/addenda", response={201: NoteAddendumOut})
def note_addendum(request: HttpRequest, note_id: int, payload: NoteAddendumIn):
    """Add an addendum to a signed note (its author): why and what; the note is unchanged.
    403 ``not_note_author``; 409 ``note_not_signed``; 422 ``invalid_input``."""
    a: Addendum = services.note_addendum(api_actor(request), note_id, payload.text, payload.reason)
    return Status(201, a)


@notes_router.post("/{id:note_id}/cosign", response=NoteOut)
def note_cosign(request: HttpRequest, note_id: int):
    """Co-sign a supervised colleague's note (the assigned supervisor). 403
    ``cosign_own_note``, ``not_cosigner``; 409 ``note_not_awaiting_cosign``."""
    actor = api_actor(request)
    services.note_cosign(actor, note_id)
    return _note(actor, note_id)


ROUTERS: list[tuple[str, Router]] = [
    ("/patients", patients_router),
    ("/notes", notes_router),
]
