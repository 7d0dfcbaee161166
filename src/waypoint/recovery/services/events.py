"""Recovery events (returns to use, overdoses, releases, hospital discharges), the lost-
tolerance flag, outreach tasks and the outreach board, the way back in: writes.

``recovery_event_record`` runs in one transaction with the patient row locked: it gathers
the person's history (``selectors.events.use_history``), asks ``clinical.recovery.
lost_tolerance``, stores the event with the decision, raises the ``overdose_risk`` banner
flag when tolerance is lost, and opens an outreach task for every return to use and every
overdose (the contract: "A return to use or an overdose raises the flag when it follows a
period of lost tolerance … and opens an outreach task": the task does not wait for lost
tolerance), each with its audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from waypoint.assessments.services import flag_raise
from waypoint.audit import services as audit
from waypoint.clinical import recovery as rules
from waypoint.core.errors import Conflict, DomainError
from waypoint.core.selectors import locked_in_org, site_today
from waypoint.patients.selectors import patient_for_update

from ..models import (
    OUTREACH_CLOSE_REASONS,
    OUTREACH_OUTCOMES,
    RECOVERY_EVENT_KINDS,
    OutreachAttempt,
    OutreachTask,
    RecoveryEvent,
    RecoverySettings,
)
from ..selectors.events import abstinence_days, use_history
from .outreach import task_open

if TYPE_CHECKING:
    from waypoint.core.actor import Actor

NOTE_MAX = 1000
KIND_WORDS = dict(RECOVERY_EVENT_KINDS)


def _checked_substances(substances: Iterable[str] | None) -> list[str]:
    out: list[str] = []
    for s in substances or ():
        if s not in rules.SUBSTANCES:
            raise DomainError(
                "unknown_substance",
                f"unknown substance {str(s)[:40]!r}: one of {', '.join(rules.SUBSTANCES)}.",
                field="substances",
            )
        if s not in out:
            out.append(s)
    return out


def recovery_event_record(
    actor: Actor,
    patient_id: int,
    kind: str,
    on: dt.date,
    *,
    substances: Iterable[str] | None = None,
    note: str = "",
) -> RecoveryEvent:
    """Record a return to use, an overdose, naloxone used by or on the person, a release
    from incarceration or a hospital discharge on ``on`` (the site-local day). A return to
    use or an overdose is decided against the person's history: after a period of lost
    tolerance it raises the ``overdose_risk`` flag (``event.raised_flag``); it always opens
    an outreach task due 24 h (overdose) or 72 h (return to use) from now
    (``event.outreach_task``). 422 ``unknown_event_kind``, ``unknown_substance``,
    ``date_in_future``, ``date_before_birth``, ``invalid_input`` (a note over 1000
    characters); 404 for another organization's patient."""
    actor.require("recovery.record")
    if kind not in KIND_WORDS:
        raise DomainError(
            "unknown_event_kind",
            f"unknown event kind {str(kind)[:40]!r}: one of {', '.join(KIND_WORDS)}.",
            field="kind",
        )
    clean = _checked_substances(substances)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(
            "invalid_input", f"The note is at most {NOTE_MAX} characters.", field="note"
        )
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        today = site_today(patient.site)
        if on > today:
            raise DomainError(
                "date_in_future",
                f"{on:%Y-%m-%d} is after today ({today:%Y-%m-%d}) at the person's site.",
                field="on",
            )
        if on < patient.date_of_birth:
            raise DomainError(
                "date_before_birth", "The date is before the date of birth.", field="on"
            )
        history = use_history(actor.organization_id, patient.pk, tz=patient.site.tz)
        decision = rules.lost_tolerance(
            kind,
            on,
            uses=history.uses,
            abstinent_on=history.abstinent_on,
            period_ends=history.period_ends,
            abstinence_days=abstinence_days(actor.organization_id),
        )
        event = RecoveryEvent.objects.create(
            organization_id=actor.organization_id,
            patient=patient,
            kind=kind,
            on=on,
            substances=clean,
            note=note,
            lost_tolerance=decision.lost,
            lost_tolerance_reason=decision.reason[:300],
            recorded_by=actor.user,
            recorded_at=timezone.now(),
        )
        audit.record(
            actor,
            "create",
            "recovery_event",
            event.pk,
            patient_id=patient.pk,
            detail={
                "kind": kind,
                "on": on.isoformat(),
                "substances": clean,
                "lost_tolerance": decision.lost,
            },
        )
        event.raised_flag = None  # type: ignore[attr-defined]
        event.outreach_task = None  # type: ignore[attr-defined]
        if decision.lost:
            event.raised_flag = flag_raise(  # type: ignore[attr-defined]
                actor,
                patient,
                "overdose_risk",
                f"Lost tolerance: {decision.reason}. Offer naloxone; re-engage quickly.",
                event,
            )
        if kind in rules.USE_KINDS:
            words = "Overdose" if kind == "overdose" else "Return to use"
            detail = f"{words} on {on:%Y-%m-%d}"
            if decision.lost:
                detail += " after a period of lost tolerance"
            event.outreach_task = task_open(  # type: ignore[attr-defined]
                actor,
                patient,
                kind,
                rules.outreach_due(kind),
                detail=detail + ".",
                source=event,
            )
    return event


