"""Pages of the notes part (issue 18).

- ``/notes/patients/<id>/``: the patient's notes, newest first, filtered by type and
  author; ``.../new/`` the new-note form (``?session=`` fills the service time, duration
  and modality from a session; ``?format=`` / ``?template=`` choose the fields, no script
  needed).
- ``/notes/<id>/``: the note with its plan items and its addenda under the unchanged
  original, and the actions the viewer may take (sign, addendum, co-sign); ``edit/`` the
  draft's form; ``print/`` a clean print view with the signatures and addenda.
- ``/notes/cosign/`` the supervisor's co-signature list; ``/notes/unsigned/`` one's drafts.
- ``/notes/templates/``, ``/notes/supervision/``, ``/notes/settings/`` for the admin.
``register()`` adds the chart's Notes section, the author's home panel (drafts older than
the setting) and the director's panel (who has notes unsigned or awaiting co-signature).
A refused form keeps what was typed and says beside each field what is wrong.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from pydantic import ValidationError

from waypoint.clinical import notes as rule
from waypoint.core.errors import DomainError
from waypoint.core.home import HomePanel, register_home_panel
from waypoint.core.permissions import allowed
from waypoint.core.schemas import bounded_int
from waypoint.core.web import (
    Actor,
    FormState,
    done_redirect,
    phrase,
    refused,
    say_done,
    staff_view,
)
from waypoint.patients.chart import ChartSection, register_section
from waypoint.patients.selectors import patient_get

from ..models import NOTE_FORMATS, NOTE_MODALITIES, NOTE_TYPES, Note, NoteTemplate
from ..schemas.notes import (
    NoteAddendumIn,
    NoteIn,
    NotesSettingsIn,
    NoteSupervisionIn,
    NoteTemplateIn,
    NoteUpdateIn,
)
from ..selectors import notes as selectors
from ..selectors.supervision import settings_of
from ..services import notes as services

TYPE_KEYS = {k for k, _ in NOTE_TYPES}
MAX_ID = 2**63 - 1
TEMPLATE_ROWS = 8
LABELS = {
    "note_type": "the note type",
    "format": "the format",
    "template": "the template",
    "service_at": "the service time",
    "duration_minutes": "the duration in minutes",
    "modality": "the modality",
    "place": "the place",
    "session": "the session",
    "episode": "the episode",
    "plan_items": "the plan items",
    "reason": "why it is added",
    "text": "the addendum",
    "name": "the template's name",
    "fields": "the fields",
    "user": "the staff member",
    "supervisor": "the supervisor",
    "late_entry_hours": "the late-entry hours",
    "unsigned_alert_hours": "the unsigned-note hours",
}
FORM_IDS = {
    "note_type": "nf-note_type",
    "template": "nf-template",
    "service_at": "nf-service_at",
    "duration_minutes": "nf-duration",
    "modality": "nf-modality",
    "place": "nf-place",
    "session": "nf-session",
    "episode": "nf-session",
    "plan_items": "nf-plan-items",
}


def _label(loc: tuple, error: dict) -> str:
    """A sentence for one refused input: a note field's own words (pydantic calls a
    too-long text in a dict "too_long"), else the field's name from LABELS."""
    if loc and loc[0] == "fields":
        if error.get("type") in ("too_long", "string_too_long"):
            limit = (error.get("ctx") or {}).get("max_length")
            return f"This field is too long: at most {limit} characters"
        return phrase(error, "this field")
    return phrase(error, LABELS.get(str(loc[0]) if loc else "", "this field"))


def _field_errors(form: FormState) -> FormState:
    """``fields.data`` (pydantic's and the service's name) as ``field_data`` (the
    textarea's), so the template finds it and the summary links to it."""
    renamed: dict[str, str] = {}
    for key, message in form.errors.items():
        if key.startswith("fields."):
            name = "field_" + key.split(".", 1)[1]
            renamed[name] = message
            form.ids[name] = "nf-" + name
        else:
            renamed[key] = message
    form.errors = renamed
    return form


def _site_tz(actor: Actor, patient: Any) -> Any:
    site = actor.user.site or patient.site
    return site.tz


def _local(value: dt.datetime | None, tz: Any) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%dT%H:%M") if value else ""


