"""Pages of the groups part (issue 18).

- ``/notes/sessions/<session id>/group-note/``: write, edit (a draft, its author) and sign
  a group session's note: one form with the shared part and a block per attendee marked
  attended; a refused form keeps what was typed and says what is wrong beside the field.
- ``/notes/group-notes/<id>/``: the group note with every entry (staff with
  ``notes.view``), signing for its author, and the notes it filed.
- ``/notes/patients/<patient id>/group-notes/``: the group notes filed in one patient's
  chart, each with the shared part and only this patient's part (printable).
``register()`` puts each session's note state and link on the counselor's day.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from pydantic import ValidationError

from waypoint.care.sessions import selectors as sessions
from waypoint.clinical import notes as rules
from waypoint.core.errors import DomainError
from waypoint.core.schemas import MAX_ID, bounded_int
from waypoint.core.web import (
    Actor,
    FormState,
    done_redirect,
    phrase,
    refused,
    say_done,
    staff_view,
)

from ..schemas.groups import ENTRY_MAX, SHARED_MAX, GroupNoteIn, GroupNotePatch
from ..selectors import groups as selectors
from ..services import groups as services

ENTRY_FIELDS = ("participation", "progress", "plan")
KEY = "group-note"
SHARED_LABELS = {"topic": "the topic", "shared": "what the group did", "place": "the place"}
ENTRY_LABELS = {
    "participation": "participation",
    "progress": "progress",
    "plan": "plan",
}


def _writes(actor: Actor) -> bool:
    return actor.can("notes.write") and rules.may_write(actor.role, "group")


def _name(patient: Any) -> str:
    return f"{patient.first_name} {patient.last_name}"


def _blocks(
    attendees: list, values: dict[int, dict[str, str]], errors: dict[str, str]
) -> list[dict[str, Any]]:
    return [
        {
            "a": a,
            "id": a.pk,
            "name": _name(a.patient),
            "v": values.get(a.pk, dict.fromkeys(ENTRY_FIELDS, "")),
            "e": {f: errors.get(f"a-{a.pk}-{f}", "") for f in ENTRY_FIELDS},
        }
        for a in attendees
    ]


def _labels(order: list[int], names: dict[int, str]):
    """Each problem as a sentence: an entry's field names its attendee."""

    def label(loc: tuple, error: dict) -> str | None:
        if len(loc) >= 3 and loc[0] == "entries" and isinstance(loc[1], int):
            aid = order[loc[1]] if loc[1] < len(order) else 0
            noun = f"{names.get(aid, 'this attendee')}'s {ENTRY_LABELS.get(str(loc[2]), loc[2])}"
            return phrase(error, noun)
        shared = SHARED_LABELS.get(str(loc[0])) if loc else None
        return phrase(error, shared) if shared else None

    return label


def _entry_errors(
    exc: Exception, order: list[int], names: dict[int, str], form: FormState
) -> FormState:
    """Put each problem of an entry beside its field (``a-<attendee>-<field>``); a roster
    mismatch says, by name, who is missing or no longer marked attended."""
    errors: dict[str, str] = {}
    for key, message in form.errors.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "entries" and parts[1].isdigit():
            i = int(parts[1])
            aid = order[i] if i < len(order) else 0
            errors[f"a-{aid}-{parts[2]}"] = message
        elif key != "entries":
            errors[key] = message
    if isinstance(exc, DomainError) and exc.code == "roster_mismatch":
        said = []
        missing = [names.get(i, f"attendee {i}") for i in exc.extra.get("missing", [])]
        extra = [names.get(i, f"attendee {i}") for i in exc.extra.get("extra", [])]
        if missing:
            said.append(
                f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} marked attended "
                "but this form has no part for them: reload the page"
            )
        if extra:
            said.append(
                f"{', '.join(extra)} {'is' if len(extra) == 1 else 'are'} not marked attended "
                "on the roster: reload the page, or correct the attendance"
            )
        if exc.extra.get("repeated"):
            said.append("an attendee has two parts: reload the page")
        errors[""] = "The individual parts do not match the roster: " + "; ".join(said) + "."
    elif isinstance(exc, DomainError) and "entries" in form.errors:
        errors[""] = form.errors["entries"]
    form.errors = errors
    form.ids = {**{k: k for k in SHARED_LABELS}, **{k: k for k in errors if k.startswith("a-")}}
    return form


def _write_page(
    request: HttpRequest,
    actor: Actor,
    ctx: selectors.SessionNote,
    *,
    values: dict[str, str] | None = None,
    entry_values: dict[int, dict[str, str]] | None = None,
    form: FormState | None = None,
) -> HttpResponse:
    gn = ctx.group_note
    if values is None:
        values = {
            "topic": gn.topic if gn else (ctx.session.title or ""),
            "shared": gn.shared if gn else "",
            "place": gn.place if gn else "",
        }
    if entry_values is None:
        entry_values = {}
        if gn is not None:
            for e in gn.entries.all():
                entry_values[e.attendee_id] = {f: getattr(e, f) for f in ENTRY_FIELDS}
    errors = form.errors if form else {}
    s = ctx.session
    return render(
        request,
        "notes/groups_write.html",
        {
            "session": s,
            "local_start": s.starts_at.astimezone(s.site.tz),
            "group_note": gn,
            "values": values,
            "errors": errors,
            "blocks": _blocks(ctx.attendees, entry_values, errors),
            "form": form,
            "writes": _writes(actor),
            "day_url": reverse("care:session_day")
            + f"?site={s.site.code}&date={s.starts_at.astimezone(s.site.tz).date().isoformat()}"
            f"&counselor={s.counselor_id}#session-{s.pk}",
            "shared_max": SHARED_MAX,
            "entry_max": ENTRY_MAX,
            "other_kind": s.kind != "group",
            "new_note_links": [
                (_name(a.patient), selectors.new_note_path(a.patient_id, s.pk))
                for a in ctx.attendees
            ],
        },
        status=form.status if form else 200,
    )


