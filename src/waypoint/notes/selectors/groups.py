"""Reads of the groups part (issue 18): a group note with its entries (for staff with
``notes.view``), the session it belongs to with the attendees marked attended, the group
notes filed in one patient's chart (only theirs), and the note state the session roster and
the counselor's day show.

No-leak rule: what is read about one patient (a filed note, ``patient_group_notes``) and
its audit event name only that patient. The group note itself shows every entry; its reads
leave one audit event per attendee shown, each naming that attendee alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse

from waypoint.audit import services as audit
from waypoint.care.models import CounselingSession, SessionAttendee
from waypoint.clinical import notes as rules
from waypoint.core.errors import NotFound
from waypoint.patients import access
from waypoint.patients.selectors import patient_ref

from ..models import GroupNote, GroupNoteEntry, Note

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.patients.models import Patient

# The fields of a note filed from a group note (``Note.fields``), in order, with titles.
GROUP_FIELDS: tuple[tuple[str, str], ...] = (
    ("topic", "Topic"),
    ("shared", "What the group did"),
    ("participation", "Participation"),
    ("progress", "Progress"),
    ("plan", "Plan"),
)
GROUP_FIELD_TITLES = dict(GROUP_FIELDS)
GROUP_FORMAT = "narrative"  # Note.format of a filed group note (no DAP/SOAP split)


def session_in_org(actor: Actor, session_id: int) -> CounselingSession:
    """The organization's session with its site and counselor; 404 otherwise."""
    s = (
        CounselingSession.objects.filter(pk=session_id, organization_id=actor.organization_id)
        .select_related("site", "counselor")
        .first()
    )
    if s is None:
        raise NotFound("session")
    return s


def attended(session: CounselingSession) -> list[SessionAttendee]:
    """The roster rows marked attended, in name order, with their patients."""
    return list(
        SessionAttendee.objects.filter(
            session=session, organization_id=session.organization_id, status="attended"
        )
        .select_related("patient")
        .order_by("patient__last_name_key", "patient__first_name_key", "id")
    )


def _group_notes(organization_id: int):
    return GroupNote.objects.filter(organization_id=organization_id).prefetch_related(
        Prefetch(
            "entries",
            queryset=GroupNoteEntry.objects.select_related("patient", "attendee").order_by(
                "patient__last_name_key", "patient__first_name_key", "id"
            ),
        ),
        Prefetch("notes", queryset=Note.objects.order_by("id")),
    )


def group_note_row(organization_id: int, group_note_id: int) -> GroupNote:
    """The group note with its session, entries and filed notes (no audit: a service's
    answer, whose own events cover it); 404 across organizations."""
    row = (
        _group_notes(organization_id)
        .select_related("session", "session__site", "session__counselor", "author")
        .filter(pk=group_note_id)
        .first()
    )
    if row is None:
        raise NotFound("group note")
    return row


def _audit_read(actor: Actor, gn: GroupNote, patient_ids: list[int], view: str) -> None:
    with transaction.atomic():
        for pid in patient_ids:
            audit.record(
                actor,
                "read",
                "group_note",
                gn.pk,
                patient_id=pid,
                detail={"view": view, "session": gn.session_id},
            )


def mask_hidden(actor: Actor, gn: GroupNote) -> list[int]:
    """Replace each entry's patient the actor may not see by name (a restricted record) by a
    masked copy and blank its words (``entry.hidden``); the ids of the entries shown."""
    entries = list(gn.entries.all())
    hidden = access.hidden_ids(actor, (e.patient_id for e in entries))
    shown = []
    for e in entries:
        e.hidden = e.patient_id in hidden  # type: ignore[attr-defined]
        if e.hidden:  # type: ignore[attr-defined]
            e.patient = access.masked_copy(e.patient)
            e.participation = e.progress = e.plan = ""
        else:
            shown.append(e.patient_id)
    return shown


def group_note_read(actor: Actor, group_note_id: int, *, view: str = "group_note") -> GroupNote:
    """The whole group note (every entry) for staff with ``notes.view``: one ``read`` audit
    event per attendee shown, each naming only that attendee. 404 across organizations."""
    actor.require("notes.view")
    gn = group_note_row(actor.organization_id, group_note_id)
    shown = mask_hidden(actor, gn)
    _audit_read(actor, gn, shown, view)
    return gn


@dataclass
class SessionNote:
    """What the group-note page of a session needs: the session, its group note (None when
    not written yet) and the roster rows marked attended."""

    session: CounselingSession
    group_note: GroupNote | None
    attendees: list[SessionAttendee] = field(default_factory=list)


def session_group_note(actor: Actor, session_id: int) -> SessionNote:
    """A session's group note (if any) and its attendees marked attended, for the page that
    writes it; the attendees it names are audited (one ``read`` event each). 404 across
    organizations."""
    actor.require("notes.view")
    s = session_in_org(actor, session_id)
    gn = GroupNote.objects.filter(session=s).first()
    rows = attended(s)
    hidden = access.hidden_ids(actor, (a.patient_id for a in rows))
    for a in rows:
        if a.patient_id in hidden:
            a.patient = access.masked_copy(a.patient)
    if gn is not None:
        gn = group_note_row(actor.organization_id, gn.pk)
        mask_hidden(actor, gn)
    with transaction.atomic():
        for a in rows:
            if a.patient_id not in hidden:
                audit.record(
                    actor,
                    "read",
                    "group_note",
                    gn.pk if gn else "",
                    patient_id=a.patient_id,
                    detail={"view": "session_group_note", "session": s.pk},
                )
    return SessionNote(session=s, group_note=gn, attendees=rows)


