"""Writes of the groups part (issue 18): a group session's note written once.

A counselor writes the shared part (topic, what the group did, place; the service time,
duration and modality are the session's) and one short individual part per attendee
(participation, progress, plan). The entries must be exactly the roster rows marked
attended (``roster_mismatch`` names the missing and the extra ones, by attendee id). A
draft is edited by its author only; signing files one ``Note`` per entry in the attendee's
chart — the shared part and only that attendee's entry — decided like any note's signing:
late entry by ``clinical.notes.late_entry`` with the organization's setting, a supervised
author's notes wait for the supervisor's co-signature. All of it in one transaction with
one audit event per filed note, naming only that note's patient.

Refusals (nothing written): 403 ``forbidden`` (no ``notes.write``), ``note_type_not_allowed``
(the role may not write a group note), ``not_note_author``; 404 another organization's
session or group note; 409 ``not_group_session``, ``group_note_exists``, ``no_attendees``,
``note_signed``; 422 ``roster_mismatch``, ``invalid_input``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.care.models import CounselingSession, SessionAttendee
from waypoint.clinical import notes as rules
from waypoint.core.errors import Conflict, DomainError, NotFound
from waypoint.core.selectors import locked_in_org

from ..models import GroupNote, GroupNoteEntry, Note
from ..schemas.groups import GroupEntryIn, GroupNoteIn, GroupNotePatch
from ..selectors import groups as selectors
from ..selectors.supervision import signing

if TYPE_CHECKING:
    from waypoint.core.actor import Actor


def _may_write(actor: Actor) -> None:
    actor.require("notes.write")
    if not rules.may_write(actor.role, "group"):
        raise DomainError(
            "note_type_not_allowed",
            "Your role may not write a group counseling note.",
            status=403,
        )


def _roster(session: CounselingSession) -> dict[int, SessionAttendee]:
    return {a.pk: a for a in selectors.attended(session)}


def _check_entries(session: CounselingSession, given: list[int]) -> dict[int, SessionAttendee]:
    """The attended roster rows by id, once the entries are exactly them; else 422
    ``roster_mismatch`` naming the missing, extra and repeated attendee ids."""
    roster = _roster(session)
    if not roster:
        raise Conflict(
            "no_attendees",
            "No one on this session's roster is marked attended: record the attendance first.",
        )
    repeated = sorted({a for a in given if given.count(a) > 1})
    missing = sorted(set(roster) - set(given))
    extra = sorted(set(given) - set(roster))
    if missing or extra or repeated:
        parts = []
        if missing:
            parts.append(f"no entry for attendee {', '.join(map(str, missing))}")
        if extra:
            parts.append(
                f"attendee {', '.join(map(str, extra))} is not marked attended on the roster"
            )
        if repeated:
            parts.append(f"more than one entry for attendee {', '.join(map(str, repeated))}")
        raise DomainError(
            "roster_mismatch",
            "The individual parts must be exactly the attendees marked attended: "
            + "; ".join(parts)
            + ".",
            field="entries",
            missing=missing,
            extra=extra,
            repeated=repeated,
        )
    return roster


def _audit_each(actor: Actor, action: str, gn: GroupNote, patient_ids: list[int]) -> None:
    for pid in patient_ids:
        audit.record(
            actor,
            action,
            "group_note",
            gn.pk,
            patient_id=pid,
            detail={"session": gn.session_id, "status": gn.status},
        )


def _write_entries(
    gn: GroupNote, roster: dict[int, SessionAttendee], entries: list[GroupEntryIn]
) -> None:
    GroupNoteEntry.objects.filter(group_note=gn).delete()
    GroupNoteEntry.objects.bulk_create(
        GroupNoteEntry(
            organization_id=gn.organization_id,
            group_note=gn,
            attendee=roster[e.attendee],
            patient_id=roster[e.attendee].patient_id,
            participation=e.participation,
            progress=e.progress,
            plan=e.plan,
        )
        for e in entries
    )


def group_note_create(actor: Actor, session_id: int, data: GroupNoteIn) -> GroupNote:
    """Write a group session's note as a draft. 404 another organization's session; 403
    ``forbidden``, ``note_type_not_allowed``; 409 ``not_group_session``,
    ``group_note_exists``, ``no_attendees``; 422 ``roster_mismatch``."""
    _may_write(actor)
    with transaction.atomic():
        s = locked_in_org(CounselingSession, session_id, actor.organization_id, "session")
        if s.kind != "group":
            raise Conflict(
                "not_group_session",
                f"This is a {s.kind_label.lower()} session, not a group session: write "
                "its note from the patient's chart.",
                kind=s.kind,
            )
        existing = GroupNote.objects.filter(session=s).values_list("pk", flat=True).first()
        if existing is not None:
            raise Conflict(
                "group_note_exists",
                "This session's group note is already written: edit it instead.",
                group_note=existing,
            )
        roster = _check_entries(s, [e.attendee for e in data.entries])
        try:
            with transaction.atomic():
                gn = GroupNote.objects.create(
                    organization_id=actor.organization_id,
                    session=s,
                    author=actor.user,
                    topic=data.topic,
                    shared=data.shared,
                    service_at=s.starts_at,
                    duration_minutes=s.duration_minutes,
                    modality=s.modality,
                    place=data.place,
                )
        except IntegrityError as exc:  # written at the same moment by someone else
            raise Conflict(
                "group_note_exists", "This session's group note is already written."
            ) from exc
        _write_entries(gn, roster, data.entries)
        _audit_each(actor, "create", gn, [a.patient_id for a in roster.values()])
    return gn


def _locked_draft(actor: Actor, group_note_id: int) -> GroupNote:
    gn = (
        GroupNote.objects.select_for_update()
        .select_related("session")
        .filter(pk=group_note_id, organization_id=actor.organization_id)
        .first()
    )
    if gn is None:
        raise NotFound("group note")
    if gn.author_id != actor.user.pk:
        raise DomainError(
            "not_note_author", "Only the note's author may change or sign it.", status=403
        )
    if gn.status != "draft":
        raise Conflict(
            "note_signed",
            "This group note is signed and filed: a change is an addendum to a filed note.",
        )
    return gn


def group_note_update(actor: Actor, group_note_id: int, data: GroupNotePatch) -> GroupNote:
    """Change a draft (its author only): the parts given. 403 ``not_note_author``; 409
    ``note_signed``; 422 ``roster_mismatch`` when new entries do not match the roster."""
    _may_write(actor)
    with transaction.atomic():
        gn = _locked_draft(actor, group_note_id)
        before = set(
            GroupNoteEntry.objects.filter(group_note=gn).values_list("patient_id", flat=True)
        )
        for name in ("topic", "shared", "place"):
            value = getattr(data, name)
            if value is not None:
                setattr(gn, name, value)
        if data.entries is not None:
            roster = _check_entries(gn.session, [e.attendee for e in data.entries])
            _write_entries(gn, roster, data.entries)
        gn.save()
        after = set(
            GroupNoteEntry.objects.filter(group_note=gn).values_list("patient_id", flat=True)
        )
        # each attendee whose part is in the note, or was until now, has the change's event
        _audit_each(actor, "update", gn, sorted(before | after))
    return gn


def _filed_fields(gn: GroupNote, entry: GroupNoteEntry) -> dict[str, str]:
    """What one attendee's filed note holds: the shared part and their entry only, field by
    field, and the same as one text under "narrative" (the note's format), so a page that
    shows a narrative note shows a group note whole."""
    fields = {
        "topic": gn.topic,
        "shared": gn.shared,
        "participation": entry.participation,
        "progress": entry.progress,
        "plan": entry.plan,
    }
    fields["narrative"] = "\n\n".join(
        f"{title}: {fields[key]}" for key, title in selectors.GROUP_FIELDS if fields[key]
    )
    return fields


def group_note_sign(
    actor: Actor, group_note_id: int, *, signed_at: dt.datetime | None = None
) -> list[Note]:
    """Sign a draft (its author only) and file one note per entry in that attendee's chart.
    The entries are checked against the roster again (attendance may have been corrected
    since the draft). Late entry: signed more than the organization's ``late_entry_hours``
    after the session ended; a supervised author's notes are ``awaiting_cosign`` with the
    supervisor as cosigner. One audit event per filed note, naming its patient only. 403
    ``not_note_author``; 409 ``note_signed``, ``no_attendees``; 422 ``roster_mismatch``.
    ``signed_at`` (the demo only: notes signed when the sessions ended) defaults to now."""
    _may_write(actor)
    with transaction.atomic():
        gn = _locked_draft(actor, group_note_id)
        entries = list(
            GroupNoteEntry.objects.filter(group_note=gn).select_related("attendee").order_by("id")
        )
        _check_entries(gn.session, [e.attendee_id for e in entries])
        now = signed_at or timezone.now()
        session = gn.session
        ends = session.starts_at + dt.timedelta(minutes=session.duration_minutes)
        decided = signing(actor.organization_id, actor.user.pk, ends, now)
        late, cosigner, status = decided.late_entry, decided.cosigner, decided.status
        filed = []
        for e in entries:
            note = Note.objects.create(
                organization_id=actor.organization_id,
                patient_id=e.patient_id,
                episode_id=e.attendee.episode_id,
                session=session,
                group_note=gn,
                group_entry=e,
                note_type="group",
                format=selectors.GROUP_FORMAT,
                fields=_filed_fields(gn, e),
                service_at=gn.service_at,
                duration_minutes=gn.duration_minutes,
                modality=gn.modality,
                place=gn.place,
                author=actor.user,
                status=status,
                signed_at=now,
                late_entry=late,
                cosigner_id=cosigner,
            )
            audit.record(
                actor,
                "sign",
                "note",
                note.pk,
                patient_id=e.patient_id,
                detail={
                    "note_type": "group",
                    "group_note": gn.pk,
                    "session": session.pk,
                    "status": status,
                    "late_entry": late,
                    "cosigner": cosigner,
                },
            )
            filed.append(note)
        gn.status = "signed"
        gn.signed_at = now
        gn.save(update_fields=["status", "signed_at", "updated_at"])
    return filed