def _service_at(raw: str, tz: Any) -> dt.datetime:
    raw = (raw or "").strip()
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError as exc:
        raise DomainError(
            "invalid_input",
            "Enter when the service began as a real date and time.",
            field="service_at",
        ) from exc
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _format_choice(
    request: HttpRequest, actor: Actor, source: Any, note_type: str
) -> tuple[str, NoteTemplate | None]:
    """The format (and template) the form shows: asked for (``format``: dap, soap,
    narrative or ``t<id>``), else the note's, else DAP (SOAP for medical notes)."""
    asked = (source.get("format") or "").strip()
    if asked.startswith("t"):
        tid = bounded_int(asked[1:], 1, MAX_ID)
        t = selectors.template_of(actor.organization_id, tid) if tid else None
        if t is not None:
            return "template", t
    if asked in rule.FORMAT_FIELDS:
        return asked, None
    return ("soap" if note_type == "medical" else "dap"), None


def _format_fields(fmt: str, template: NoteTemplate | None) -> list[dict[str, str]]:
    if template is not None:
        return [{"key": f["key"], "title": f["title"]} for f in template.fields]
    return [{"key": k, "title": rule.FIELD_TITLES[k]} for k in rule.FORMAT_FIELDS[fmt]]


def _types_for(actor: Actor) -> list[tuple[str, str]]:
    return [(k, label) for k, label in NOTE_TYPES if rule.may_write(actor.role, k)]


