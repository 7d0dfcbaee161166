"""Reads of the counseling part: SUD counseling notes (only their author and current
sharees read them, every read audited naming the patient), the records of the
``counseling_notes`` disclosure category (read by privacy, which audits the disclosure),
and the plan progress a treatment plan shows (registered into care's plan selectors).

Nothing here hands counseling notes to a caller that is not their author or a sharee:
the note's own reads (notes part) never join ``CounselingNote``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse

from waypoint.audit import services as audit
from waypoint.care.models import TreatmentPlan
from waypoint.clinical import counseling_notes as rule
from waypoint.core.errors import DomainError, NotFound
from waypoint.core.models import User
from waypoint.core.permissions import allowed

from ..models import (
    NOTE_TYPES,
    CounselingNote,
    CounselingNoteShare,
    CounselingNoteVersion,
    Note,
    NotePlanItem,
)

if TYPE_CHECKING:
    from waypoint.core.actor import Actor

TYPE_LABELS = dict(NOTE_TYPES)
SIGNED = ("signed", "awaiting_cosign")


def not_counseling_author() -> DomainError:
    return DomainError(
        "not_counseling_author",
        "Counseling notes are read only by their author and the staff the author shared them with.",
        status=403,
    )


def name_of(user: User) -> str:
    return user.get_full_name() or user.username


def note_in_org(actor: Actor, note_id: int, *, lock: bool = False) -> Note:
    """The note, scoped to the actor's organization (404 across organizations)."""
    qs = Note.objects.filter(pk=note_id, organization_id=actor.organization_id)
    if lock:
        qs = qs.select_for_update()
    note = qs.select_related("patient", "author").first()
    if note is None:
        raise NotFound("note")
    return note


def counseling_of(note: Note) -> CounselingNote | None:
    return CounselingNote.objects.filter(
        organization_id=note.organization_id, note_id=note.pk
    ).first()


def active_shares(cn: CounselingNote) -> list[CounselingNoteShare]:
    return list(
        CounselingNoteShare.objects.filter(
            organization_id=cn.organization_id, counseling_note=cn, withdrawn_at__isnull=True
        )
        .select_related("user")
        .order_by("shared_at", "id")
    )


def sharee_ids(cn: CounselingNote | None) -> set[int]:
    if cn is None:
        return set()
    return {s.user_id for s in active_shares(cn)}


def may_read(actor: Actor, note: Note, cn: CounselingNote | None) -> bool:
    """The author of the note (whether or not they wrote counseling notes yet) and the
    current sharees; nobody else (fail closed)."""
    if not actor.can("notes.view"):
        return False
    return rule.may_read(actor.user.pk, note.author_id, sharee_ids(cn))


@dataclass
class CounselingView:
    note: Note
    counseling: CounselingNote | None
    is_author: bool
    shares: list[CounselingNoteShare] = field(default_factory=list)
    versions: list[CounselingNoteVersion] = field(default_factory=list)
    staff: list[User] = field(default_factory=list)  # whom the author may share with


def share_candidates(actor: Actor, note: Note, shared: Iterable[int]) -> list[User]:
    """Active staff of the organization who may read notes, not the author and not already
    sharing."""
    taken = {note.author_id, *shared}
    return [
        u
        for u in User.objects.filter(organization_id=actor.organization_id, is_active=True)
        .exclude(pk__in=taken)
        .order_by("last_name", "first_name", "username")
        if allowed(u.role, "notes.view")
    ]


def counseling_read(
    actor: Actor, note_id: int, *, view: str = "api", audited: bool = True
) -> CounselingView:
    """A note's counseling notes for their author or a sharee, audited (``read
    counseling_note``, naming the patient; the event names the note, never the text;
    ``audited=False`` only right after the author's own audited write).
    403 ``not_counseling_author`` for anyone else whether or not the note has counseling
    notes (so their existence does not show); 404 for another organization's note."""
    actor.require("notes.view")
    with transaction.atomic():
        note = note_in_org(actor, note_id)
        cn = counseling_of(note)
        if not may_read(actor, note, cn):
            raise not_counseling_author()
        is_author = actor.user.pk == note.author_id
        out = CounselingView(note, cn, is_author)
        if cn is not None and is_author:
            out.shares = active_shares(cn)
        if cn is not None:
            out.versions = list(
                CounselingNoteVersion.objects.filter(
                    organization_id=note.organization_id, counseling_note=cn
                )
                .select_related("replaced_by")
                .order_by("-replaced_at", "-id")
            )
        if is_author:
            out.staff = share_candidates(actor, note, [s.user_id for s in out.shares])
        if audited:
            audit.record(
                actor,
                "read",
                "counseling_note",
                cn.pk if cn else "",
                patient_id=note.patient_id,
                detail={"note": note.pk, "view": view, "author": is_author},
            )
    return out


# --- the counseling_notes category of a disclosure (privacy's records builder) ------------
def disclosure_rows(organization_id: int, patient_id: int) -> list[dict]:
    """The counseling notes of a patient's signed notes, oldest first, as a disclosure
    under a consent naming counseling notes alone sends them (the current text; a draft
    note's counseling notes are not yet part of the record). No audit here: the
    disclosure writes one event for its whole package, in its transaction."""
    rows = (
        CounselingNote.objects.filter(
            organization_id=organization_id,
            note__organization_id=organization_id,
            note__patient_id=patient_id,
            note__status__in=SIGNED,
        )
        .select_related("note", "author")
        .order_by("note__service_at", "note_id")
    )
    return [
        {
            "note": cn.note_id,
            "service_at": cn.note.service_at.isoformat(),
            "note_type": cn.note.note_type,
            "author": name_of(cn.author),
            "written_at": cn.created_at.isoformat(),
            "changed_at": cn.updated_at.isoformat(),
            "text": cn.text,
        }
        for cn in rows
    ]


# --- plan progress (registered into care.plans.selectors from NotesConfig.ready) ----------
def plan_progress(actor: Actor, plan: TreatmentPlan) -> dict[str, list[dict]]:
    """The signed notes that addressed each item of ``plan`` ("2", "2.1.3"), oldest first:
    date, type, author, status, the words the note addressed and the link to the note.
    A plan's revision copies its content, so the notes linked to an item of an earlier
    version of the same episode's plan count for the same item. Only for staff who may
    read notes (the others see the plan without them); never counseling notes."""
    if not actor.can("notes.view"):
        return {}
    versions = TreatmentPlan.objects.filter(
        organization_id=actor.organization_id,
        episode_id=plan.episode_id,
        version__lte=plan.version,
    ).values_list("pk", flat=True)
    rows = (
        NotePlanItem.objects.filter(
            organization_id=actor.organization_id,
            plan_id__in=list(versions),
            note__patient_id=plan.patient_id,
            note__status__in=SIGNED,
        )
        .select_related("note__author")
        .order_by("note__service_at", "note_id", "id")
    )
    out: dict[str, list[dict]] = {}
    seen: set[tuple[str, int]] = set()
    for r in rows:
        if (r.item, r.note_id) in seen:
            continue
        seen.add((r.item, r.note_id))
        n = r.note
        out.setdefault(r.item, []).append(
            {
                "note": n.pk,
                "url": reverse("notes:note", args=[n.pk]),
                "service_at": n.service_at,
                "note_type": n.note_type,
                "type_label": TYPE_LABELS.get(n.note_type, n.note_type),
                "author": name_of(n.author),
                "status": n.status,
                "label": r.label,
            }
        )
    return out
