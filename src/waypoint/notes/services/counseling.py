"""Writes of the counseling part: a note's SUD counseling notes (write, change), shares
with named staff and their withdrawal.

Only the note's author writes, shares and withdraws (403 ``not_counseling_author`` for
anyone else, a counselor or physician: ``clinical.counseling_notes.may_write``). Each
write locks the note, validates before anything is written, and records its audit event
in the same transaction, naming the patient and the note — never the text. A change after
the note is signed keeps the earlier text as a ``CounselingNoteVersion`` (who, when, why).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.clinical import counseling_notes as rule
from waypoint.core.errors import Conflict, DomainError, NotFound
from waypoint.core.models import User
from waypoint.core.permissions import allowed

from ..models import CounselingNote, CounselingNoteShare, CounselingNoteVersion, Note
from ..selectors.counseling import counseling_of, not_counseling_author, note_in_org

if TYPE_CHECKING:
    from waypoint.core.actor import Actor


def _authored(actor: Actor, note_id: int) -> Note:
    """The actor's own note, locked (404 across organizations; 403 another's)."""
    note = note_in_org(actor, note_id, lock=True)
    if note.author_id != actor.user.pk:
        raise not_counseling_author()
    return note


def counseling_note_write(
    actor: Actor, note_id: int, text: str, reason: str = ""
) -> CounselingNote:
    """Write or change the counseling notes of the actor's note (draft or signed). The
    text is the whole of them (a change replaces it). On a signed note (or one awaiting
    co-signature) a change needs ``reason`` and keeps the earlier text as a version.
    403 ``not_counseling_author`` (another's note, or a role that writes no counseling
    notes); 422 ``invalid_input`` (no text, no reason after signing); 409
    ``counseling_unchanged`` (the same text again)."""
    actor.require("notes.write")
    if not rule.may_write(actor.role):
        raise DomainError(
            "not_counseling_author",
            "Counseling notes are written by counselors and physicians, on their own notes.",
            status=403,
        )
    text = (text or "").strip()
    reason = (reason or "").strip()
    if not text:
        raise DomainError("invalid_input", "Write the counseling notes.", field="text")
    if len(text) > rule.TEXT_MAX:
        raise DomainError("invalid_input", f"At most {rule.TEXT_MAX} characters.", field="text")
    if len(reason) > rule.REASON_MAX:
        raise DomainError("invalid_input", f"At most {rule.REASON_MAX} characters.", field="reason")
    with transaction.atomic():
        note = _authored(actor, note_id)
        cn = counseling_of(note)
        now = timezone.now()
        if cn is None:
            cn = CounselingNote.objects.create(
                organization_id=actor.organization_id, note=note, author=actor.user, text=text
            )
            action, detail = "create", {"note": note.pk, "note_status": note.status}
        else:
            if cn.text == text:
                raise Conflict("counseling_unchanged", "The counseling notes are unchanged.")
            versioned = rule.change_is_version(note.status)
            if versioned and not reason:
                raise DomainError(
                    "invalid_input",
                    "The note is signed: say why the counseling notes change (the earlier "
                    "text is kept).",
                    field="reason",
                )
            if versioned:
                CounselingNoteVersion.objects.create(
                    organization_id=actor.organization_id,
                    counseling_note=cn,
                    text=cn.text,
                    written_at=cn.updated_at,
                    replaced_at=now,
                    replaced_by=actor.user,
                    reason=reason,
                )
            cn.text = text
            cn.save(update_fields=["text", "updated_at"])
            action = "update"
            detail = {"note": note.pk, "note_status": note.status, "version_kept": versioned}
        audit.record(
            actor, action, "counseling_note", cn.pk, patient_id=note.patient_id, detail=detail
        )
    return cn


def _counseling_to_share(actor: Actor, note_id: int) -> tuple[Note, CounselingNote]:
    actor.require("notes.write")
    note = _authored(actor, note_id)
    cn = counseling_of(note)
    if cn is None:
        raise NotFound("counseling notes on this note")
    return note, cn


def counseling_note_share(actor: Actor, note_id: int, user_id: int) -> CounselingNoteShare:
    """Share the actor's counseling notes with a staff member of the organization who may
    read notes. 403 ``not_counseling_author``; 404 (no counseling notes yet); 422
    ``unknown_staff`` (no such active staff member here), ``share_not_allowed`` (the
    author, or a role that reads no notes); 409 ``already_shared``."""
    with transaction.atomic():
        note, cn = _counseling_to_share(actor, note_id)
        user = User.objects.filter(
            pk=user_id, organization_id=actor.organization_id, is_active=True
        ).first()
        if user is None:
            raise DomainError(
                "unknown_staff", "Choose a staff member of this organization.", field="user"
            )
        shared = CounselingNoteShare.objects.filter(
            counseling_note=cn, user=user, withdrawn_at__isnull=True
        ).exists()
        refusal = rule.share_refusal(
            is_author=user.pk == note.author_id,
            reads_notes=allowed(user.role, "notes.view"),
            already_shared=shared,
        )
        if refusal == "already_shared":
            raise Conflict(
                "already_shared", f"Already shared with {user.get_full_name() or user.username}."
            )
        if refusal is not None:
            raise DomainError(
                "share_not_allowed",
                "Share counseling notes only with another staff member who may read notes "
                "(a counselor, nurse or physician).",
                field="user",
            )
        share = CounselingNoteShare.objects.create(
            organization_id=actor.organization_id, counseling_note=cn, user=user
        )
        audit.record(
            actor,
            "share",
            "counseling_note",
            cn.pk,
            patient_id=note.patient_id,
            detail={"note": note.pk, "with": user.pk, "with_username": user.username},
        )
    return share


def counseling_note_withdraw(actor: Actor, note_id: int, user_id: int) -> CounselingNoteShare:
    """Withdraw the share with ``user_id`` (from now on they no longer read the counseling
    notes). 403 ``not_counseling_author``; 404 when no share with them stands."""
    with transaction.atomic():
        note, cn = _counseling_to_share(actor, note_id)
        share = (
            CounselingNoteShare.objects.select_for_update()
            .filter(counseling_note=cn, user_id=user_id, withdrawn_at__isnull=True)
            .first()
        )
        if share is None:
            raise NotFound("share of these counseling notes with that staff member")
        share.withdrawn_at = timezone.now()
        share.save(update_fields=["withdrawn_at"])
        audit.record(
            actor,
            "withdraw",
            "counseling_note",
            cn.pk,
            patient_id=note.patient_id,
            detail={"note": note.pk, "with": user_id},
        )
    return share
