"""Pages of the counseling part.

- ``/notes/<note id>/counseling/``: a note's SUD counseling notes. The author (linked
  from the note view) writes and changes them (after signing, with a reason; the earlier
  text is kept), shares them with named staff and withdraws a share; a staff member they
  are shared with reads them; anyone else gets the "Not allowed" page (403
  ``not_counseling_author``), whether or not the note has counseling notes.
- ``/notes/<note id>/counseling/share/`` and ``…/withdraw/``: the share forms' posts.

``register()`` adds the plan progress provider to care's treatment-plan pages.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from pydantic import ValidationError

from waypoint.care.plans import selectors as plans
from waypoint.clinical import counseling_notes as rule
from waypoint.core.errors import DomainError
from waypoint.core.schemas import bounded_int
from waypoint.core.web import Actor, FormState, done_redirect, refused, say_done, staff_view

from ..schemas.counseling import CounselingNoteIn, ShareIn
from ..selectors import counseling as selectors
from ..services import counseling as services

LABELS = {"text": "the counseling notes", "reason": "the reason", "user": "the staff member"}
IDS = {"text": "cn-text", "reason": "cn-reason", "user": "cn-user"}


def _page(
    request: HttpRequest, actor: Actor, note_id: int, form: FormState | None = None
) -> HttpResponse:
    view = selectors.counseling_read(actor, note_id, view="page")
    note = view.note
    return render(
        request,
        "notes/counseling_note.html",
        {
            "v": view,
            "note": note,
            "patient": note.patient,
            "cn": view.counseling,
            "locked": rule.change_is_version(note.status),
            "can_write": view.is_author and rule.may_write(actor.role),
            "text_max": rule.TEXT_MAX,
            "reason_max": rule.REASON_MAX,
            "form": form,
        },
        status=form.status if form is not None else 200,
    )


def _url(note_id: int) -> str:
    return reverse("notes:counseling", args=[note_id])


@staff_view("notes.view")
def counseling(request: HttpRequest, actor: Actor, note_id: int) -> HttpResponse:
    if request.method != "POST":
        return _page(request, actor, note_id)
    try:
        data = CounselingNoteIn(
            text=request.POST.get("text", "")[: rule.TEXT_MAX + 1000],
            reason=request.POST.get("reason", "")[: rule.REASON_MAX + 100],
        )
        cn = services.counseling_note_write(actor, note_id, data.text, data.reason)
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.code == "not_counseling_author":
            raise
        form = refused(
            request, "counseling", exc, labels=LABELS, ids=IDS, title="Counseling notes not saved"
        )
        return _page(request, actor, note_id, form)
    kept = cn.versions.exists() and rule.change_is_version(cn.note.status)
    say_done(
        request,
        "counseling",
        "Counseling notes saved"
        + (
            ": the earlier text is kept below."
            if kept
            else ". Only you read them until you share them."
        ),
    )
    return done_redirect(_url(note_id), "counseling")


@staff_view("notes.write")
def share(request: HttpRequest, actor: Actor, note_id: int) -> HttpResponse:
    if request.method != "POST":
        return done_redirect(_url(note_id), "counseling-share")
    try:
        data = ShareIn(user=bounded_int(request.POST.get("user"), 1, 2**31) or 0)
        row = services.counseling_note_share(actor, note_id, data.user)
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.code == "not_counseling_author":
            raise
        form = refused(
            request,
            "counseling-share",
            exc,
            labels=LABELS,
            ids=IDS,
            title="Not shared",
            codes={"unknown_staff": "Choose a staff member from the list."},
        )
        return _page(request, actor, note_id, form)
    who = selectors.name_of(row.user)
    say_done(request, "counseling-share", f"Shared with {who}: they can read these notes now.")
    return done_redirect(_url(note_id), "counseling-share")


@staff_view("notes.write")
def withdraw(request: HttpRequest, actor: Actor, note_id: int) -> HttpResponse:
    if request.method != "POST":
        return done_redirect(_url(note_id), "counseling-share")
    user_id = bounded_int(request.POST.get("user"), 1, 2**31) or 0
    row = services.counseling_note_withdraw(actor, note_id, user_id)
    who = selectors.name_of(row.user)
    say_done(request, "counseling-share", f"Share withdrawn: {who} no longer reads these notes.")
    return done_redirect(_url(note_id), "counseling-share")


urlpatterns: list[URLPattern] = [
    path("notes/<id:note_id>/counseling/", counseling, name="counseling"),
    path("notes/<id:note_id>/counseling/share/", share, name="counseling_share"),
    path("notes/<id:note_id>/counseling/withdraw/", withdraw, name="counseling_withdraw"),
]


def register() -> None:
    """The treatment plan's pages list the signed notes that addressed each item."""
    plans.add_plan_progress(selectors.plan_progress)
