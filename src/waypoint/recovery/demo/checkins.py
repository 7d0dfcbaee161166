"""Demo data: Recovery check-ins: links a person answers without signing in, check-ins by
phone, trends and abstinence days.

About ten people discharged or in outpatient care answer a check-in every week or so for
six to ten weeks, through the real services (each with its audit event and the tasks it
opens): craving falling for most, one whose PHQ-2 turns positive, one who asks for help in
the latest check-in (an open outreach task). Most answered by link, some by phone. The
service stamps a check-in with the time it is written; the demo then moves each one back to
the day it stands for (the audit trail keeps the real time of writing). A few links are
left: active ones, one revoked."""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Q
from django.utils import timezone

from waypoint.care.models import Episode
from waypoint.core.actor import Actor
from waypoint.core.models import Site, User

from ..models import CheckIn, CheckInLink
from ..services import checkins as services

PEOPLE = 10


def _actor(org_id: int, role: str) -> Actor | None:
    user = (
        User.objects.filter(organization_id=org_id, role=role, is_active=True)
        .order_by("pk")
        .first()
    )
    return Actor(user=user, client_address="127.0.0.1") if user is not None else None


def _people(org_id: int, site_ids: list[int], count: int) -> list[int]:
    """Patients discharged, or now in outpatient care, at the demo's sites (a stable
    order)."""
    rows = (
        Episode.objects.filter(organization_id=org_id, site_id__in=site_ids)
        .filter(
            Q(discharged_on__isnull=False)
            | Q(stays__level__in=("outpatient", "intensive_outpatient"), stays__ended_on=None)
        )
        .order_by("patient_id")
        .values_list("patient_id", flat=True)
        .distinct()
    )
    return list(rows[:count])


def load(actor: Actor, sites: list[Site], rng: random.Random) -> None:
    org = actor.organization_id
    staff = _actor(org, "counselor") or _actor(org, "nurse")
    if staff is None or not sites:
        return
    people = _people(org, [s.pk for s in sites], PEOPLE)
    now = timezone.now()
    for i, patient_id in enumerate(people):
        low_mood = i == 1  # PHQ-2 turns positive
        asks_help = i == 2  # asks for help in the latest check-in
        weeks = rng.randint(6, 10)
        start_craving = rng.randint(6, 9)
        days_clean = rng.randint(5, 30)
        link, secret = services.link_create(staff, patient_id, 90)
        for week in range(weeks):
            latest = week == weeks - 1
            back = dt.timedelta(days=7 * (weeks - 1 - week), hours=rng.randint(0, 30))
            if latest:
                back = dt.timedelta(hours=rng.randint(2, 20))
            craving = max(0, start_craving - week + rng.randint(-1, 1))
            if asks_help and latest:
                craving = 9
            q1, q2 = rng.randint(0, 1), rng.randint(0, 1)
            if low_mood and latest:
                q1, q2 = 2, rng.randint(1, 2)  # positive: a PHQ-9 is suggested
            answers: dict[str, object] = {
                "craving": min(craving, 10),
                "days_since_use": days_clean + 7 * week if not asks_help else None,
                "meetings": rng.randint(0, 5) if rng.random() < 0.8 else None,
                "phq2_q1": q1,
                "phq2_q2": q2,
                "need_help": asks_help and latest,
            }
            if asks_help and latest:
                answers["days_since_use"] = 1  # used yesterday
            by_link = rng.random() < 0.7 or latest
            if by_link:
                check_in = services.check_in_submit(secret, "127.0.0.1", answers)
            else:
                check_in = services.check_in_record(staff, patient_id, answers)
            CheckIn.objects.filter(pk=check_in.pk).update(submitted_at=now - back)
        if i % 4 == 3:  # a link the clinic replaced
            services.link_revoke(staff, link.pk)
    # an older link that expired without an answer
    if people:
        old, _secret = services.link_create(staff, people[0], 14)
        CheckInLink.objects.filter(pk=old.pk).update(
            created_at=now - dt.timedelta(days=60), expires_at=now - dt.timedelta(days=46)
        )
