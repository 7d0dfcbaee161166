"""Demo data of the groups part, through the real services: a group note for each of the
last month's group sessions with attendance recorded, written and signed by the session's
counselor an hour after the session ended (so not late entries). At each site the newest
such session is left without a note and the one before it as a draft, so the day page
shows all three states. Fixed phrases, drawn by a generator of its own (the demo's shared
generator is left as it was for the parts that follow)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from waypoint.care.models import CounselingSession
from waypoint.core.actor import Actor
from waypoint.core.models import Site

from ..schemas.groups import GroupEntryIn, GroupNoteIn
from ..selectors import groups as selectors
from ..services import groups as services

DAYS = 31
TOPICS = [
    ("Coping with cravings", "Psychoeducation on triggers and cravings; urge surfing practice."),
    ("Relapse prevention", "Mapped high-risk situations and rehearsed refusal skills."),
    ("Building a support network", "Discussed mutual-help meetings and safe contacts."),
    ("Managing stress", "Breathing and grounding exercises; a stress inventory."),
]
PARTICIPATION = [
    "Engaged throughout; shared a recent high-risk situation.",
    "Quiet at first, then took part in the role play.",
    "Attentive; offered support to the group.",
    "Participated when prompted; completed the worksheet.",
]
PROGRESS = [
    "Names two personal triggers and one coping skill.",
    "Reports fewer cravings this week.",
    "Practising the skill between sessions.",
    "",
]
PLAN = [
    "Continue weekly group; practise urge surfing daily.",
    "Attend two mutual-help meetings this week.",
    "Review the coping card at the next individual session.",
]


def load(actor: Actor, sites: list[Site], rng: random.Random) -> None:
    own = random.Random(1801)  # the demo's shared generator stays as the next parts expect
    now = timezone.now()
    for site in sites:
        rows = list(
            CounselingSession.objects.filter(
                organization_id=actor.organization_id,
                site=site,
                kind="group",
                starts_at__gte=now - dt.timedelta(days=DAYS),
                starts_at__lt=now,
                group_note__isnull=True,
            )
            .select_related("counselor", "site")
            .order_by("-starts_at", "-id")
        )
        held = [s for s in rows if selectors.attended(s)]
        for i, s in enumerate(held):
            if i == 0:
                continue  # the newest: its note is still to write
            who = Actor(user=s.counselor, channel="cli", purpose="operations")
            topic, shared = own.choice(TOPICS)
            gn = services.group_note_create(
                who,
                s.pk,
                GroupNoteIn(
                    topic=topic,
                    shared=shared,
                    place=f"{site.name}, group room",
                    entries=[
                        GroupEntryIn(
                            attendee=a.pk,
                            participation=own.choice(PARTICIPATION),
                            progress=own.choice(PROGRESS),
                            plan=own.choice(PLAN),
                        )
                        for a in selectors.attended(s)
                    ],
                ),
            )
            if i == 1:
                continue  # a draft, not signed yet
            ended = s.starts_at + dt.timedelta(minutes=s.duration_minutes)
            services.group_note_sign(who, gn.pk, signed_at=min(ended + dt.timedelta(hours=1), now))
