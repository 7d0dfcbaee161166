"""Demo data of the counseling part: two SUD counseling notes (one shared with a
colleague, one changed after signing with the earlier text kept), through the real
services, and signed notes that addressed the treatment plans' problems, so a plan shows
its progress.

The counseling notes go on signed individual or CBT notes of the notes part's demo when
there are some; until that part's demo is in, this part files a few signed notes of its own
for the last month's attended individual and CBT sessions of people with a treatment plan
(rows written directly, each with its audit event, like the notes part's ``note_create``
and ``note_sign`` would write them)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.care.models import SessionAttendee, TreatmentPlan
from waypoint.core.actor import Actor
from waypoint.core.models import Site, User

from ..models import Note, NotePlanItem
from ..selectors.supervision import cosigner_of
from ..services import counseling as services

NOTES = 3  # signed notes this part files when the notes part's demo filed none
COUNSELING = (
    "Spent most of the hour on her father's death last spring and the first use after the "
    "funeral. Guilt about the children came up twice; she cried when naming it.\n\n"
    "Working hypothesis: grief is the main driver of cravings in the evenings. Next time: "
    "go back to the evening routine and the sister's offer to stay over.",
    "He described the arrest in detail for the first time and linked it to shame about "
    "relapsing in front of his son. Anger at his probation officer, but he kept the "
    "appointment.\n\nExplore: the son's birthday in two weeks as a risk day.",
)
DAP = {
    "data": "Attended on time; engaged. Reviewed the week: no use reported, cravings 3/10 in "
    "the evenings. Discussed coping plan and mutual-help meetings.",
    "assessment": "Making progress toward the plan's objective; insight improving.",
    "plan": "Continue weekly individual counseling; practise the evening coping plan.",
}


def _plan_items(plan: TreatmentPlan) -> list[tuple[str, str]]:
    """The first problem and its first objective ("1", "1.1.1") with their words."""
    problems = (plan.content or {}).get("problems") or []
    if not problems:
        return []
    first = problems[0]
    out = [("1", first.get("text", "")[:500])]
    goals = first.get("goals") or []
    objectives = (goals[0].get("objectives") or []) if goals else []
    if objectives:
        out.append(("1.1.1", objectives[0].get("text", "")[:500]))
    return out


def _file_notes(org_id: int, sites: list[Site], since: dt.datetime) -> list[Note]:
    """A few signed notes for attended individual/CBT sessions of people with a current
    plan (only when the notes part's demo filed none)."""
    attended = (
        SessionAttendee.objects.filter(
            organization_id=org_id,
            status="attended",
            session__site__in=sites,
            session__kind__in=("individual", "cbt"),
            session__starts_at__gte=since,
            session__starts_at__lte=timezone.now() - dt.timedelta(days=1),
            session__counselor__role__in=("counselor", "physician"),
        )
        .select_related("session__counselor", "patient")
        .order_by("session__starts_at", "id")
    )
    out: list[Note] = []
    seen: set[int] = set()
    for a in attended:
        if len(out) >= NOTES:
            break
        if a.patient_id in seen:
            continue
        plan = (
            TreatmentPlan.objects.filter(
                organization_id=org_id, episode_id=a.episode_id, superseded_at__isnull=True
            )
            .order_by("-version")
            .first()
        )
        items = _plan_items(plan) if plan else []
        if not items:
            continue
        seen.add(a.patient_id)
        s = a.session
        author = s.counselor
        signed_at = s.starts_at + dt.timedelta(minutes=s.duration_minutes + 90)
        cosigner = cosigner_of(org_id, author.pk)
        actor = Actor(user=author, client_address="127.0.0.1")
        note = Note.objects.create(
            organization_id=org_id,
            patient=a.patient,
            episode_id=a.episode_id,
            session=s,
            note_type=s.kind,
            format="dap",
            fields=dict(DAP),
            service_at=s.starts_at,
            duration_minutes=s.duration_minutes,
            modality=s.modality,
            place=s.site.name,
            author=author,
            status="awaiting_cosign" if cosigner else "signed",
            signed_at=signed_at,
            cosigner_id=cosigner,
        )
        assert plan is not None
        for key, label in items:
            NotePlanItem.objects.create(
                organization_id=org_id, note=note, plan=plan, item=key, label=label
            )
        audit.record(
            actor,
            "sign",
            "note",
            note.pk,
            patient_id=note.patient_id,
            detail={"note_type": note.note_type, "session": s.pk, "plan_items": len(items)},
        )
        out.append(note)
    return out


def load(actor: Actor, sites: list[Site], rng: random.Random) -> None:
    org = actor.organization_id
    if not sites:
        return
    since = timezone.now() - dt.timedelta(days=30)
    with transaction.atomic():
        notes = list(
            Note.objects.filter(
                organization_id=org,
                status__in=("signed", "awaiting_cosign"),
                note_type__in=("individual", "cbt"),
                author__role__in=("counselor", "physician"),
                counseling__isnull=True,
                service_at__gte=since,
            ).order_by("service_at", "id")[:2]
        )
        if len(notes) < 2:
            notes = _file_notes(org, sites, since)
        for note, text in zip(notes[:2], COUNSELING, strict=False):
            author = Actor(user=note.author, client_address="127.0.0.1")
            services.counseling_note_write(author, note.pk, text)
            if note is notes[0]:
                colleague = next(
                    (
                        u
                        for role in ("counselor", "physician", "nurse")
                        for u in User.objects.filter(organization_id=org, role=role, is_active=True)
                        .exclude(pk=note.author_id)
                        .order_by("pk")[:1]
                    ),
                    None,
                )
                if colleague is not None:
                    services.counseling_note_share(author, note.pk, colleague.pk)
            else:
                services.counseling_note_write(
                    author,
                    note.pk,
                    text + "\n\nAdded: he asked that his son's name be left out.",
                    reason="Left out a detail of the session",
                )
