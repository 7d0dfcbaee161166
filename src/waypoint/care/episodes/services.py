"""Every write of the continuum of care: admit, move between levels, discharge.

Each checks the role, validates the coded values, runs in one transaction with the
patient's or the episode's row locked, and writes its audit event in the same transaction.
"Today" is the episode's site's local calendar day. Two simultaneous admissions of one
patient cannot both succeed: the patient row is locked, and the partial unique index
``one_open_episode_per_patient`` is the last word (its violation becomes 409).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from waypoint.audit import services as audit
from waypoint.care.codes import REASON_LABELS, REFERRAL_LABELS, SUBSTANCE_LABELS
from waypoint.care.models import Episode, LevelOfCareStay
from waypoint.clinical.level_of_care import LEVEL_LABELS, LEVELS
from waypoint.core.errors import Conflict, DomainError
from waypoint.core.hooks import add_once
from waypoint.core.selectors import site_by_code, site_today
from waypoint.intake.services import inquiries_close_on_admission
from waypoint.patients.selectors import patient_for_update

from .selectors import episode_for_update, latest_recommendation, open_stay

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.core.models import Site

# Hooks other capabilities register from their AppConfig.ready(); each runs inside the
# transaction of the change, so it commits or rolls back with it.
# (actor, episode) after a discharge: the medication side stops the episode's orders.
DISCHARGE_HOOKS: list[Callable[[Actor, Episode], None]] = []
# (actor, episode, level, on) when a stay at a level begins (admission or transition):
# drug testing asks for an admission test when the level is an opioid treatment program.
LEVEL_ENTERED_HOOKS: list[Callable[[Actor, Episode, str, dt.date], None]] = []


def on_discharge(hook: Callable[[Actor, Episode], None]) -> None:
    """Have ``hook(actor, episode)`` called inside every discharge's transaction (from the
    listening app's ``AppConfig.ready()``; registering it again adds nothing)."""
    add_once(DISCHARGE_HOOKS, hook)


def on_level_entered(hook: Callable[[Actor, Episode, str, dt.date], None]) -> None:
    """Have ``hook(actor, episode, level, on)`` called inside the transaction of every
    admission and transition (from an ``AppConfig.ready()``; again adds nothing)."""
    add_once(LEVEL_ENTERED_HOOKS, hook)


def _level(level: str, field: str = "level_of_care") -> str:
    if level not in LEVELS:
        raise DomainError(
            "unknown_level_of_care",
            f"{field} must be one of {', '.join(LEVELS)} (got {str(level)[:40]!r}).",
            field=field,
        )
    return level


def _coded(value: str, names: dict[str, str], code: str, field: str) -> str:
    if value and value not in names:
        raise DomainError(
            code, f"{field} must be one of {', '.join(names)} (got {value[:40]!r}).", field=field
        )
    return value


def _not_future(on: dt.date, site: Site, field: str) -> None:
    today = site_today(site)
    if on > today:
        raise DomainError(
            "date_in_future",
            f"{field} {on.isoformat()} is after today ({today.isoformat()} at {site.code}).",
            field=field,
        )


def _on_or_after_current(on: dt.date, ep: Episode, stay: LevelOfCareStay, field: str) -> None:
    if on < ep.admitted_on:
        raise DomainError(
            "date_before_admission",
            f"{field} {on.isoformat()} is before the admission on {ep.admitted_on.isoformat()}.",
            field=field,
        )
    if on < stay.started_on:
        raise DomainError(
            "date_before_current_level",
            f"{field} {on.isoformat()} is before the current level of care began "
            f"({stay.started_on.isoformat()}).",
            field=field,
        )


