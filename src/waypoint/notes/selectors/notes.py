"""Reads of the notes part (issue 18): a patient's notes, one note with its addenda and the
plan items it addressed, the supervisor's co-signature list, one's unsigned notes, the
director's oversight (who, how many, how old — never a note's words), templates,
supervision and settings.

Every read of a patient's notes is audited in the same transaction (``read`` of
``note``: one note, or the list with its filters); lists of several patients' notes
(co-signature list, unsigned notes) name every patient shown. Always scoped to the
actor's organization: another organization's note or patient is 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.care.models import CounselingSession, Episode, SessionAttendee, TreatmentPlan
from waypoint.clinical import notes as rule
from waypoint.core.errors import NotFound
from waypoint.core.models import User
from waypoint.patients.selectors import patient_ref

from ..models import NOTE_TYPES, Addendum, Note, NotePlanItem, NoteTemplate, Supervision
from .supervision import settings_of

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.patients.models import Patient

TYPE_LABELS = dict(NOTE_TYPES)
CHART_LIMIT = 20  # the chart's section shows the newest 20; the full list is its own page
LIST_LIMIT = 500


def _notes(organization_id: int) -> QuerySet[Note]:
    return (
        Note.objects.filter(organization_id=organization_id)
        .select_related("author", "cosigner", "template", "session", "patient")
        .prefetch_related(
            Prefetch("plan_items", queryset=NotePlanItem.objects.order_by("plan_id", "item")),
            Prefetch("addenda", queryset=Addendum.objects.select_related("author").order_by("id")),
        )
    )


def staff_name(user: User | None) -> str:
    if user is None:
        return ""
    full = f"{user.first_name} {user.last_name}".strip()
    return full or user.username


# --- lookups of the services (no audit: the service audits its write) ---------------------
def note_for_update(actor: Actor, note_id: int) -> Note:
    note = (
        Note.objects.select_for_update()
        .filter(organization_id=actor.organization_id, pk=note_id)
        .first()
    )
    if note is None:
        raise NotFound("note")
    return note


def session_of(organization_id: int, session_id: int) -> CounselingSession | None:
    return (
        CounselingSession.objects.filter(organization_id=organization_id, pk=session_id)
        .select_related("site")
        .first()
    )


def attendee_of(session: CounselingSession, patient_id: int) -> SessionAttendee | None:
    return SessionAttendee.objects.filter(session=session, patient_id=patient_id).first()


def episode_of(organization_id: int, patient_id: int, episode_id: int) -> Episode | None:
    return Episode.objects.filter(
        organization_id=organization_id, patient_id=patient_id, pk=episode_id
    ).first()


def current_plan(
    organization_id: int, patient_id: int, episode_id: int | None = None
) -> TreatmentPlan | None:
    """The patient's current treatment plan version: the note's episode's when it has one,
    else that of the open episode, else the newest."""
    plans = TreatmentPlan.objects.filter(
        organization_id=organization_id, patient_id=patient_id, superseded_at__isnull=True
    ).select_related("episode")
    if episode_id is not None:
        return plans.filter(episode_id=episode_id).first()
    return (
        plans.filter(episode__discharged_on__isnull=True).order_by("-created_at", "-id").first()
        or plans.order_by("-created_at", "-id").first()
    )


def plan_choices(organization_id: int, patient_id: int, episode_id: int | None = None) -> dict:
    """The current plan and its problems and objectives (key, words) for the note form."""
    plan = current_plan(organization_id, patient_id, episode_id)
    return {"plan": plan, "plan_items": rule.plan_items(plan.content) if plan else []}


def template_of(organization_id: int, template_id: int) -> NoteTemplate | None:
    return NoteTemplate.objects.filter(organization_id=organization_id, pk=template_id).first()


def is_latest(template: NoteTemplate) -> bool:
    return not NoteTemplate.objects.filter(previous=template).exists()


def staff_of(organization_id: int, user_id: int) -> User | None:
    return User.objects.filter(organization_id=organization_id, pk=user_id).first()


def note_written(actor: Actor, note_id: int) -> Note:
    """The note a service just wrote (and audited), as the answer shows it."""
    return _notes(actor.organization_id).get(pk=note_id)


# --- reads of a patient's notes ---------------------------------------------------------------
def note_get(actor: Actor, note_id: int, *, view: str = "note") -> Note:
    """One note with its addenda and plan items (notes.view): audited ``read``."""
    actor.require("notes.view")
    with transaction.atomic():
        note = _notes(actor.organization_id).filter(pk=note_id).first()
        if note is None:
            raise NotFound("note")
        audit.record(
            actor, "read", "note", note.pk, patient_id=note.patient_id, detail={"view": view}
        )
    return note


def _patient_notes(
    organization_id: int,
    patient_id: int,
    note_type: str | None = None,
    author: int | None = None,
    limit: int = LIST_LIMIT,
) -> list[Note]:
    qs = _notes(organization_id).filter(patient_id=patient_id)
    if note_type:
        qs = qs.filter(note_type=note_type)
    if author:
        qs = qs.filter(author_id=author)
    return list(qs.order_by("-service_at", "-id")[:limit])


def notes_for_patient(
    actor: Actor,
    patient_id: int,
    note_type: str | None = None,
    author: int | None = None,
    *,
    limit: int = LIST_LIMIT,
    view: str = "list",
) -> list[Note]:
    """A patient's notes, newest service first, optionally of one type or author
    (notes.view): audited ``read`` of ``note`` with the filters and the count."""
    actor.require("notes.view")
    patient_ref(actor, patient_id)
    with transaction.atomic():
        rows = _patient_notes(actor.organization_id, patient_id, note_type, author, limit)
        audit.record(
            actor,
            "read",
            "note",
            "",
            patient_id=patient_id,
            detail={"view": view, "type": note_type, "author": author, "count": len(rows)},
        )
    return rows


def authors_for_patient(organization_id: int, patient_id: int) -> list[User]:
    ids = Note.objects.filter(organization_id=organization_id, patient_id=patient_id).values(
        "author_id"
    )
    return list(User.objects.filter(pk__in=ids).order_by("last_name", "first_name", "username"))


def decorate(notes: list[Note], now: dt.datetime | None = None, hours: int | None = None) -> None:
    """Add what the pages show: the type's words, the author's name, whether a draft is
    overdue (started more than the setting's hours ago)."""
    now = now or timezone.now()
    for n in notes:
        n.type_label = TYPE_LABELS.get(n.note_type, n.note_type)  # type: ignore[attr-defined]
        n.author_name = staff_name(n.author)  # type: ignore[attr-defined]
        n.cosigner_name = staff_name(n.cosigner)  # type: ignore[attr-defined]
        n.overdue = bool(  # type: ignore[attr-defined]
            hours is not None
            and n.status == "draft"
            and rule.unsigned_overdue(n.created_at, now, hours)
        )


def chart_context(actor: Actor, patient: Patient) -> dict[str, Any]:
    """The chart's Notes section: the newest notes (the chart page's read is audited once
    for the whole chart, so nothing here records another event, as every section)."""
    rows = _patient_notes(actor.organization_id, patient.pk, limit=CHART_LIMIT)
    decorate(rows)
    return {
        "notes": rows,
        "note_types": NOTE_TYPES,
        "authors": authors_for_patient(actor.organization_id, patient.pk),
        "can_write": actor.can("notes.write"),
        "limit": CHART_LIMIT,
    }


# --- lists of one's work ----------------------------------------------------------------------
def cosign_queue(actor: Actor) -> list[Note]:
    """The notes waiting for the actor's co-signature (notes.cosign), oldest first;
    audited with every patient shown."""
    actor.require("notes.cosign")
    with transaction.atomic():
        rows = list(
            _notes(actor.organization_id)
            .filter(cosigner=actor.user, status="awaiting_cosign")
            .order_by("signed_at", "id")[:LIST_LIMIT]
        )
        audit.record(
            actor,
            "list",
            "note",
            "cosign_queue",
            patients=sorted({n.patient_id for n in rows}),
            detail={"count": len(rows)},
        )
    decorate(rows)
    return rows


@dataclass(frozen=True)
class Unsigned:
    notes: list[Note]
    overdue: int
    hours: int


def unsigned_of(actor: Actor, *, overdue_only: bool = False) -> Unsigned:
    """The actor's own drafts, oldest first, each marked overdue when started more than
    the unsigned-alert setting ago (notes.write); audited with every patient shown."""
    actor.require("notes.write")
    hours = settings_of(actor.organization_id).unsigned_alert_hours
    now = timezone.now()
    qs = _notes(actor.organization_id).filter(author=actor.user, status="draft")
    if overdue_only:
        qs = qs.filter(created_at__lt=now - dt.timedelta(hours=hours))
    with transaction.atomic():
        rows = list(qs.order_by("created_at", "id")[:LIST_LIMIT])
        if rows or not overdue_only:
            audit.record(
                actor,
                "list",
                "note",
                "unsigned",
                patients=sorted({n.patient_id for n in rows}),
                detail={"count": len(rows), "overdue_only": overdue_only},
            )
    decorate(rows, now, hours)
    overdue = sum(1 for n in rows if getattr(n, "overdue", False))
    return Unsigned(rows, overdue, hours)


def author_home_panel(actor: Actor, site: Any) -> dict[str, Any]:
    """The author's home panel: their drafts older than the unsigned-alert setting."""
    found = unsigned_of(actor, overdue_only=True)
    return {"unsigned_notes": found.notes, "unsigned_hours": found.hours}


def _age_hours(since: dt.datetime | None, now: dt.datetime) -> int:
    return int((now - since).total_seconds() // 3600) if since else 0


def oversight(actor: Actor) -> dict[str, Any]:
    """Who has drafts older than the unsigned-alert setting and who has notes awaiting
    co-signature (notes.oversee): staff names with counts and the oldest age in hours,
    never a patient or a note's words (so no patient record is read)."""
    actor.require("notes.oversee")
    org = actor.organization_id
    hours = settings_of(org).unsigned_alert_hours
    now = timezone.now()
    overdue: dict[int, dict[str, Any]] = {}
    for author_id, created in (
        Note.objects.filter(
            organization_id=org, status="draft", created_at__lt=now - dt.timedelta(hours=hours)
        )
        .order_by("created_at")
        .values_list("author_id", "created_at")
    ):
        row = overdue.setdefault(author_id, {"count": 0, "oldest": created})
        row["count"] += 1
    waiting: dict[int, dict[str, Any]] = {}
    for author_id, cosigner_id, signed in (
        Note.objects.filter(organization_id=org, status="awaiting_cosign")
        .order_by("signed_at")
        .values_list("author_id", "cosigner_id", "signed_at")
    ):
        row = waiting.setdefault(author_id, {"count": 0, "oldest": signed, "cosigners": set()})
        row["count"] += 1
        row["cosigners"].add(cosigner_id)
    people = {
        u.pk: staff_name(u)
        for u in User.objects.filter(
            organization_id=org,
            pk__in={*overdue, *waiting, *(c for r in waiting.values() for c in r["cosigners"])},
        )
    }
    return {
        "hours": hours,
        "unsigned": sorted(
            (
                {
                    "author": people.get(a, "?"),
                    "author_id": a,
                    "count": r["count"],
                    "oldest_hours": _age_hours(r["oldest"], now),
                }
                for a, r in overdue.items()
            ),
            key=lambda r: (-r["oldest_hours"], r["author"]),
        ),
        "awaiting": sorted(
            (
                {
                    "author": people.get(a, "?"),
                    "author_id": a,
                    "count": r["count"],
                    "oldest_hours": _age_hours(r["oldest"], now),
                    "cosigners": sorted(people.get(c, "?") for c in r["cosigners"]),
                }
                for a, r in waiting.items()
            ),
            key=lambda r: (-r["oldest_hours"], r["author"]),
        ),
    }


def oversight_panel(actor: Actor, site: Any) -> dict[str, Any]:
    return {"oversight": oversight(actor)}


# --- templates, supervision, settings ---------------------------------------------------------
def templates_current(organization_id: int, note_type: str | None = None) -> list[NoteTemplate]:
    """The latest version of every template not retired (for a note type: those offered
    for it)."""
    rows = list(
        NoteTemplate.objects.filter(
            organization_id=organization_id, retired_at__isnull=True, next_version__isnull=True
        ).order_by("name", "id")
    )
    if note_type:
        rows = [t for t in rows if not t.note_types or note_type in t.note_types]
    return rows


def templates_all(actor: Actor) -> list[NoteTemplate]:
    """Every template's latest version, retired ones too (notes.manage)."""
    actor.require("notes.manage")
    return list(
        NoteTemplate.objects.filter(
            organization_id=actor.organization_id, next_version__isnull=True
        ).order_by("name", "id")
    )


def template_get(actor: Actor, template_id: int) -> NoteTemplate:
    t = template_of(actor.organization_id, template_id)
    if t is None:
        raise NotFound("template")
    return t


def supervision_rows(actor: Actor) -> list[Supervision]:
    actor.require("notes.manage")
    return list(
        Supervision.objects.filter(organization_id=actor.organization_id)
        .select_related("user", "supervisor")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def note_staff(organization_id: int) -> QuerySet[User]:
    """The staff who write notes (the roles of notes.write), for supervision's choices."""
    from waypoint.core.permissions import allowed

    roles = [r for r in ("physician", "nurse", "counselor") if allowed(r, "notes.write")]
    return User.objects.filter(
        organization_id=organization_id, is_active=True, role__in=roles
    ).order_by("last_name", "first_name", "username")
