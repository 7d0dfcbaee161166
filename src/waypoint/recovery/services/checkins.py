"""Recovery check-ins: links a person answers without signing in, check-ins by phone,
trends and abstinence days: writes.

A link's secret is ``secrets.token_urlsafe(32)`` (256 bits); only its SHA-256 is kept. A
link is a standing capability until it expires or is revoked, so what it can do is
bounded: at most ``LINK_CHECKINS_PER_DAY`` check-ins in any 24 hours (429
``rate_limited``, nothing written), checked under a lock of the link's row so parallel
submits cannot pass it together."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.clinical import checkins as rules
from waypoint.clinical import recovery as recovery_rules
from waypoint.core.errors import DomainError, NotFound
from waypoint.core.services import public_actor
from waypoint.patients.selectors import patient_ref

from ..models import CheckIn, CheckInLink, OutreachTask
from ..selectors.checkins import link_by_secret, token_hash
from ..selectors.outreach import care_site
from .outreach import task_open

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.patients.models import Patient

DEFAULT_LINK_DAYS = 14
LINK_DAYS_MIN, LINK_DAYS_MAX = 1, 90
LINK_CHECKINS_PER_DAY = 4
CHECK_IN_PATH = "/check-in/{secret}/"


def link_create(
    actor: Actor, patient_id: int, expires_in_days: int | None = None
) -> tuple[CheckInLink, str]:
    """Make a check-in link for a person; returns the link and its secret (shown once:
    only its hash is kept). Expires in ``expires_in_days`` (default 14, 1 to 90)."""
    actor.require("checkin.manage")
    patient = patient_ref(actor, patient_id)
    days = DEFAULT_LINK_DAYS if expires_in_days is None else expires_in_days
    if (
        isinstance(days, bool)
        or not isinstance(days, int)
        or not (LINK_DAYS_MIN <= days <= LINK_DAYS_MAX)
    ):
        raise DomainError(
            "invalid_input",
            f"A link lasts from {LINK_DAYS_MIN} to {LINK_DAYS_MAX} days.",
            field="expires_in_days",
        )
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        link = CheckInLink.objects.create(
            organization_id=actor.organization_id,
            patient=patient,
            token_hash=token_hash(secret),
            created_by=actor.user,
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
        audit.record(
            actor,
            "create",
            "check_in_link",
            link.pk,
            patient_id=patient.pk,
            detail={"expires_at": link.expires_at.isoformat()},
        )
    return link, secret


def link_revoke(actor: Actor, link_id: int) -> CheckInLink:
    """Revoke a link (it answers 404 from now on); revoking a revoked link changes
    nothing."""
    actor.require("checkin.manage")
    with transaction.atomic():
        link = (
            CheckInLink.objects.select_for_update()
            .filter(pk=link_id, organization_id=actor.organization_id)
            .first()
        )
        if link is None:
            raise NotFound("check-in link")
        if link.revoked_at is None:
            link.revoked_at = timezone.now()
            link.save(update_fields=["revoked_at"])
            audit.record(
                actor,
                "update",
                "check_in_link",
                link.pk,
                patient_id=link.patient_id,
                detail={"revoked": True},
            )
    return link


def _answers(values: dict[str, object]) -> rules.Answers:
    found = rules.problems(values)
    if found:
        field, sentence = next(iter(found.items()))
        raise DomainError("invalid_input", sentence, field=field, errors=found)
    return rules.Answers(
        craving=values["craving"],  # type: ignore[arg-type]
        days_since_use=values.get("days_since_use"),  # type: ignore[arg-type]
        meetings=values.get("meetings"),  # type: ignore[arg-type]
        phq2_q1=values["phq2_q1"],  # type: ignore[arg-type]
        phq2_q2=values["phq2_q2"],  # type: ignore[arg-type]
        need_help=bool(values["need_help"]),
    )


def _open_task(patient: Patient, reason: str) -> bool:
    """Whether the person already has an open outreach task for ``reason`` (a positive
    PHQ-2 answered again before anyone called opens no second task)."""
    return OutreachTask.objects.filter(
        organization_id=patient.organization_id, patient=patient, reason=reason, status="open"
    ).exists()


def _record(
    actor: Actor,
    patient: Patient,
    answers: rules.Answers,
    *,
    link: CheckInLink | None,
    site=None,
) -> CheckIn:
    """Write a check-in with its audit event and the outreach tasks it opens (in the
    caller's transaction)."""
    score = recovery_rules.phq2(answers.phq2_q1, answers.phq2_q2)
    by_link = link is not None
    check_in = CheckIn.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        source="link" if by_link else "phone",
        link=link,
        craving=answers.craving,
        days_since_use=answers.days_since_use,
        meetings=answers.meetings,
        phq2_q1=answers.phq2_q1,
        phq2_q2=answers.phq2_q2,
        phq2_total=score.total,
        need_help=answers.need_help,
        submitted_at=timezone.now(),
        recorded_by=None if by_link else actor.user,
    )
    audit.record(
        actor,
        "create",
        "check_in",
        check_in.pk,
        patient_id=patient.pk,
        detail={
            "source": check_in.source,
            "phq2_total": score.total,
            "need_help": answers.need_help,
        },
    )
    if answers.need_help:
        task_open(
            actor,
            patient,
            "need_help",
            recovery_rules.outreach_due("need_help"),
            detail="Asked for help now in a check-in"
            + (" (by link)" if by_link else " (by phone)"),
            source=check_in,
            site=site,
        )
    follow_up = rules.phq2_follow_up(score.positive, answers.need_help, by_link)
    if follow_up is not None and not _open_task(patient, "check_in_phq2"):
        task_open(
            actor,
            patient,
            "check_in_phq2",
            follow_up,
            detail=f"PHQ-2 {score.total} of 6 in a check-in by link: call and give a PHQ-9",
            source=check_in,
            site=site,
        )
    return check_in


def check_in_record(actor: Actor, patient_id: int, values: dict[str, object]) -> CheckIn:
    """A check-in taken by phone by a staff member (``checkin.manage``): 422
    ``invalid_input`` for an answer out of range, nothing written."""
    actor.require("checkin.manage")
    patient = patient_ref(actor, patient_id)
    answers = _answers(values)
    with transaction.atomic():
        return _record(actor, patient, answers, link=None)


def check_in_submit(secret: str, client_address: str, values: dict[str, object]) -> CheckIn:
    """A check-in answered by the person at their link (no sign-in): written as the
    organization's public account (``core.services.public_actor``). 404 for an unknown,
    revoked or expired link; 422 ``invalid_input``; 429 ``rate_limited`` past
    ``LINK_CHECKINS_PER_DAY`` in 24 hours. Nothing is written on a refusal."""
    link = link_by_secret(secret)
    if link is None:
        raise NotFound("check-in link")
    answers = _answers(values)
    with transaction.atomic():
        link = CheckInLink.objects.select_for_update().select_related("patient").get(pk=link.pk)
        now = timezone.now()
        if link.revoked_at is not None or link.expires_at <= now:
            raise NotFound("check-in link")
        recent = CheckIn.objects.filter(
            link=link, submitted_at__gt=now - dt.timedelta(hours=24)
        ).count()
        if recent >= LINK_CHECKINS_PER_DAY:
            raise DomainError(
                "rate_limited",
                "This link has already been answered several times today. Please try "
                "again tomorrow, or call your clinic.",
                429,
            )
        actor = public_actor(link.organization_id, client_address)
        # the person was never admitted: the task goes to the site of whoever made the link
        site = care_site(link.organization_id, link.patient_id) or link.created_by.site
        return _record(actor, link.patient, answers, link=link, site=site)
