"""Writes of the notes part (issue 18): write and edit a draft progress note, sign it (late
entry, co-signature), addenda, co-signature, supervision, templates (versioned) and the
organization's documentation settings.

Each action checks the role, validates before anything is written, runs in one
transaction and writes its audit event in it; a refusal raises a ``DomainError`` and
writes nothing. Another organization's patient, note, session or template is 404."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.clinical import notes as rule
from waypoint.core.errors import Conflict, DomainError, NotFound
from waypoint.core.permissions import allowed
from waypoint.patients.selectors import patient_ref

from ..models import Addendum, Note, NotePlanItem, NotesSettings, NoteTemplate, Supervision
from ..schemas.notes import NoteIn, NoteTemplateIn, NoteUpdateIn
from ..selectors import notes as selectors
from ..selectors.supervision import signing

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.core.models import User

FUTURE_SLACK = dt.timedelta(minutes=5)  # a clock a little ahead is no note "in the future"
_EDITABLE = (
    "note_type",
    "format",
    "template",
    "fields",
    "service_at",
    "duration_minutes",
    "modality",
    "place",
    "session",
    "episode",
    "plan_items",
)


def _bad(message: str, field: str) -> DomainError:
    return DomainError("invalid_input", message, field=field)


def _check_type(actor: Actor, note_type: str) -> None:
    if not rule.may_write(actor.role, note_type):
        raise DomainError(
            "note_type_not_allowed",
            f"A {actor.role} does not write {note_type.replace('_', ' ')} notes.",
            403,
            field="note_type",
        )


def _format_keys(
    actor: Actor, v: dict[str, Any], kept: int | None = None
) -> tuple[tuple[str, ...], NoteTemplate | None]:
    """The field keys of the note's format (or template), and the template. A template
    newly chosen is the latest version of one not retired; a draft keeps the version it
    was written on (``kept``)."""
    fmt = v["format"]
    if fmt != "template":
        if v.get("template") is not None:
            raise _bad("A template is chosen only with the template format.", "template")
        return rule.FORMAT_FIELDS[fmt], None
    if v.get("template") is None:
        raise _bad("Choose the template the note is written on.", "template")
    template = v["template"]
    if not isinstance(template, NoteTemplate):
        template = selectors.template_of(actor.organization_id, template)
        if template is None:
            raise _bad("There is no such template.", "template")
        if template.pk != kept and (template.retired_at or not selectors.is_latest(template)):
            raise _bad(
                f"{template.name} v{template.version} is not offered any more: choose its "
                "latest version.",
                "template",
            )
    if template.note_types and v["note_type"] not in template.note_types:
        raise _bad(f"The template {template.name} is not offered for this note type.", "template")
    return tuple(f["key"] for f in template.fields), template


def _check_fields(keys: tuple[str, ...], fields: dict[str, str]) -> dict[str, str]:
    for key in fields:
        if key not in keys:
            raise _bad(f"{key} is not a field of this note's format.", f"fields.{key}")
    return {k: fields.get(k, "") for k in keys}


def _check_service(service_at: dt.datetime, now: dt.datetime) -> None:
    if service_at.tzinfo is None:
        raise _bad("The service time needs its time zone.", "service_at")
    if service_at > now + FUTURE_SLACK:
        raise _bad("The service time is in the future.", "service_at")


def _resolve(
    actor: Actor, patient_id: int, v: dict[str, Any], kept: int | None = None
) -> dict[str, Any]:
    """Check a note's values against the organization's records; the values to store."""
    _check_type(actor, v["note_type"])
    keys, template = _format_keys(actor, v, kept)
    fields = _check_fields(keys, v.get("fields") or {})
    _check_service(v["service_at"], timezone.now())
    session = None
    episode_id = v.get("episode")
    if v.get("session") is not None:
        session = selectors.session_of(actor.organization_id, v["session"])
        attendee = selectors.attendee_of(session, patient_id) if session else None
        if attendee is None:
            raise _bad("The session is not one of this patient's sessions.", "session")
        episode_id = episode_id or attendee.episode_id
    if episode_id is not None and not selectors.episode_of(
        actor.organization_id, patient_id, episode_id
    ):
        raise _bad("The episode is not one of this patient's episodes.", "episode")
    items: list[tuple[Any, str, str]] = []
    keys_wanted = list(dict.fromkeys(v.get("plan_items") or []))
    if keys_wanted:
        plan = selectors.current_plan(actor.organization_id, patient_id, episode_id)
        if plan is None:
            raise _bad("The patient has no current treatment plan.", "plan_items")
        for key in keys_wanted:
            label = rule.plan_item_label(plan.content, key)
            if label is None:
                raise _bad(
                    f"The current treatment plan has no problem or objective {key}.",
                    "plan_items",
                )
            items.append((plan, key, label[:500]))
    return {
        "note_type": v["note_type"],
        "format": v["format"],
        "template": template,
        "fields": fields,
        "service_at": v["service_at"],
        "duration_minutes": v["duration_minutes"],
        "modality": v["modality"],
        "place": v.get("place") or "",
        "session": session,
        "episode_id": episode_id,
        "items": items,
    }


def _write_items(actor: Actor, note: Note, items: list[tuple[Any, str, str]]) -> None:
    NotePlanItem.objects.bulk_create(
        [
            NotePlanItem(
                organization_id=actor.organization_id, note=note, plan=plan, item=key, label=label
            )
            for plan, key, label in items
        ]
    )


def note_create(actor: Actor, patient_id: int, data: NoteIn) -> Note:
    """Write a draft progress note for the patient (notes.write; the type per
    ``clinical.notes.may_write``: 403 ``note_type_not_allowed``). The fields are the
    format's (or the chosen template version's); a session must be one of the patient's
    (its episode is the note's unless one is given); plan items are keys of the current
    treatment plan's problems and objectives. 422 ``invalid_input``; 404 another
    organization's patient."""
    actor.require("notes.write")
    patient = patient_ref(actor, patient_id)
    with transaction.atomic():
        clean = _resolve(actor, patient.pk, data.model_dump())
        items = clean.pop("items")
        note = Note.objects.create(
            organization_id=actor.organization_id,
            patient=patient,
            author=actor.user,
            status="draft",
            **clean,
        )
        _write_items(actor, note, items)
        audit.record(
            actor,
            "create",
            "note",
            note.pk,
            patient_id=patient.pk,
            detail={
                "type": note.note_type,
                "format": note.format,
                "template": note.template_id,
                "session": note.session_id,
                "plan_items": [k for _, k, _ in items],
            },
        )
    return note


def _own_draft(actor: Actor, note: Note, doing: str) -> None:
    if note.author_id != actor.user.pk:
        raise DomainError("not_note_author", f"Only the note's author {doing}.", 403)
    if note.status != "draft":
        raise Conflict("note_signed", "The note is signed: it cannot change. Add an addendum.")


def note_update(actor: Actor, note_id: int, data: NoteUpdateIn) -> Note:
    """Change a draft (notes.write, its author only: 403 ``not_note_author``; 409
    ``note_signed`` once signed). Only the fields given change; the plan items given
    replace the old ones."""
    actor.require("notes.write")
    given = data.model_dump(exclude_unset=True)
    with transaction.atomic():
        note = selectors.note_for_update(actor, note_id)
        _own_draft(actor, note, "edits a draft")
        current = {
            "note_type": note.note_type,
            "format": note.format,
            "template": note.template_id,
            "fields": note.fields,
            "service_at": note.service_at,
            "duration_minutes": note.duration_minutes,
            "modality": note.modality,
            "place": note.place,
            "session": note.session_id,
            "episode": note.episode_id,
            "plan_items": list(note.plan_items.values_list("item", flat=True)),
        }
        for name in ("note_type", "format", "service_at", "duration_minutes", "modality"):
            if name in given and given[name] is None:
                raise _bad(f"{name} cannot be empty.", name)
        if given.get("format") and given["format"] != "template" and "template" not in given:
            given["template"] = None
        if "session" in given and "episode" not in given and given["session"] != note.session_id:
            given["episode"] = None  # the new session's episode
        merged = {**current, **given}
        if merged.get("fields") is None:
            merged["fields"] = {}
        if "format" in given or "template" in given:
            # fields kept from the old format that the new one has no place for are dropped
            keys, _ = _format_keys(actor, merged, note.template_id)
            if "fields" not in given:
                merged["fields"] = {k: v for k, v in note.fields.items() if k in keys}
        # plan items not given stay as they were written (the plan may have a newer
        # version since); a new session or episode, or a new list, replaces them
        keep_items = not ({"plan_items", "session", "episode"} & set(given))
        if keep_items:
            merged["plan_items"] = []
        clean = _resolve(actor, note.patient_id, merged, note.template_id)
        items = clean.pop("items")
        for name, value in clean.items():
            setattr(note, name, value)
        note.save()
        if keep_items:
            items = [(None, i.item, i.label) for i in note.plan_items.all()]
        else:
            note.plan_items.all().delete()
            _write_items(actor, note, items)
        audit.record(
            actor,
            "update",
            "note",
            note.pk,
            patient_id=note.patient_id,
            detail={"changed": sorted(given), "plan_items": [k for _, k, _ in items]},
        )
    return note


def note_sign(actor: Actor, note_id: int) -> Note:
    """Sign a draft (notes.write, its author only: 403 ``not_note_author``; 409
    ``note_signed`` when already signed; 422 ``note_incomplete`` while a field of its
    format is empty). Signing locks it; it is a late entry when signed more than the
    organization's late-entry hours after the service ended; a supervised author's note
    waits for the supervisor's co-signature (``awaiting_cosign``)."""
    actor.require("notes.write")
    with transaction.atomic():
        note = selectors.note_for_update(actor, note_id)
        _own_draft(actor, note, "signs it")
        keys = (
            tuple(f["key"] for f in note.template.fields)
            if note.template is not None
            else rule.FORMAT_FIELDS.get(note.format, ())
        )
        missing = rule.missing_fields(keys, note.fields)
        if missing:
            titles = _titles(note)
            raise DomainError(
                "note_incomplete",
                "Write every field before signing: "
                + ", ".join(titles.get(k, k) for k in missing)
                + ".",
                field=f"fields.{missing[0]}",
            )
        now = timezone.now()
        end = note.service_at + dt.timedelta(minutes=note.duration_minutes)
        decided = signing(actor.organization_id, note.author_id, end, now)
        note.signed_at = now
        note.late_entry = decided.late_entry
        note.cosigner_id = decided.cosigner
        note.status = decided.status
        note.save(update_fields=["signed_at", "late_entry", "cosigner", "status", "updated_at"])
        audit.record(
            actor,
            "sign",
            "note",
            note.pk,
            patient_id=note.patient_id,
            detail={
                "late_entry": note.late_entry,
                "late_entry_hours": decided.late_entry_hours,
                "cosigner": decided.cosigner,
                "status": note.status,
            },
        )
    return note


def _titles(note: Note) -> dict[str, str]:
    if note.template is not None:
        return {f["key"]: f["title"] for f in note.template.fields}
    return dict(rule.FIELD_TITLES)


def note_addendum(actor: Actor, note_id: int, text: str, reason: str) -> Addendum:
    """Add an addendum to a signed note (notes.write; its author: 403 ``not_note_author``;
    409 ``note_not_signed`` on a draft — edit the draft instead). The note itself never
    changes; the addendum keeps who, when, why and what."""
    actor.require("notes.write")
    text, reason = (text or "").strip(), (reason or "").strip()
    if not reason:
        raise _bad("Say why the addendum is written.", "reason")
    if not text:
        raise _bad("Write the addendum.", "text")
    with transaction.atomic():
        note = selectors.note_for_update(actor, note_id)
        if note.author_id != actor.user.pk:
            raise DomainError("not_note_author", "Only the note's author adds an addendum.", 403)
        if note.status == "draft":
            raise Conflict(
                "note_not_signed", "The note is a draft: edit it; addenda follow a signed note."
            )
        addendum = Addendum.objects.create(
            organization_id=actor.organization_id,
            note=note,
            author=actor.user,
            reason=reason,
            text=text,
        )
        audit.record(
            actor,
            "create",
            "addendum",
            addendum.pk,
            patient_id=note.patient_id,
            detail={"note": note.pk, "reason": reason},
        )
    return addendum


def note_cosign(actor: Actor, note_id: int) -> Note:
    """Co-sign a supervised colleague's signed note (notes.cosign): never one's own (403
    ``cosign_own_note``), only a note awaiting co-signature (409
    ``note_not_awaiting_cosign``), only by the supervisor assigned (403 ``not_cosigner``)."""
    actor.require("notes.cosign")
    with transaction.atomic():
        note = selectors.note_for_update(actor, note_id)
        if note.author_id == actor.user.pk:
            raise DomainError("cosign_own_note", "Nobody co-signs their own note.", 403)
        if note.status != "awaiting_cosign":
            raise Conflict("note_not_awaiting_cosign", "The note is not awaiting co-signature.")
        if note.cosigner_id != actor.user.pk:
            raise DomainError(
                "not_cosigner", "Only the supervisor assigned to the author co-signs.", 403
            )
        note.cosigned_at = timezone.now()
        note.status = "signed"
        note.save(update_fields=["cosigned_at", "status", "updated_at"])
        audit.record(actor, "cosign", "note", note.pk, patient_id=note.patient_id)
    return note


# --- supervision, templates, settings (notes.manage) -----------------------------------------
def _staff(actor: Actor, user_id: int, field: str) -> User:
    user = selectors.staff_of(actor.organization_id, user_id)
    if user is None:
        raise _bad("There is no such staff member.", field)
    return user


def supervision_set(
    actor: Actor, user_id: int, supervisor_id: int | None, reason: str = ""
) -> Supervision | None:
    """Say whose co-signature ``user_id``'s notes need (notes.manage): a supervisor of the
    organization who may co-sign (notes.cosign), never the person themself; None: they sign
    alone. Notes already waiting keep the supervisor they wait for. 422 ``invalid_input``."""
    actor.require("notes.manage")
    reason = (reason or "").strip()[:200]
    user = _staff(actor, user_id, "user")
    if not allowed(user.role, "notes.write"):
        raise _bad(f"{selectors.staff_name(user)} does not write notes.", "user")
    supervisor = None
    if supervisor_id is not None:
        supervisor = _staff(actor, supervisor_id, "supervisor")
        if supervisor.pk == user.pk:
            raise _bad("Nobody supervises themself.", "supervisor")
        if not supervisor.is_active or not allowed(supervisor.role, "notes.cosign"):
            raise _bad(f"{selectors.staff_name(supervisor)} may not co-sign notes.", "supervisor")
    with transaction.atomic():
        row = (
            Supervision.objects.select_for_update()
            .filter(organization_id=actor.organization_id, user=user)
            .first()
        )
        before = row.supervisor_id if row else None
        if supervisor is None:
            if row is not None:
                row.delete()
            row = None
        elif row is None:
            row = Supervision.objects.create(
                organization_id=actor.organization_id,
                user=user,
                supervisor=supervisor,
                reason=reason,
                created_by=actor.user,
            )
        else:
            row.supervisor = supervisor
            row.reason = reason
            row.save(update_fields=["supervisor", "reason"])
        audit.record(
            actor,
            "update",
            "supervision",
            user.pk,
            detail={
                "supervisor": supervisor.pk if supervisor else None,
                "before": before,
                "reason": reason,
            },
        )
    return row


def _template_fields(data: NoteTemplateIn) -> list[dict[str, str]]:
    titles = [f.title for f in data.fields]
    if len({t.casefold() for t in titles}) != len(titles):
        raise _bad("Two fields have the same title.", "fields")
    return [{"key": f"f{i}", "title": t} for i, t in enumerate(titles, 1)]


def template_create(actor: Actor, data: NoteTemplateIn) -> NoteTemplate:
    """Add a template (notes.manage): a name not yet used and 1-20 titled fields. 422
    ``invalid_input``."""
    actor.require("notes.manage")
    fields = _template_fields(data)
    with transaction.atomic():
        if NoteTemplate.objects.filter(
            organization_id=actor.organization_id, name=data.name
        ).exists():
            raise _bad(f"A template is already named {data.name}.", "name")
        t = NoteTemplate.objects.create(
            organization_id=actor.organization_id,
            name=data.name,
            fields=fields,
            note_types=list(dict.fromkeys(data.note_types)),
            created_by=actor.user,
        )
        audit.record(actor, "create", "note_template", t.pk, detail={"name": t.name, "version": 1})
    return t


def template_revise(actor: Actor, template_id: int, data: NoteTemplateIn) -> NoteTemplate:
    """Change a template (notes.manage): a new version (version + 1, ``previous``); notes
    keep the version they were written on. Only the latest version is changed (409
    ``template_superseded``); the name stays (422 ``invalid_input`` when it differs)."""
    actor.require("notes.manage")
    fields = _template_fields(data)
    with transaction.atomic():
        old = (
            NoteTemplate.objects.select_for_update()
            .filter(organization_id=actor.organization_id, pk=template_id)
            .first()
        )
        if old is None:
            raise NotFound("template")
        if not selectors.is_latest(old):
            raise Conflict("template_superseded", "A newer version of this template exists.")
        if data.name != old.name:
            raise _bad("A new version keeps the template's name.", "name")
        t = NoteTemplate.objects.create(
            organization_id=actor.organization_id,
            name=old.name,
            version=old.version + 1,
            previous=old,
            fields=fields,
            note_types=list(dict.fromkeys(data.note_types)),
            retired_at=old.retired_at,
            created_by=actor.user,
        )
        audit.record(
            actor,
            "update",
            "note_template",
            t.pk,
            detail={"name": t.name, "version": t.version, "previous": old.pk},
        )
    return t


def template_retire(actor: Actor, template_id: int, retired: bool) -> NoteTemplate:
    """Retire a template's latest version (no longer offered for new notes) or offer it
    again (notes.manage). Notes written on it keep it."""
    actor.require("notes.manage")
    with transaction.atomic():
        t = (
            NoteTemplate.objects.select_for_update()
            .filter(organization_id=actor.organization_id, pk=template_id)
            .first()
        )
        if t is None:
            raise NotFound("template")
        if not selectors.is_latest(t):
            raise Conflict("template_superseded", "A newer version of this template exists.")
        t.retired_at = timezone.now() if retired else None
        t.save(update_fields=["retired_at"])
        audit.record(actor, "update", "note_template", t.pk, detail={"retired": retired})
    return t


def settings_set(actor: Actor, late_entry_hours: int, unsigned_alert_hours: int) -> NotesSettings:
    """Set the late-entry and unsigned-alert hours (notes.manage), each 1-720
    (``clinical.notes.valid_setting_hours``; 422 ``invalid_input``); audited with the
    previous values. Notes already signed keep their late-entry mark."""
    actor.require("notes.manage")
    for name, value in (
        ("late_entry_hours", late_entry_hours),
        ("unsigned_alert_hours", unsigned_alert_hours),
    ):
        if not rule.valid_setting_hours(value):
            raise _bad(
                f"A whole number of hours from {rule.SETTING_HOURS_MIN} to "
                f"{rule.SETTING_HOURS_MAX}.",
                name,
            )
    with transaction.atomic():
        row, _ = NotesSettings.objects.select_for_update().get_or_create(
            organization_id=actor.organization_id
        )
        before = {
            "late_entry_hours": row.late_entry_hours,
            "unsigned_alert_hours": row.unsigned_alert_hours,
        }
        row.late_entry_hours = late_entry_hours
        row.unsigned_alert_hours = unsigned_alert_hours
        row.save()
        audit.record(
            actor,
            "update",
            "notes_settings",
            actor.organization_id,
            detail={
                "before": before,
                "late_entry_hours": late_entry_hours,
                "unsigned_alert_hours": unsigned_alert_hours,
            },
        )
    return row
