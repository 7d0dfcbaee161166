"""Demo counseling: for each open episode with an hours range, weekly sessions over the last
three weeks (a group for intensive levels, an individual session for the others), with
attendance recorded for the past ones (mostly attended, some absences and excuses). Some
individual sessions are by video or by phone (every 4th by video, every 7th by phone: no
random draw, so the rest of the demo stays the same)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from waypoint.care.models import Episode, LevelOfCareStay
from waypoint.core.actor import Actor
from waypoint.core.models import Site, User

from . import services
from .schemas import SessionIn

WEEKS = 3


def load(actor: Actor, sites: list[Site], rng: random.Random) -> None:
    org_id = actor.organization_id
    counselor = User.objects.get(organization_id=org_id, username="demo_counselor")
    who = Actor(user=counselor, channel="cli", purpose="operations")
    levels = dict(
        LevelOfCareStay.objects.filter(organization_id=org_id, ended_on__isnull=True).values_list(
            "episode_id", "level"
        )
    )
    now = timezone.now()
    for site in sites:
        eps = list(
            Episode.objects.filter(
                organization_id=org_id, site=site, discharged_on__isnull=True
            ).order_by("id")
        )
        today = now.astimezone(site.tz).date()
        start_day = today - dt.timedelta(days=7 * WEEKS)
        # one weekly group for the intensive levels, in groups of up to 8
        intensive = [
            e
            for e in eps
            if levels.get(e.pk)
            in ("intensive_outpatient", "partial_hospitalization", "residential")
            and e.admitted_on <= start_day
        ]
        made = []
        for i in range(0, len(intensive), 8):
            chunk = intensive[i : i + 8]
            first = dt.datetime.combine(start_day, dt.time(9 + i // 8 % 6), tzinfo=site.tz)
            made += services.session_schedule(
                who,
                SessionIn(
                    kind=rng.choice(["group", "cbt"]),
                    site=site.code,
                    counselor=counselor.pk,
                    starts_at=first,
                    duration_minutes=180,
                    title="Recovery skills group",
                    patients=[e.patient_id for e in chunk],
                    repeat={"count": WEEKS + 1},
                ),
            )
        n = 0
        for e in eps:
            if levels.get(e.pk) == "withdrawal_management" or e.admitted_on > start_day:
                continue
            n += 1
            modality = "video" if n % 4 == 1 else "phone" if n % 7 == 3 else "in_person"
            first = dt.datetime.combine(
                start_day + dt.timedelta(days=rng.randint(0, 4)),
                dt.time(rng.choice([10, 13, 15])),
                tzinfo=site.tz,
            )
            made += services.session_schedule(
                who,
                SessionIn(
                    kind="individual",
                    site=site.code,
                    counselor=counselor.pk,
                    starts_at=first,
                    duration_minutes=rng.choice([45, 60]),
                    modality=modality,
                    patients=[e.patient_id],
                    repeat={"count": WEEKS + 1},
                ),
            )
        for s in made:
            if s.starts_at > now:
                continue
            for a in s.attendees.all():
                status = rng.choices(["attended", "absent", "excused"], weights=[80, 13, 7])[0]
                minutes = s.duration_minutes if status == "attended" else None
                services.attendance_record(who, s.pk, a.patient_id, status, minutes)
