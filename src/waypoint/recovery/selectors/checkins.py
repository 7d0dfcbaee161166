"""Recovery check-ins: links a person answers without signing in, check-ins by phone,
trends and abstinence days: reads."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.clinical import recovery as rules
from waypoint.labs.models import DrugTest
from waypoint.patients.selectors import patient_ref

from ..models import CheckIn, CheckInLink, RecoveryEvent

if TYPE_CHECKING:
    from waypoint.core.actor import Actor

TREND_COUNT = 12  # the chart's trend: the last 12 check-ins …
TREND_DAYS = 90  # … or those of the last 90 days, whichever are more


def token_hash(secret: str) -> str:
    """The SHA-256 of a link's secret (only this is kept)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def link_by_secret(secret: str, now: dt.datetime | None = None) -> CheckInLink | None:
    """The link ``secret`` opens, when it is known, not revoked and not expired at ``now``;
    else ``None`` (the three look the same to the person holding it)."""
    if not secret or len(secret) > 100:
        return None
    now = now or timezone.now()
    link = (
        CheckInLink.objects.select_related("organization", "patient")
        .filter(token_hash=token_hash(secret))
        .first()
    )
    if link is None or link.revoked_at is not None or link.expires_at <= now:
        return None
    return link


def check_ins_of(organization_id: int, patient_id: int):
    return CheckIn.objects.filter(
        organization_id=organization_id, patient_id=patient_id
    ).select_related("recorded_by")


def links_of(organization_id: int, patient_id: int):
    return CheckInLink.objects.filter(
        organization_id=organization_id, patient_id=patient_id
    ).select_related("created_by")


def link_state(link: CheckInLink, now: dt.datetime | None = None) -> str:
    """``active``, ``revoked`` or ``expired``."""
    now = now or timezone.now()
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at <= now:
        return "expired"
    return "active"


def check_ins_read(actor: Actor, patient_id: int, limit: int = 200) -> list[CheckIn]:
    """A person's check-ins, newest first (audited read; for the API's recovery summary
    and the check-in pages)."""
    actor.require("recovery.view")
    patient_ref(actor, patient_id)
    with transaction.atomic():
        rows = list(check_ins_of(actor.organization_id, patient_id)[:limit])
        audit.record(
            actor, "read", "check_in", "", patient_id=patient_id, detail={"count": len(rows)}
        )
    return rows


def local_day(moment: dt.datetime, tz: dt.tzinfo) -> dt.date:
    return moment.astimezone(tz).date()


# --- abstinence from every source ---------------------------------------------------------
@dataclass(frozen=True)
class UseHistory:
    uses: list[dt.date]  # days of use: returns to use, overdoses, positive tests, check-ins
    abstinent_on: list[dt.date]  # signs of no use: negative tests, check-ins without use


def use_history(organization_id: int, patient_id: int, tz: dt.tzinfo) -> UseHistory:
    """Days of use and signs of abstinence from recovery events (a return to use or an
    overdose), drug tests (a test read as use is a use; a test with results and no use a
    sign of abstinence) and check-ins (the day "days since use" points to is a use; a
    check-in with 1 or more days since use is a sign of abstinence on its day). Check-in
    days are the site-local day ``tz``."""
    uses: list[dt.date] = []
    signs: list[dt.date] = []
    for kind, on in RecoveryEvent.objects.filter(
        organization_id=organization_id, patient_id=patient_id
    ).values_list("kind", "on"):
        if kind in rules.USE_KINDS:
            uses.append(on)
    for day, has_use in (
        DrugTest.objects.filter(organization_id=organization_id, patient_id=patient_id)
        .filter(results__isnull=False)
        .distinct()
        .values_list("local_day", "has_use")
    ):
        (uses if has_use else signs).append(day)
    for at, days in CheckIn.objects.filter(
        organization_id=organization_id, patient_id=patient_id
    ).values_list("submitted_at", "days_since_use"):
        day = local_day(at, tz)
        used_on = rules.check_in_use_day(day, days)
        if used_on is not None:
            uses.append(used_on)
            if days:
                signs.append(day)
    return UseHistory(uses, signs)


@dataclass(frozen=True)
class Abstinence:
    last_use_on: dt.date | None
    days_abstinent: int | None


def abstinence(organization_id: int, patient_id: int, tz: dt.tzinfo, today: dt.date) -> Abstinence:
    """The last known use (from every source, up to ``today``) and the days since it."""
    history = use_history(organization_id, patient_id, tz)
    last = rules.last_use([d for d in history.uses if d <= today])
    return Abstinence(last, rules.days_abstinent(last, today))


# --- what the chart shows ---------------------------------------------------------------------
def trend_rows(check_ins: list[CheckIn], now: dt.datetime) -> list[CheckIn]:
    """The check-ins the trend shows, oldest first: the last TREND_COUNT, or every one of
    the last TREND_DAYS days when those are more. ``check_ins`` newest first."""
    since = now - dt.timedelta(days=TREND_DAYS)
    recent = [c for c in check_ins if c.submitted_at >= since]
    chosen = recent if len(recent) > TREND_COUNT else check_ins[:TREND_COUNT]
    return list(reversed(chosen))


def meetings_by_month(check_ins: list[CheckIn], tz: dt.tzinfo) -> list[tuple[str, int, int]]:
    """Mutual-help meetings reported in check-ins, per site-local month, newest first:
    ``(YYYY-MM, meetings, check-ins that answered)``. Each check-in counts the meetings of
    its past week, so overlapping check-ins may count a meeting twice: the figure is what
    the person reported, not a register."""
    meetings: Counter[str] = Counter()
    answered: Counter[str] = Counter()
    for c in check_ins:
        if c.meetings is None:
            continue
        month = local_day(c.submitted_at, tz).strftime("%Y-%m")
        meetings[month] += c.meetings
        answered[month] += 1
    return [(m, meetings[m], answered[m]) for m in sorted(meetings, reverse=True)]


def phq9_since(organization_id: int, patient_id: int, moment: dt.datetime) -> bool:
    """Whether a PHQ-9 was given at or after ``moment`` (a positive PHQ-2 answered)."""
    from waypoint.assessments.models import Assessment

    return Assessment.objects.filter(
        organization_id=organization_id,
        patient_id=patient_id,
        instrument="phq9",
        administered_at__gte=moment,
    ).exists()


def links_with_counts(organization_id: int, patient_id: int, now: dt.datetime) -> list[dict]:
    """A person's links, newest first, each with its state and how many check-ins came
    through it."""
    from django.db.models import Count

    rows = links_of(organization_id, patient_id).annotate(answered=Count("check_ins"))
    return [
        {"link": link, "state": link_state(link, now), "answered": link.answered} for link in rows
    ]