@staff_view("notes.view")
def session_group_note(request: HttpRequest, actor: Actor, session_id: int) -> HttpResponseBase:
    ctx = selectors.session_group_note(actor, session_id)
    gn = ctx.group_note
    readonly = gn is not None and (gn.status != "draft" or gn.author_id != actor.user.pk)
    if request.method != "POST":
        if readonly and gn is not None:
            return redirect(selectors.group_note_view_path(gn.pk))
        return _write_page(request, actor, ctx)
    if readonly or ctx.session.kind != "group":
        return redirect(request.path)
    p = request.POST
    values = {k: p.get(k, "")[: SHARED_MAX + 100] for k in SHARED_LABELS}
    order = [i for i in (bounded_int(v, 1, MAX_ID) for v in p.getlist("attendee")[:45]) if i]
    entry_values = {
        aid: {f: p.get(f"a-{aid}-{f}", "")[: ENTRY_MAX + 100] for f in ENTRY_FIELDS}
        for aid in order
    }
    names = selectors.roster_names(actor, ctx.session)
    sign = p.get("action") == "sign"
    try:
        entries = [{"attendee": aid, **entry_values[aid]} for aid in order]
        if gn is None:
            data = GroupNoteIn(**values, entries=entries)
            gn_row = services.group_note_create(actor, ctx.session.pk, data)
        else:
            patch = GroupNotePatch(**values, entries=entries)
            gn_row = services.group_note_update(actor, gn.pk, patch)
        saved = gn_row.pk
        if sign:
            filed = services.group_note_sign(actor, saved)
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404:
            raise
        form = refused(
            request,
            KEY,
            exc,
            labels=_labels(order, names),
            title="Group note not signed" if sign else "Group note not saved",
            codes={
                "no_attendees": "No one on this session's roster is marked attended: "
                "record the attendance first.",
            },
        )
        form = _entry_errors(exc, order, names, form)
        ctx = selectors.session_group_note(actor, session_id)  # a draft may now exist
        return _write_page(request, actor, ctx, values=values, entry_values=entry_values, form=form)
    if sign:
        n = len(filed)
        waiting = any(note.status == "awaiting_cosign" for note in filed)
        say_done(
            request,
            KEY,
            f"Group note signed: {n} note{'s' if n != 1 else ''} filed, one in each "
            f"attendee's chart{' (awaiting the supervisor’s co-signature)' if waiting else ''}.",
        )
        return done_redirect(selectors.group_note_view_path(saved), KEY)
    say_done(request, KEY, "Group note saved as a draft: sign it when it is complete.")
    return done_redirect(selectors.group_note_path(ctx.session.pk), KEY)


def _view_page(
    request: HttpRequest, actor: Actor, group_note_id: int, form: FormState | None = None
) -> HttpResponse:
    gn = selectors.group_note_read(actor, group_note_id)
    s = gn.session
    return render(
        request,
        "notes/groups_view.html",
        {
            "gn": gn,
            "session": s,
            "local_start": gn.service_at.astimezone(s.site.tz),
            "entries": list(gn.entries.all()),
            "filed": {n.group_entry_id: n for n in gn.notes.all()},
            "can_sign": gn.status == "draft" and gn.author_id == actor.user.pk and _writes(actor),
            "form": form,
        },
        status=form.status if form else 200,
    )


@staff_view("notes.view")
def group_note(request: HttpRequest, actor: Actor, group_note_id: int) -> HttpResponse:
    return _view_page(request, actor, group_note_id)


@staff_view("notes.write")
def group_note_sign(request: HttpRequest, actor: Actor, group_note_id: int) -> HttpResponseBase:
    url = selectors.group_note_view_path(group_note_id)
    if request.method != "POST":
        return redirect(url)
    try:
        filed = services.group_note_sign(actor, group_note_id)
    except DomainError as exc:
        if exc.status == 404:
            raise
        form = refused(request, KEY, exc, title="Group note not signed")
        session = selectors.group_note_row(actor.organization_id, group_note_id).session
        form = _entry_errors(exc, [], selectors.roster_names(actor, session), form)
        return _view_page(request, actor, group_note_id, form)
    n = len(filed)
    say_done(request, KEY, f"Group note signed: {n} note{'s' if n != 1 else ''} filed.")
    return done_redirect(url, KEY)


@staff_view("notes.view")
def patient_group_notes(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    patient, notes = selectors.patient_group_notes(actor, patient_id)
    return render(
        request,
        "notes/groups_patient.html",
        {
            "patient": patient,
            "notes": [
                {
                    "n": n,
                    "fields": selectors.filed_fields(n),
                    "local": n.service_at.astimezone(
                        n.session.site.tz if n.session else patient.site.tz
                    ),
                    "url": selectors.note_path(n.pk),
                }
                for n in notes
            ],
        },
    )


urlpatterns: list[URLPattern] = [
    path(
        "notes/sessions/<id:session_id>/group-note/",
        session_group_note,
        name="session_group_note",
    ),
    path("notes/group-notes/<id:group_note_id>/", group_note, name="group_note"),
    path("notes/group-notes/<id:group_note_id>/sign/", group_note_sign, name="group_note_sign"),
    path(
        "notes/patients/<id:patient_id>/group-notes/",
        patient_group_notes,
        name="patient_group_notes",
    ),
]


def register() -> None:
    """Chart sections, home panels and hooks of this part (from NotesConfig.ready)."""
    sessions.add_note_links(selectors.annotate_day)
