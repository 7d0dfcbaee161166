"""Recovery check-ins: links a person answers without signing in, check-ins by phone,
trends and abstinence days: reads."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

from waypoint.clinical import recovery as rules

from ..models import CheckIn, CheckInLink
from .events import use_history

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


def local_day(moment: dt.datetime, tz: dt.tzinfo) -> dt.date:
    return moment.astimezone(tz).date()


# --- abstinence from every source ---------------------------------------------------------
@dataclass(frozen=True)
class Abstinence:
    last_use_on: dt.date | None
    days_abstinent: int | None


def abstinence(organization_id: int, patient_id: int, tz: ZoneInfo, today: dt.date) -> Abstinence:
    """The last known use up to ``today`` and the days since it, from every source: the
    events part's ``use_history`` (recovery events, drug tests read as use, the day a
    check-in's "days since use" points to; check-in days in the site's zone ``tz``)."""
    history = use_history(organization_id, patient_id, tz=tz)
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