def _task_locked(actor: Actor, task_id: int) -> OutreachTask:
    task = locked_in_org(OutreachTask, task_id, actor.organization_id, "outreach task")
    if task.status != "open":
        raise Conflict("task_closed", "This outreach task is already closed.")
    return task


def _close(actor: Actor, task: OutreachTask, reason: str) -> None:
    task.status = "closed"
    task.closed_at = timezone.now()
    task.closed_by = actor.user
    task.close_reason = reason
    task.save(update_fields=["status", "closed_at", "closed_by", "close_reason"])
    audit.record(
        actor,
        "update",
        "outreach_task",
        task.pk,
        patient_id=task.patient_id,
        detail={"closed": True, "close_reason": reason},
    )


def _check_close_reason(reason: str) -> None:
    if reason not in dict(OUTREACH_CLOSE_REASONS):
        raise DomainError(
            "unknown_close_reason",
            f"unknown close reason {str(reason)[:40]!r}: one of "
            f"{', '.join(dict(OUTREACH_CLOSE_REASONS))}.",
            field="close_reason",
        )


def outreach_attempt_record(
    actor: Actor,
    task_id: int,
    outcome: str,
    note: str = "",
    *,
    close_reason: str | None = None,
) -> OutreachAttempt:
    """Record one attempt to reach the person of an open task (reached, left a message, no
    answer, wrong number); with ``close_reason`` the task is closed by the same
    submission. 422 ``unknown_outcome``, ``unknown_close_reason``, ``invalid_input`` (a
    note over 1000 characters); 409 ``task_closed``; 404 for another organization's
    task."""
    actor.require("outreach.work")
    if outcome not in dict(OUTREACH_OUTCOMES):
        raise DomainError(
            "unknown_outcome",
            f"unknown outcome {str(outcome)[:40]!r}: one of {', '.join(dict(OUTREACH_OUTCOMES))}.",
            field="outcome",
        )
    if close_reason is not None:
        _check_close_reason(close_reason)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(
            "invalid_input", f"The note is at most {NOTE_MAX} characters.", field="note"
        )
    with transaction.atomic():
        task = _task_locked(actor, task_id)
        attempt = OutreachAttempt.objects.create(
            organization_id=actor.organization_id,
            task=task,
            outcome=outcome,
            note=note,
            at=timezone.now(),
            by=actor.user,
        )
        audit.record(
            actor,
            "create",
            "outreach_attempt",
            attempt.pk,
            patient_id=task.patient_id,
            detail={"task": task.pk, "outcome": outcome},
        )
        if close_reason is not None:
            _close(actor, task, close_reason)
        attempt.task = task
    return attempt


def outreach_task_close(actor: Actor, task_id: int, reason: str) -> OutreachTask:
    """Close an open outreach task with a reason (``models.OUTREACH_CLOSE_REASONS``). 422
    ``unknown_close_reason``; 409 ``task_closed``; 404 for another organization's task."""
    actor.require("outreach.work")
    _check_close_reason(reason)
    with transaction.atomic():
        task = _task_locked(actor, task_id)
        _close(actor, task, reason)
    return task


def recovery_settings_update(actor: Actor, abstinence_days: int) -> RecoverySettings:
    """Set how many days of abstinence shown by tests or check-ins make a later return to
    use or overdose one after lost tolerance (``clinical.recovery.lost_tolerance``), 1 to
    90. 422 ``invalid_input`` out of range, nothing written."""
    actor.require("recovery.settings")
    lo, hi = rules.ABSTINENCE_DAYS_MIN, rules.ABSTINENCE_DAYS_MAX
    if (
        isinstance(abstinence_days, bool)
        or not isinstance(abstinence_days, int)
        or not lo <= abstinence_days <= hi
    ):
        raise DomainError(
            "invalid_input",
            f"The days of abstinence are a whole number from {lo} to {hi}.",
            field="abstinence_days",
        )
    with transaction.atomic():
        row, _ = RecoverySettings.objects.select_for_update().get_or_create(
            organization_id=actor.organization_id
        )
        previous = row.abstinence_days
        row.abstinence_days = abstinence_days
        row.save()
        audit.record(
            actor,
            "update",
            "recovery_settings",
            row.pk,
            detail={"abstinence_days": abstinence_days, "previous": previous},
        )
    return row
