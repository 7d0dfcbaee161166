"""Demo data of the counseling part: two SUD counseling notes (one shared with a
colleague, one changed after signing with the earlier text kept), through the real
services, on signed individual or CBT notes of the last month that the notes part's demo
filed (it runs first; its notes also carry the plan items that show a plan's progress)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from waypoint.core.actor import Actor
from waypoint.core.models import Site, User

from ..models import Note
from ..services import counseling as services

COUNSELING = (
    "Spent most of the hour on her father's death last spring and the first use after the "
    "funeral. Guilt about the children came up twice; she cried when naming it.\n\n"
    "Working hypothesis: grief is the main driver of cravings in the evenings. Next time: "
    "go back to the evening routine and the sister's offer to stay over.",
    "He described the arrest in detail for the first time and linked it to shame about "
    "relapsing in front of his son. Anger at his probation officer, but he kept the "
    "appointment.\n\nExplore: the son's birthday in two weeks as a risk day.",
)


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
        for note, text in zip(notes, COUNSELING, strict=False):
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
