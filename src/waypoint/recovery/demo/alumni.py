"""Demo data: alumni events at each demo site (three past, one to come) with attendance
by discharged demo patients, and their consent to be contacted (some yes, some no, some
who said yes and withdrew), through the real services. A random generator of its own, so
the rest of the demo is the same with or without this part."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from waypoint.care.models import Episode
from waypoint.core.actor import Actor
from waypoint.core.models import Site, User

from ..services import alumni as services

EVENTS = (  # days from today, kind, title
    (-56, "alumni_group", "Alumni group: staying connected"),
    (-28, "social", "Summer picnic"),
    (-7, "service", "Park clean-up"),
    (14, "mentoring", "Peer mentors meet new graduates"),
)


def load(actor: Actor, sites: list[Site], rng: random.Random) -> None:
    own = random.Random(1717)
    org_id = actor.organization_id
    counselor = User.objects.filter(organization_id=org_id, username="demo_counselor").first()
    who = Actor(user=counselor or actor.user, channel="cli", purpose="operations")
    for site in sites:
        today = timezone.now().astimezone(site.tz).date()
        alumni = sorted(
            set(
                Episode.objects.filter(
                    organization_id=org_id, site=site, discharged_on__isnull=False
                ).values_list("patient_id", flat=True)
            )
        )
        for days, kind, title in EVENTS:
            event = services.event_create(
                who, site.code, today + dt.timedelta(days=days), kind, title
            )
            if days >= 0:
                continue
            for pid in own.sample(alumni, min(len(alumni), own.randint(3, 8))):
                services.attendance_record(who, event.pk, pid)
        for i, pid in enumerate(alumni):
            if i % 3 == 0:
                services.contact_preference_record(
                    who, pid, True, own.choice([["text"], ["phone", "text"], ["email"], ["mail"]])
                )
            elif i % 3 == 1:
                services.contact_preference_record(who, pid, False, [])
            elif i % 6 == 2:  # said yes, then withdrew: not on an invitation list
                services.contact_preference_record(who, pid, True, ["phone"])
                services.contact_preference_record(who, pid, False, [])
