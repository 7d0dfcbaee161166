"""Demo data of the notes part, through the real services: a progress note for each
attended individual, CBT and family session of the last 30 days (DAP, or SOAP for every
fifth; some with the plan items they addressed), most signed, a few left as drafts (some
started more than 72 hours ago), and an intern counselor (``demo_intern``, supervised by
the demo counselor) whose signed note waits for co-signature.

The demo is loaded at one moment, so the services date every draft and signature "now";
the demo then dates each note's drafting and signing back to its session's day (signed a
few hours after it; every seventh a day and a half later, a late entry by the same rule,
``clinical.notes.late_entry``, and the organization's setting)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from waypoint.care.models import SessionAttendee, TreatmentPlan
from waypoint.clinical import notes as rule
from waypoint.core import services as core_services
from waypoint.core.actor import Actor
from waypoint.core.models import Site, User

from ..models import Note
from ..schemas.notes import NoteIn
from ..selectors.supervision import settings_of
from ..services import notes as services

DAYS = 30
MAX_NOTES = 150  # the demo stays fast (issue 16): at most this many session notes
DRAFTS = 6  # left unsigned; every other one started more than 72 hours ago
INTERN = ("demo_intern", "Jordan", "Park")

DATA = [
    "Arrived on time; reports {n} days without illicit opioid use. Discussed cravings "
    "after work and the plan for the weekend.",
    "Reports a stressful week with family; one lapse (fentanyl, smoked) on Saturday, "
    "disclosed without prompting. Attends dosing daily.",
    "Talked about returning to work and how to handle coworkers who use.",
]
ASSESSMENT = [
    "Engaged and motivated; insight improving. No safety concerns voiced.",
    "Ambivalent about tapering; coping skills emerging. Denies suicidal ideation.",
    "Progressing toward the plan's objectives; needs support with housing.",
]
PLAN = [
    "Continue weekly sessions; practise urge surfing; review the relapse-prevention plan.",
    "Refer to the housing case manager; next session in one week.",
    "Keep attending the recovery skills group; bring the craving log next time.",
]


def _fields(fmt: str, rng: random.Random) -> dict[str, str]:
    data = rng.choice(DATA).format(n=rng.randint(3, 60))
    if fmt == "soap":
        return {
            "subjective": data,
            "objective": "Alert, oriented, appropriately dressed; affect congruent.",
            "assessment": rng.choice(ASSESSMENT),
            "plan": rng.choice(PLAN),
        }
    return {"data": data, "assessment": rng.choice(ASSESSMENT), "plan": rng.choice(PLAN)}


def _plans(org_id: int, patient_ids: set[int]) -> dict[int, TreatmentPlan]:
    out: dict[int, TreatmentPlan] = {}
    for p in TreatmentPlan.objects.filter(
        organization_id=org_id, patient_id__in=patient_ids, superseded_at__isnull=True
    ).order_by("created_at", "id"):
        out[p.patient_id] = p  # the newest current version
    return out


def _intern(org_id: int, site: Site) -> User:
    username, first, last = INTERN
    user = User.objects.filter(username=username).first()
    if user is None:
        # the demo's password convention (waypoint.demo): the role's "<role>-demo-2026"
        user = core_services.user_create(
            username,
            "counselor",
            site,
            "counselor-demo-2026",
            first_name=first,
            last_name=last,
            check_password=False,
        )
    return user


def load(actor: Actor, sites: list[Site], rng: random.Random) -> None:
    org_id = actor.organization_id
    counselor = User.objects.get(organization_id=org_id, username="demo_counselor")
    who = Actor(user=counselor, channel="cli", purpose="treatment")
    now = timezone.now()
    late_hours = settings_of(org_id).late_entry_hours
    rows = list(
        SessionAttendee.objects.filter(
            organization_id=org_id,
            status="attended",
            session__kind__in=("individual", "cbt", "family"),
            session__starts_at__gte=now - dt.timedelta(days=DAYS),
            session__starts_at__lte=now - dt.timedelta(hours=2),
        )
        .filter(session__counselor=counselor)
        .select_related("session", "session__site")
        .order_by("session__starts_at", "id")
    )
    if len(rows) > MAX_NOTES:
        rows = sorted(rng.sample(rows, MAX_NOTES), key=lambda a: (a.session.starts_at, a.pk))
    plans = _plans(org_id, {a.patient_id for a in rows})
    # drafts: the last few sessions' notes (fresh), and a few of sessions more than four
    # days ago (started then, so more than 72 hours old: on the home panels)
    old = [i for i, a in enumerate(rows) if a.session.starts_at < now - dt.timedelta(days=4)]
    overdue = set(old[-(DRAFTS // 2) :]) if old else set()
    drafts = overdue | set(range(max(len(rows) - DRAFTS // 2, 0), len(rows)))
    for i, a in enumerate(rows):
        s = a.session
        fmt = "soap" if i % 5 == 4 else "dap"
        plan = plans.get(a.patient_id)
        items = rule.plan_items(plan.content) if plan and plan.episode_id == a.episode_id else []
        chosen = [k for k, _ in rng.sample(items, min(len(items), rng.choice([0, 1, 2])))]
        note = services.note_create(
            who,
            a.patient_id,
            NoteIn(
                note_type=s.kind,
                format=fmt,
                fields=_fields(fmt, rng),
                service_at=s.starts_at,
                duration_minutes=a.minutes or s.duration_minutes,
                modality=s.modality,
                place=s.site.name,
                session=s.pk,
                plan_items=chosen,
            ),
        )
        end = s.starts_at + dt.timedelta(minutes=note.duration_minutes)
        if i in drafts:
            started = end + dt.timedelta(hours=1) if i in overdue else min(end, now)
            Note.objects.filter(pk=note.pk).update(created_at=started)
            continue
        services.note_sign(who, note.pk)
        signed = end + dt.timedelta(hours=36 if i % 7 == 3 else rng.randint(1, 6))
        signed = min(signed, now)
        Note.objects.filter(pk=note.pk).update(
            created_at=end,
            signed_at=signed,
            late_entry=rule.late_entry(end, signed, late_hours),
        )
    _load_intern(actor, counselor, rows, sites, rng)


def _load_intern(
    actor: Actor,
    counselor: User,
    rows: list[SessionAttendee],
    sites: list[Site],
    rng: random.Random,
) -> None:
    """The intern (supervised by the demo counselor) and one signed note of theirs that
    waits for the counselor's co-signature."""
    intern = _intern(actor.organization_id, sites[0])
    services.supervision_set(actor, intern.pk, counselor.pk, "intern")
    if not rows:
        return
    a = rows[len(rows) // 2]
    who = Actor(user=intern, channel="cli", purpose="treatment")
    service_at = timezone.now() - dt.timedelta(hours=5)
    note = services.note_create(
        who,
        a.patient_id,
        NoteIn(
            note_type="case_management",
            format="narrative",
            fields={
                "narrative": "Phone call to arrange a ride to dosing for the next two weeks; "
                "gave the number of the Medicaid transport line. Patient agreed."
            },
            service_at=service_at,
            duration_minutes=15,
            modality="phone",
            place="",
            episode=a.episode_id,
        ),
    )
    services.note_sign(who, note.pk)
