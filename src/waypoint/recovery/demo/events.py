"""Demo data: recovery events through the real services (each with its lost-tolerance
decision, flag, outreach task and audit events): returns to use after a residential or
withdrawal-management discharge (flag and task), an overdose with naloxone used, a
release from incarceration followed by a return to use, a return to use of someone still
in care (a task, no flag), and attempts on some of the open tasks."""

from __future__ import annotations

import datetime as dt
import random

from waypoint.care.models import Episode, LevelOfCareStay
from waypoint.clinical.recovery import ABSTINENT_LEVELS
from waypoint.core.actor import Actor
from waypoint.core.models import Site, User
from waypoint.core.selectors import site_today

from ..models import OutreachTask
from ..services import events as services


def _staff(org_id: int, role: str) -> Actor | None:
    user = User.objects.filter(organization_id=org_id, username=f"demo_{role}").first()
    if user is None:
        return None
    return Actor(user=user, channel="cli", purpose="treatment")


def _latest_discharges(org_id: int, days: int) -> list[tuple[Episode, str]]:
    """Episodes discharged in the last ``days`` days (the person's latest), each with the
    level of its last stay."""
    out: list[tuple[Episode, str]] = []
    seen: set[int] = set()
    episodes = (
        Episode.objects.filter(organization_id=org_id)
        .select_related("patient", "patient__site", "site")
        .order_by("patient_id", "-admitted_on", "-id")
    )
    for ep in episodes:
        if ep.patient_id in seen:
            continue
        seen.add(ep.patient_id)
        if ep.discharged_on is None:
            continue
        if (site_today(ep.site) - ep.discharged_on).days > days:
            continue
        last = LevelOfCareStay.objects.filter(episode=ep).order_by("-started_on", "-id").first()
        out.append((ep, last.level if last else ""))
    return out


def load(actor: Actor, sites: list[Site], rng: random.Random) -> None:
    org_id = actor.organization_id
    nurse = _staff(org_id, "nurse") or actor
    counselor = _staff(org_id, "counselor") or actor
    discharges = _latest_discharges(org_id, 90)
    rng.shuffle(discharges)
    used: set[int] = set()

    def day_after(ep: Episode, most: int = 20) -> dt.date:
        today = site_today(ep.site)
        assert ep.discharged_on is not None
        span = max(0, min((today - ep.discharged_on).days, most))
        return ep.discharged_on + dt.timedelta(days=rng.randint(min(1, span), span))

    # Returns to use after a period without use (residential, withdrawal management).
    abstinent = [(ep, lvl) for ep, lvl in discharges if lvl in ABSTINENT_LEVELS]
    for ep, _level in abstinent[:3]:
        services.recovery_event_record(
            counselor,
            ep.patient_id,
            "return_to_use",
            day_after(ep),
            substances=rng.sample(["fentanyl", "heroin", "xylazine", "stimulants"], 2),
            note="Told us on the phone; used alone.",
        )
        used.add(ep.patient_id)
    # An overdose reversed with naloxone (by a friend), after any discharge.
    others = [(ep, lvl) for ep, lvl in discharges if ep.patient_id not in used]
    for ep, _level in others[:1]:
        on = day_after(ep, 10)
        services.recovery_event_record(
            nurse, ep.patient_id, "naloxone_used", on, note="Two sprays given by a friend."
        )
        services.recovery_event_record(
            nurse,
            ep.patient_id,
            "overdose",
            on,
            substances=["fentanyl"],
            note="Taken to the emergency department, released the same night.",
        )
        used.add(ep.patient_id)
    # A release from incarceration, then a return to use a few days later.
    jailed = [
        (ep, lvl)
        for ep, lvl in discharges
        if ep.patient_id not in used and ep.discharge_reason == "incarcerated"
    ] or [(ep, lvl) for ep, lvl in discharges if ep.patient_id not in used]
    for ep, _level in jailed[:1]:
        today = site_today(ep.site)
        release = max(ep.discharged_on or today, today - dt.timedelta(days=12))
        services.recovery_event_record(
            counselor, ep.patient_id, "release_from_incarceration", release
        )
        services.recovery_event_record(
            counselor,
            ep.patient_id,
            "return_to_use",
            min(today, release + dt.timedelta(days=rng.randint(1, 5))),
            substances=["heroin"],
        )
        used.add(ep.patient_id)
    # A return to use of someone in care (no period of lost tolerance: a task, no flag).
    in_care = (
        Episode.objects.filter(organization_id=org_id, discharged_on__isnull=True)
        .exclude(patient_id__in=used)
        .select_related("site")
        .order_by("id")
        .first()
    )
    if in_care is not None:
        services.recovery_event_record(
            nurse,
            in_care.patient_id,
            "return_to_use",
            site_today(in_care.site) - dt.timedelta(days=1),
            substances=["fentanyl"],
        )
    # Attempts on some of the open tasks (the others wait, some overdue by tomorrow).
    tasks = list(OutreachTask.objects.filter(organization_id=org_id, status="open").order_by("id"))
    for i, task in enumerate(tasks):
        if i % 3 == 0:
            services.outreach_attempt_record(counselor, task.pk, "no_answer", "Rang; no voicemail.")
        if i % 3 == 1:
            services.outreach_attempt_record(
                counselor, task.pk, "left_message", "Left a message with the call-back number."
            )