def filed_fields(note: Note) -> list[tuple[str, str]]:
    """A filed group note's fields as (title, text), in order, the empty ones left out."""
    return [
        (title, str(note.fields.get(key, "")))
        for key, title in GROUP_FIELDS
        if note.fields.get(key)
    ]


def patient_group_notes(actor: Actor, patient_id: int) -> tuple[Patient, list[Note]]:
    """The group notes filed in one patient's chart (newest first): each holds the group's
    shared part and only this patient's entry. One ``read`` audit event naming only this
    patient. 404 across organizations."""
    actor.require("notes.view")
    patient = patient_ref(actor, patient_id)
    notes = list(
        Note.objects.filter(
            organization_id=actor.organization_id,
            patient=patient,
            note_type="group",
            group_note__isnull=False,
        )
        .exclude(status="draft")
        .select_related("author", "session", "session__site", "cosigner")
        .order_by("-service_at", "-id")
    )
    with transaction.atomic():
        audit.record(
            actor,
            "read",
            "note",
            "",
            patient_id=patient.pk,
            detail={"view": "patient_group_notes", "results": [n.pk for n in notes]},
        )
    return patient, notes


# --- the note state on the session roster and the counselor's day ----------------------
def group_note_states(organization_id: int, session_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per group session id: its group note's id and status (absent: not written)."""
    rows = GroupNote.objects.filter(
        organization_id=organization_id, session_id__in=session_ids
    ).values_list("session_id", "pk", "status")
    return {sid: {"id": pk, "status": status} for sid, pk, status in rows}


def session_note_states(
    organization_id: int, session_ids: list[int]
) -> dict[tuple[int, int], dict[str, Any]]:
    """Per (session id, patient id): the newest note written for that session about that
    patient (id and status), for the sessions that are not group sessions."""
    out: dict[tuple[int, int], dict[str, Any]] = {}
    rows = (
        Note.objects.filter(
            organization_id=organization_id, session_id__in=session_ids, group_note__isnull=True
        )
        .order_by("id")
        .values_list("session_id", "patient_id", "pk", "status")
    )
    for sid, pid, pk, status in rows:
        out[(sid, pid)] = {"id": pk, "status": status}
    return out


def group_note_path(session_id: int) -> str:
    return reverse("notes:session_group_note", args=[session_id])


def group_note_view_path(group_note_id: int) -> str:
    return reverse("notes:group_note", args=[group_note_id])


def new_note_path(patient_id: int, session_id: int) -> str:
    return f"{reverse('notes:note_new', args=[patient_id])}?session={session_id}"


def note_path(note_id: int) -> str:
    return reverse("notes:note", args=[note_id])


NOTE_STATE_LABELS = {
    "none": "Note not written",
    "draft": "Note: draft",
    "awaiting_cosign": "Note signed, awaiting co-signature",
    "signed": "Note signed",
}


def annotate_day(actor: Actor, sessions: list[CounselingSession]) -> None:
    """The day page's note links (``care.sessions.selectors.add_note_links``): a group
    session gets its group note's state and the page that writes or shows it; another
    session gets, per attendee marked attended, their note's state and the page that
    writes it (the notes part's new-note page with the session filled in) or shows it.
    Only for staff with ``notes.view``; the links to write for those who may write."""
    if not actor.can("notes.view") or not sessions:
        return
    ids = [s.pk for s in sessions]
    groups = group_note_states(actor.organization_id, ids)
    others = session_note_states(actor.organization_id, ids)
    for s in sessions:
        writes = actor.can("notes.write") and rules.may_write(actor.role, s.kind)
        if s.kind == "group":
            found = groups.get(s.pk)
            state = found["status"] if found else "none"
            if found is None:
                text, url = "Write the group note", group_note_path(s.pk)
            elif state == "draft" and writes:
                text, url = "Finish the group note", group_note_path(s.pk)
            else:
                text, url = "Read the group note", group_note_view_path(found["id"])
            if found is None and not writes:
                continue
            s.note_link = {  # type: ignore[attr-defined]
                "state": state,
                "label": "Group "
                + NOTE_STATE_LABELS[state][0].lower()
                + NOTE_STATE_LABELS[state][1:],
                "text": text,
                "url": url,
            }
            continue
        s.note_column = True  # type: ignore[attr-defined]
        for a in s.attendees.all():
            if a.status != "attended":
                continue
            found = others.get((s.pk, a.patient_id))
            if found is not None:
                a.note_link = {  # type: ignore[attr-defined]
                    "state": found["status"],
                    "label": NOTE_STATE_LABELS.get(found["status"], found["status"]),
                    "text": "Read" if found["status"] != "draft" else "Open the draft",
                    "url": note_path(found["id"]),
                }
            elif writes:
                a.note_link = {  # type: ignore[attr-defined]
                    "state": "none",
                    "label": NOTE_STATE_LABELS["none"],
                    "text": "Write the note",
                    "url": new_note_path(a.patient_id, s.pk),
                }


def roster_names(actor: Actor, session: CounselingSession) -> dict[int, str]:
    """Roster row id to the patient's name (a restricted record the actor may not open:
    "Restricted record"), for a refusal that names who is missing or extra."""
    rows = list(
        SessionAttendee.objects.filter(session=session, organization_id=actor.organization_id)
        .select_related("patient")
        .order_by("id")
    )
    hidden = access.hidden_ids(actor, (a.patient_id for a in rows))
    return {
        a.pk: (
            f"{access.MASKED_FIRST} {access.MASKED_LAST}"
            if a.patient_id in hidden
            else f"{a.patient.first_name} {a.patient.last_name}"
        )
        for a in rows
    }