# --- lists ------------------------------------------------------------------------------------
@staff_view("notes.view")
def patient_notes(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    patient = patient_get(actor, patient_id, purpose_detail="notes")
    note_type = request.GET.get("type", "")
    note_type = note_type if note_type in TYPE_KEYS else ""
    author = bounded_int(request.GET.get("author"), 1, MAX_ID)
    rows = selectors.notes_for_patient(actor, patient.pk, note_type or None, author)
    selectors.decorate(rows)
    return render(
        request,
        "notes/notes_list.html",
        {
            "patient": patient,
            "notes": rows,
            "note_types": NOTE_TYPES,
            "authors": selectors.authors_for_patient(actor.organization_id, patient.pk),
            "chosen_type": note_type,
            "chosen_author": author,
            "can_write": actor.can("notes.write"),
        },
    )


@staff_view("notes.cosign")
def cosign_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(request, "notes/notes_cosign.html", {"notes": selectors.cosign_queue(actor)})


@staff_view("notes.write")
def unsigned_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    found = selectors.unsigned_of(actor)
    return render(
        request,
        "notes/notes_unsigned.html",
        {"notes": found.notes, "overdue": found.overdue, "hours": found.hours},
    )


# --- the note form (new and edit) --------------------------------------------------------------
def _form_page(
    request: HttpRequest,
    actor: Actor,
    patient: Any,
    *,
    note: Note | None,
    values: dict[str, Any],
    fmt: str,
    template: NoteTemplate | None,
    form: FormState | None = None,
) -> HttpResponse:
    choices = selectors.plan_choices(actor.organization_id, patient.pk, values.get("episode"))
    templates = selectors.templates_current(actor.organization_id)
    if template is not None and all(t.pk != template.pk for t in templates):
        templates.insert(0, template)  # a draft keeps its version
    return render(
        request,
        "notes/notes_form.html",
        {
            "patient": patient,
            "note": note,
            "v": values,
            "format": fmt,
            "template": template,
            "format_value": f"t{template.pk}" if template else fmt,
            "fields": [
                {**f, "value": values.get("fields", {}).get(f["key"], "")}
                for f in _format_fields(fmt, template)
            ],
            "formats": [(k, label) for k, label in NOTE_FORMATS if k != "template"],
            "templates": templates,
            "note_types": _types_for(actor),
            "modalities": NOTE_MODALITIES,
            **choices,
            "form": form,
        },
        status=form.status if form is not None else 200,
    )


def _posted_values(request: HttpRequest, keys: list[str]) -> dict[str, Any]:
    p = request.POST
    return {
        "note_type": p.get("note_type", ""),
        "service_at": p.get("service_at", "")[:40],
        "duration_minutes": p.get("duration_minutes", "")[:10],
        "modality": p.get("modality", ""),
        "place": p.get("place", "")[:300],
        "session": bounded_int(p.get("session"), 1, MAX_ID),
        "episode": bounded_int(p.get("episode"), 1, MAX_ID),
        "plan_items": [k[:20] for k in p.getlist("plan_items")[:60]],
        "fields": {k: p.get(f"field_{k}", "")[: 8000 + 200] for k in keys},
    }


def _note_data(values: dict[str, Any], fmt: str, template: NoteTemplate | None, tz: Any) -> dict:
    duration = bounded_int(values["duration_minutes"], 0, 10_000)
    if duration is None:
        raise DomainError(
            "invalid_input", "The duration is a whole number of minutes.", field="duration_minutes"
        )
    return {
        "note_type": values["note_type"],
        "format": fmt,
        "template": template.pk if template else None,
        "fields": values["fields"],
        "service_at": _service_at(values["service_at"], tz),
        "duration_minutes": duration,
        "modality": values["modality"],
        "place": values["place"],
        "session": values["session"],
        "episode": values["episode"],
        "plan_items": values["plan_items"],
    }


def _refused_note(request: HttpRequest, exc: Exception, title: str) -> FormState:
    form = refused(request, "note", exc, labels=_label, title=title, ids=FORM_IDS)
    return _field_errors(form)


@staff_view("notes.write")
def note_new(request: HttpRequest, actor: Actor, patient_id: int) -> HttpResponse:
    patient = patient_get(actor, patient_id, purpose_detail="new note")
    tz = _site_tz(actor, patient)
    source = request.POST if request.method == "POST" else request.GET
    types = _types_for(actor)
    note_type = source.get("note_type") or (types[0][0] if types else "")
    values: dict[str, Any] = {
        "note_type": note_type,
        "service_at": _local(timezone.now(), tz),
        "duration_minutes": "50",
        "modality": "in_person",
        "place": "",
        "plan_items": [],
        "fields": {},
    }
    session_id = bounded_int(source.get("session"), 1, MAX_ID)
    if session_id is not None:
        session = selectors.session_of(actor.organization_id, session_id)
        attendee = selectors.attendee_of(session, patient.pk) if session else None
        if attendee is not None and session is not None:
            kind = session.kind if session.kind in TYPE_KEYS else "other"
            values.update(
                session=session.pk,
                session_label=f"{session.kind_label} on "
                f"{session.starts_at.astimezone(session.site.tz):%Y-%m-%d %H:%M} "
                f"at {session.site.code}",
                episode=attendee.episode_id,
                service_at=_local(session.starts_at, tz),
                duration_minutes=str(attendee.minutes or session.duration_minutes),
                modality=session.modality,
                place=session.site.name,
            )
            if "note_type" not in source and rule.may_write(actor.role, kind):
                values["note_type"] = kind
    fmt, template = _format_choice(request, actor, source, values["note_type"])
    if request.method != "POST":
        return _form_page(
            request, actor, patient, note=None, values=values, fmt=fmt, template=template
        )
    keys = [f["key"] for f in _format_fields(fmt, template)]
    values.update(_posted_values(request, keys))
    try:
        data = NoteIn(**_note_data(values, fmt, template, tz))
        note = services.note_create(actor, patient.pk, data)
    except (ValidationError, DomainError) as exc:
        form = _refused_note(request, exc, "Note not saved")
        return _form_page(
            request, actor, patient, note=None, values=values, fmt=fmt, template=template, form=form
        )
    say_done(request, "note", "Draft saved. Sign it when it is complete.")
    return done_redirect(reverse("notes:note", args=[note.pk]), "note")


@staff_view("notes.write")
def note_edit(request: HttpRequest, actor: Actor, note_id: int) -> HttpResponseBase:
    note = selectors.note_get(actor, note_id, view="edit")
    if note.author_id != actor.user.pk or note.status != "draft":
        return done_redirect(reverse("notes:note", args=[note.pk]), "note")
    patient = note.patient
    tz = _site_tz(actor, patient)
    values: dict[str, Any] = {
        "note_type": note.note_type,
        "service_at": _local(note.service_at, tz),
        "duration_minutes": str(note.duration_minutes),
        "modality": note.modality,
        "place": note.place,
        "session": note.session_id,
        "episode": note.episode_id,
        "plan_items": [i.item for i in note.plan_items.all()],
        "fields": dict(note.fields),
    }
    if note.session is not None:
        values["session_label"] = (
            f"{note.session.kind_label} on {note.session.starts_at.astimezone(tz):%Y-%m-%d %H:%M}"
        )
    source = request.POST if request.method == "POST" else request.GET
    if "format" in source:
        fmt, template = _format_choice(request, actor, source, note.note_type)
    else:
        fmt, template = note.format, note.template
    if request.method != "POST":
        return _form_page(
            request, actor, patient, note=note, values=values, fmt=fmt, template=template
        )
    keys = [f["key"] for f in _format_fields(fmt, template)]
    values.update(_posted_values(request, keys))
    try:
        data = NoteUpdateIn(**_note_data(values, fmt, template, tz))
        services.note_update(actor, note.pk, data)
    except (ValidationError, DomainError) as exc:
        form = _refused_note(request, exc, "Note not saved")
        return _form_page(
            request, actor, patient, note=note, values=values, fmt=fmt, template=template, form=form
        )
    say_done(request, "note", "Draft saved.")
    return done_redirect(reverse("notes:note", args=[note.pk]), "note")


# --- the note, its actions and its print view --------------------------------------------------
def _note_context(actor: Actor, note: Note) -> dict[str, Any]:
    selectors.decorate([note])
    titles = (
        {f["key"]: f["title"] for f in note.template.fields}
        if note.template is not None
        else rule.FIELD_TITLES
    )
    keys = (
        [f["key"] for f in note.template.fields]
        if note.template is not None
        else list(rule.FORMAT_FIELDS.get(note.format, ()))
    )
    tz = _site_tz(actor, note.patient)
    mine = note.author_id == actor.user.pk
    return {
        "note": note,
        "patient": note.patient,
        "tz": tz,
        "sections": [{"title": titles.get(k, k), "text": note.fields.get(k, "")} for k in keys],
        "plan_items": list(note.plan_items.all()),
        "addenda": list(note.addenda.all()),
        "mine": mine,
        "can_edit": mine and note.status == "draft" and actor.can("notes.write"),
        "can_sign": mine and note.status == "draft" and actor.can("notes.write"),
        "can_addend": mine and note.status != "draft" and actor.can("notes.write"),
        "can_cosign": note.status == "awaiting_cosign"
        and note.cosigner_id == actor.user.pk
        and actor.can("notes.cosign"),
        "counseling_url": reverse("notes:counseling", args=[note.pk]),
    }


def _note_page(
    request: HttpRequest, actor: Actor, note_id: int, form: FormState | None = None
) -> HttpResponse:
    note = selectors.note_get(actor, note_id)
    return render(
        request,
        "notes/notes_view.html",
        {**_note_context(actor, note), "form": form},
        status=form.status if form is not None else 200,
    )


@staff_view("notes.view")
def note_view(request: HttpRequest, actor: Actor, note_id: int) -> HttpResponse:
    return _note_page(request, actor, note_id)


@staff_view("notes.view")
def note_print(request: HttpRequest, actor: Actor, note_id: int) -> HttpResponse:
    note = selectors.note_get(actor, note_id, view="print")
    return render(
        request, "notes/notes_print.html", {**_note_context(actor, note), "hide_menu": True}
    )


@staff_view("notes.write")
def note_sign(request: HttpRequest, actor: Actor, note_id: int) -> HttpResponseBase:
    url = reverse("notes:note", args=[note_id])
    if request.method != "POST":
        return done_redirect(url, "note-sign")
    try:
        note = services.note_sign(actor, note_id)
    except DomainError as exc:
        form = refused(request, "note-sign", exc, title="Not signed")
        form.errors = {"": " ".join(form.errors.values())}
        return _note_page(request, actor, note_id, form)
    text = "Signed."
    if note.late_entry:
        text += " It is marked a late entry."
    if note.status == "awaiting_cosign":
        text += " It waits for your supervisor's co-signature."
    say_done(request, "note-sign", text)
    return done_redirect(url, "note-sign")


@staff_view("notes.write")
def note_addendum(request: HttpRequest, actor: Actor, note_id: int) -> HttpResponseBase:
    url = reverse("notes:note", args=[note_id])
    if request.method != "POST":
        return done_redirect(url, "addendum")
    try:
        data = NoteAddendumIn(
            reason=request.POST.get("reason", "")[:600], text=request.POST.get("text", "")[:8200]
        )
        services.note_addendum(actor, note_id, data.text, data.reason)
    except (ValidationError, DomainError) as exc:
        form = refused(
            request,
            "addendum",
            exc,
            labels=LABELS,
            title="Addendum not added",
            ids={"reason": "ad-reason", "text": "ad-text"},
        )
        return _note_page(request, actor, note_id, form)
    say_done(request, "addendum", "Addendum added; the signed note is unchanged.")
    return done_redirect(url, "addendum")


@staff_view("notes.cosign")
def note_cosign(request: HttpRequest, actor: Actor, note_id: int) -> HttpResponseBase:
    url = reverse("notes:note", args=[note_id])
    if request.method != "POST":
        return done_redirect(url, "cosign")
    try:
        services.note_cosign(actor, note_id)
    except DomainError as exc:
        form = refused(request, "cosign", exc, title="Not co-signed")
        return _note_page(request, actor, note_id, form)
    say_done(request, "cosign", "Co-signed.")
    return done_redirect(url, "cosign")


# --- templates, supervision, settings (the admin) ----------------------------------------------
def _template_rows(request: HttpRequest, template: NoteTemplate | None) -> list[str]:
    if request.method == "POST":
        n = bounded_int(request.POST.get("rows"), 1, 20) or TEMPLATE_ROWS
        return [request.POST.get(f"title_{i}", "")[:200] for i in range(n)]
    titles = [f["title"] for f in template.fields] if template else []
    return titles + [""] * max(TEMPLATE_ROWS - len(titles), 2)


def _templates_page(
    request: HttpRequest,
    actor: Actor,
    *,
    template: NoteTemplate | None = None,
    form: FormState | None = None,
) -> HttpResponse:
    rows = _template_rows(request, template)
    return render(
        request,
        "notes/notes_templates.html",
        {
            "templates": selectors.templates_all(actor),
            "template": template,
            "versions": _versions(template) if template else [],
            "rows": list(enumerate(rows)),
            "row_count": len(rows),
            "note_types": NOTE_TYPES,
            "chosen_types": request.POST.getlist("note_types")
            if request.method == "POST"
            else (template.note_types if template else []),
            "form": form,
        },
        status=form.status if form is not None else 200,
    )


def _versions(template: NoteTemplate) -> list[NoteTemplate]:
    out: list[NoteTemplate] = []
    t: NoteTemplate | None = template
    while t is not None:
        out.append(t)
        t = t.previous
    return out


def _template_in(request: HttpRequest, name: str) -> NoteTemplateIn:
    titles = [t.strip() for t in _template_rows(request, None) if t.strip()]
    return NoteTemplateIn(
        name=name,
        fields=[{"title": t} for t in titles],
        note_types=[t for t in request.POST.getlist("note_types") if t in TYPE_KEYS],
    )


@staff_view("notes.manage")
def templates_page(request: HttpRequest, actor: Actor) -> HttpResponse | HttpResponseBase:
    if request.method != "POST":
        return _templates_page(request, actor)
    try:
        t = services.template_create(
            actor, _template_in(request, request.POST.get("name", "")[:200])
        )
    except (ValidationError, DomainError) as exc:
        form = refused(
            request,
            "template",
            exc,
            labels=LABELS,
            title="Template not added",
            ids={"name": "tp-name"},
        )
        return _templates_page(request, actor, form=form)
    say_done(request, "template", f"Template {t.name} added.")
    return done_redirect(reverse("notes:template", args=[t.pk]), "template")


@staff_view("notes.manage")
def template_page(request: HttpRequest, actor: Actor, template_id: int) -> HttpResponseBase:
    template = selectors.template_get(actor, template_id)
    if request.method != "POST":
        return _templates_page(request, actor, template=template)
    try:
        if "retire" in request.POST:
            t = services.template_retire(actor, template.pk, request.POST["retire"] == "1")
            text = f"{t.name} is {'retired' if t.retired_at else 'offered again'}."
        else:
            t = services.template_revise(actor, template.pk, _template_in(request, template.name))
            text = (
                f"{t.name} changed: version {t.version}. "
                "Notes keep the version they were written on."
            )
    except (ValidationError, DomainError) as exc:
        form = refused(request, "template", exc, labels=LABELS, title="Template not changed")
        return _templates_page(request, actor, template=template, form=form)
    say_done(request, "template", text)
    return done_redirect(reverse("notes:template", args=[t.pk]), "template")


def _supervision_page(
    request: HttpRequest, actor: Actor, form: FormState | None = None
) -> HttpResponse:
    staff = list(selectors.note_staff(actor.organization_id))
    return render(
        request,
        "notes/notes_supervision.html",
        {
            "rows": selectors.supervision_rows(actor),
            "staff": staff,
            "supervisors": [u for u in staff if allowed(u.role, "notes.cosign")],
            "form": form,
        },
        status=form.status if form is not None else 200,
    )


@staff_view("notes.manage")
def supervision_page(request: HttpRequest, actor: Actor) -> HttpResponse | HttpResponseBase:
    if request.method != "POST":
        return _supervision_page(request, actor)
    p = request.POST
    try:
        user = bounded_int(p.get("user"), 1, MAX_ID)
        if user is None:
            raise DomainError("invalid_input", "Choose the staff member.", field="user")
        data = NoteSupervisionIn(
            user=user,
            supervisor=bounded_int(p.get("supervisor"), 1, MAX_ID),
            reason=p.get("reason", "")[:250],
        )
        row = services.supervision_set(actor, data.user, data.supervisor, data.reason)
    except (ValidationError, DomainError) as exc:
        form = refused(
            request,
            "supervision",
            exc,
            labels=LABELS,
            title="Not saved",
            ids={"user": "sv-user", "supervisor": "sv-supervisor", "reason": "sv-reason"},
        )
        return _supervision_page(request, actor, form)
    text = (
        f"{selectors.staff_name(row.user)}'s notes now need "
        f"{selectors.staff_name(row.supervisor)}'s co-signature."
        if row
        else "Saved: they sign their notes alone."
    )
    say_done(request, "supervision", text)
    return done_redirect(reverse("notes:supervision"), "supervision")


@staff_view("notes.manage")
def settings_page(request: HttpRequest, actor: Actor) -> HttpResponse | HttpResponseBase:
    current = settings_of(actor.organization_id)
    form = None
    if request.method == "POST":
        p = request.POST
        try:
            values = {}
            for name in ("late_entry_hours", "unsigned_alert_hours"):
                got = bounded_int(p.get(name), 0, 100_000)
                if got is None:
                    raise DomainError(
                        "invalid_input",
                        f"A whole number of hours from {rule.SETTING_HOURS_MIN} to "
                        f"{rule.SETTING_HOURS_MAX}.",
                        field=name,
                    )
                values[name] = got
            data = NotesSettingsIn(**values)
            services.settings_set(actor, data.late_entry_hours, data.unsigned_alert_hours)
        except (ValidationError, DomainError) as exc:
            form = refused(
                request,
                "notes-settings",
                exc,
                labels=LABELS,
                title="Settings not saved",
                ids={"late_entry_hours": "ns-late", "unsigned_alert_hours": "ns-unsigned"},
            )
        else:
            say_done(request, "notes-settings", "Settings saved.")
            return done_redirect(reverse("notes:settings"), "notes-settings")
    return render(
        request,
        "notes/notes_settings.html",
        {
            "current": current,
            "min": rule.SETTING_HOURS_MIN,
            "max": rule.SETTING_HOURS_MAX,
            "form": form,
        },
        status=form.status if form is not None else 200,
    )


urlpatterns: list[URLPattern] = [
    path("notes/patients/<id:patient_id>/", patient_notes, name="patient_notes"),
    path("notes/patients/<id:patient_id>/new/", note_new, name="note_new"),
    path("notes/cosign/", cosign_list, name="cosign"),
    path("notes/unsigned/", unsigned_list, name="unsigned"),
    path("notes/templates/", templates_page, name="templates"),
    path("notes/templates/<id:template_id>/", template_page, name="template"),
    path("notes/supervision/", supervision_page, name="supervision"),
    path("notes/settings/", settings_page, name="settings"),
    path("notes/<id:note_id>/", note_view, name="note"),
    path("notes/<id:note_id>/edit/", note_edit, name="note_edit"),
    path("notes/<id:note_id>/print/", note_print, name="note_print"),
    path("notes/<id:note_id>/sign/", note_sign, name="note_sign"),
    path("notes/<id:note_id>/addenda/", note_addendum, name="note_addendum"),
    path("notes/<id:note_id>/cosign/", note_cosign, name="note_cosign"),
]


# --- hooks ------------------------------------------------------------------------------------
SECTION = ChartSection(
    "notes", "Notes", "notes/notes_section.html", 45, "notes.view", selectors.chart_context
)
AUTHOR_PANEL = HomePanel(
    key="notes_unsigned",
    template="notes/notes_home_panel.html",
    action="notes.write",
    context=selectors.author_home_panel,
    order=25,
)
OVERSIGHT_PANEL = HomePanel(
    key="notes_oversight",
    template="notes/notes_oversight_panel.html",
    action="notes.oversee",
    context=selectors.oversight_panel,
    order=40,
)


def register() -> None:
    """The chart's Notes section, the author's and the director's home panels."""
    register_section(SECTION)
    register_home_panel(AUTHOR_PANEL)
    register_home_panel(OVERSIGHT_PANEL)
