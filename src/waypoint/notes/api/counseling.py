"""API of the counseling part: a note's SUD counseling notes (read, write, share,
withdraw a share) and the notes that addressed a treatment plan's items (plan progress)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema, Status

from waypoint.care.plans import selectors as plans
from waypoint.core.actor import api_actor
from waypoint.core.errors import NotFound
from waypoint.core.schemas import PatientId

from ..schemas.counseling import CounselingNoteIn, ShareIn
from ..selectors import counseling as selectors
from ..services import counseling as services

notes_router = Router(tags=["counseling notes"])
plans_router = Router(tags=["counseling notes"])


class ShareOut(Schema):
    user: int
    username: str
    name: str
    shared_at: dt.datetime
    withdrawn_at: dt.datetime | None


class VersionOut(Schema):
    text: str
    written_at: dt.datetime
    replaced_at: dt.datetime
    replaced_by: str
    reason: str


class CounselingNoteOut(Schema):
    note: int
    patient: PatientId
    author: str
    text: str
    written_at: dt.datetime
    changed_at: dt.datetime
    versions: list[VersionOut]
    shares: list[ShareOut] | None  # the author only; null for a sharee


def _share(s) -> dict:
    return {
        "user": s.user_id,
        "username": s.user.username,
        "name": selectors.name_of(s.user),
        "shared_at": s.shared_at,
        "withdrawn_at": s.withdrawn_at,
    }


def _out(view: selectors.CounselingView) -> dict:
    cn = view.counseling
    assert cn is not None
    return {
        "note": view.note.pk,
        "patient": view.note.patient_id,
        "author": selectors.name_of(view.note.author),
        "text": cn.text,
        "written_at": cn.created_at,
        "changed_at": cn.updated_at,
        "versions": [
            {
                "text": v.text,
                "written_at": v.written_at,
                "replaced_at": v.replaced_at,
                "replaced_by": selectors.name_of(v.replaced_by),
                "reason": v.reason,
            }
            for v in view.versions
        ],
        "shares": [_share(s) for s in view.shares] if view.is_author else None,
    }


def _read(request: HttpRequest, note_id: int, *, audited: bool = True) -> dict:
    view = selectors.counseling_read(api_actor(request), note_id, audited=audited)
    if view.counseling is None:
        raise NotFound("counseling notes on this note")
    return _out(view)


@notes_router.get("/{id:note_id}/counseling", response=CounselingNoteOut)
def counseling_note_get(request: HttpRequest, note_id: int):
    """A note's SUD counseling notes, for their author or a staff member they are shared
    with (audited): the text, earlier texts kept after signing, and (author only) the
    current shares. 403 ``not_counseling_author`` for anyone else (whether or not the
    note has counseling notes); 404 for the author when there are none yet."""
    return _read(request, note_id)


@notes_router.put("/{id:note_id}/counseling", response=CounselingNoteOut)
def counseling_note_put(request: HttpRequest, note_id: int, payload: CounselingNoteIn):
    """Write or change the counseling notes of one's own note (counselor, physician),
    draft or signed; after signing a change needs ``reason`` and keeps the earlier text.
    403 ``not_counseling_author``; 409 ``counseling_unchanged``; 422 ``invalid_input``."""
    services.counseling_note_write(api_actor(request), note_id, payload.text, payload.reason)
    return _read(request, note_id, audited=False)  # the write's own event covers it


@notes_router.post("/{id:note_id}/counseling/shares", response={201: ShareOut})
def counseling_note_share(request: HttpRequest, note_id: int, payload: ShareIn):
    """Share one's counseling notes with a staff member of the organization who may read
    notes. 403 ``not_counseling_author``; 404 (none written); 409 ``already_shared``; 422
    ``unknown_staff``, ``share_not_allowed``."""
    share = services.counseling_note_share(api_actor(request), note_id, payload.user)
    return Status(201, _share(share))


@notes_router.post("/{id:note_id}/counseling/shares/{id:user_id}/withdraw", response=ShareOut)
def counseling_note_withdraw(request: HttpRequest, note_id: int, user_id: int):
    """Withdraw a share: from now on that staff member no longer reads them. 403
    ``not_counseling_author``; 404 when no share with them stands."""
    share = services.counseling_note_withdraw(api_actor(request), note_id, user_id)
    return _share(share)


class AddressedOut(Schema):
    note: int
    service_at: dt.datetime
    note_type: str
    author: str
    status: str
    label: str


class PlanProgressOut(Schema):
    plan: int
    patient: PatientId
    items: dict[str, list[AddressedOut]]


@plans_router.get("/{id:plan_id}/progress", response=PlanProgressOut)
def plan_progress(request: HttpRequest, plan_id: int):
    """The signed notes that addressed each problem ("2") and objective ("2.1.3") of a
    treatment plan version (and of the earlier versions of the same episode's plan),
    oldest first. Readers of plans and notes (physician, nurse, counselor); audited as a
    read of the plan."""
    actor = api_actor(request)
    actor.require("notes.view")
    with transaction.atomic():
        plan = plans.plan_get(actor, plan_id)
        items = selectors.plan_progress(actor, plan)
    return {"plan": plan.pk, "patient": plan.patient_id, "items": items}


ROUTERS: list[tuple[str, Router]] = [("/notes", notes_router), ("/treatment-plans", plans_router)]