def episode_admit(
    actor: Actor,
    patient_id: int,
    level_of_care: str,
    admitted_on: dt.date,
    *,
    site: str | None = None,
    referral_source: str = "",
    primary_substance: str = "",
    other_substances: Iterable[str] = (),
    level_reason: str = "",
    reason_required: bool = True,
) -> Episode:
    """Open an episode of care at a level. 409 ``episode_already_open`` when one is open.

    When the patient's latest level-of-care recommendation (the clinician's decision, else
    the rule's pending recommendation, made since their last discharge) names another
    level, the admission needs ``level_reason`` (10 characters or more), as an override of
    the recommendation does: 422 ``admission_level_reason_required``. The public API's
    admission (``reason_required=False``) keeps the contract's body (``{level_of_care,
    admitted_on}`` → 201): it records the reason when one is given and the level
    recommended either way, and never refuses for want of one. The admission closes
    the patient's open inquiries (walk-ins, calls) as admitted, in the same transaction."""
    actor.require("episode.manage")
    _level(level_of_care)
    _coded(referral_source, REFERRAL_LABELS, "unknown_referral_source", "referral_source")
    _coded(primary_substance, SUBSTANCE_LABELS, "unknown_substance", "primary_substance")
    others = list(dict.fromkeys(other_substances))
    for s in others:
        _coded(s, SUBSTANCE_LABELS, "unknown_substance", "other_substances")
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        where = site_by_code(actor.organization_id, site) if site else patient.site
        _not_future(admitted_on, where, "admitted_on")
        if admitted_on < patient.date_of_birth:
            raise DomainError(
                "date_before_birth", "admitted_on is before the date of birth.", field="admitted_on"
            )
        mine = Episode.objects.filter(organization_id=actor.organization_id, patient=patient)
        if mine.filter(discharged_on__isnull=True).exists():
            raise Conflict(
                "episode_already_open",
                "This patient already has an open episode of care: transition or discharge it.",
            )
        last = mine.filter(discharged_on__gt=admitted_on).order_by("-discharged_on").first()
        if last is not None and last.discharged_on is not None:  # the filter ensures a date
            raise DomainError(
                "overlaps_previous_episode",
                f"admitted_on is before the previous episode's discharge "
                f"({last.discharged_on.isoformat()}).",
                field="admitted_on",
            )
        recommended = latest_recommendation(actor.organization_id, patient)
        reason = level_reason.strip()
        if reason_required and recommended and recommended != level_of_care and len(reason) < 10:
            raise DomainError(
                "admission_level_reason_required",
                f"The latest level-of-care recommendation is "
                f"{LEVEL_LABELS[recommended].lower()}: to admit to "
                f"{LEVEL_LABELS[level_of_care].lower()}, give the clinical reason "
                "(10 characters or more).",
                field="level_reason",
                recommended=recommended,
            )
        if recommended == level_of_care:
            reason = ""
        try:
            with transaction.atomic():
                ep = Episode.objects.create(
                    organization_id=actor.organization_id,
                    patient=patient,
                    site=where,
                    admitted_on=admitted_on,
                    referral_source=referral_source,
                    primary_substance=primary_substance,
                    other_substances=[s for s in others if s != primary_substance],
                    recommended_level=recommended,
                    level_reason=reason,
                    admitted_by=actor.user,
                )
        except IntegrityError as exc:
            raise Conflict(
                "episode_already_open", "This patient already has an open episode of care."
            ) from exc
        LevelOfCareStay.objects.create(
            organization_id=actor.organization_id,
            episode=ep,
            level=level_of_care,
            started_on=admitted_on,
            started_by=actor.user,
        )
        audit.record(
            actor,
            "create",
            "episode",
            ep.pk,
            patient_id=patient.pk,
            detail={
                "level_of_care": level_of_care,
                "admitted_on": admitted_on.isoformat(),
                "site": where.code,
                "recommended": recommended,
                "level_reason": reason,
            },
        )
        ep.closed_inquiries = inquiries_close_on_admission(
            actor, patient.pk, LEVEL_LABELS[level_of_care], admitted_on
        )
        for hook in LEVEL_ENTERED_HOOKS:
            hook(actor, ep, level_of_care, admitted_on)
    return ep


def episode_transition(actor: Actor, episode_id: int, to: str, on: dt.date) -> LevelOfCareStay:
    """Move an open episode to another level on a date: the current stay ends that day and
    the new one starts it."""
    actor.require("episode.manage")
    _level(to, "to")
    with transaction.atomic():
        ep = episode_for_update(actor, episode_id)
        if ep.discharged_on is not None:  # not ep.is_open
            raise Conflict(
                "episode_discharged",
                f"This episode was discharged on {ep.discharged_on.isoformat()}.",
            )
        stay = open_stay(ep)
        if stay.level == to:
            raise Conflict(
                "same_level_of_care", f"The patient is already in {LEVEL_LABELS[to].lower()}."
            )
        _not_future(on, ep.site, "on")
        _on_or_after_current(on, ep, stay, "on")
        stay.ended_on = on
        stay.save(update_fields=["ended_on"])
        new = LevelOfCareStay.objects.create(
            organization_id=actor.organization_id,
            episode=ep,
            level=to,
            started_on=on,
            started_by=actor.user,
        )
        audit.record(
            actor,
            "update",
            "episode",
            ep.pk,
            patient_id=ep.patient_id,
            detail={"transition": {"from": stay.level, "to": to, "on": on.isoformat()}},
        )
        for hook in LEVEL_ENTERED_HOOKS:
            hook(actor, ep, to, on)
    return new


def episode_discharge(actor: Actor, episode_id: int, on: dt.date, reason: str) -> Episode:
    """Discharge with a TEDS reason; the current stay ends that day. The hooks run in the
    same transaction (the medication side stops the person's open orders, naloxone kits
    excepted, with the discharge reason)."""
    actor.require("episode.manage")
    if reason not in REASON_LABELS:
        raise DomainError(
            "unknown_discharge_reason",
            f"reason must be one of {', '.join(REASON_LABELS)} (got {str(reason)[:40]!r}).",
            field="reason",
        )
    with transaction.atomic():
        ep = episode_for_update(actor, episode_id)
        if ep.discharged_on is not None:  # not ep.is_open
            raise Conflict(
                "episode_discharged",
                f"This episode was already discharged on {ep.discharged_on.isoformat()}.",
            )
        stay = open_stay(ep)
        _not_future(on, ep.site, "on")
        _on_or_after_current(on, ep, stay, "on")
        stay.ended_on = on
        stay.save(update_fields=["ended_on"])
        ep.discharged_on, ep.discharge_reason, ep.discharged_by = on, reason, actor.user
        ep.save(update_fields=["discharged_on", "discharge_reason", "discharged_by"])
        audit.record(
            actor,
            "update",
            "episode",
            ep.pk,
            patient_id=ep.patient_id,
            detail={"discharge": {"on": on.isoformat(), "reason": reason, "from": stay.level}},
        )
        for hook in DISCHARGE_HOOKS:
            hook(actor, ep)
    return ep
