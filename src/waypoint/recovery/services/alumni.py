"""Alumni events and attendance, contact preferences: writes.

Who may attend: a **former patient**, someone with at least one discharged episode of care
in the organization. A person back in care after a discharge is still an alumnus and may
attend; someone never discharged (in care for the first time, or never admitted) is
refused (409 ``not_alumnus``): alumni events are for people who have finished a stay.

Consent to be contacted about alumni events is a contact preference, not a Part 2
consent: an invitation from the program to the person is no disclosure to anyone else
(42 CFR 2.11: a disclosure is to a third party). It is still recorded by staff with who
and when, a withdrawal is a new row (the newest row is in force), and only people whose
newest row says yes appear on an invitation list (``selectors.alumni.invite_list``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.care.models import Episode
from waypoint.core.errors import Conflict, DomainError
from waypoint.core.selectors import locked_in_org, site_by_code
from waypoint.patients.selectors import patient_ref

from ..models import (
    ALUMNI_EVENT_KINDS,
    AlumniAttendance,
    AlumniContactPreference,
    AlumniEvent,
)

if TYPE_CHECKING:
    from waypoint.core.actor import Actor

KIND_LABELS = dict(ALUMNI_EVENT_KINDS)
CHANNELS = ("phone", "text", "email", "mail")
CHANNEL_LABELS = {"phone": "Phone call", "text": "Text message", "email": "Email", "mail": "Mail"}
TITLE_MAX = 200
# How far an event's date may be from today (a typing error, not a rule).
EVENT_DATE_RANGE = dt.timedelta(days=3 * 366)


def event_create(
    actor: Actor, site_code: str, on: dt.date, kind: str, title: str = ""
) -> AlumniEvent:
    """An alumni event at a site. 422 ``unknown_alumni_event_kind``, ``unknown_site``,
    ``invalid_input`` (a title over 200 characters), ``invalid_date`` (more than three
    years from today)."""
    actor.require("alumni.manage")
    if kind not in KIND_LABELS:
        raise DomainError(
            "unknown_alumni_event_kind",
            f"kind must be one of {', '.join(KIND_LABELS)} (got {kind[:20]!r}).",
            field="kind",
        )
    title = title.strip()
    if "\x00" in title:
        raise DomainError(
            "invalid_input", "The title has a character it cannot hold.", field="title"
        )
    if "\x00" in site_code:
        raise DomainError("unknown_site", "Choose a site.", field="site")
    if len(title) > TITLE_MAX:
        raise DomainError(
            "invalid_input", f"The title has at most {TITLE_MAX} characters.", field="title"
        )
    site = site_by_code(actor.organization_id, site_code)
    if abs(on - timezone.now().astimezone(site.tz).date()) > EVENT_DATE_RANGE:
        raise DomainError(
            "invalid_date", "The event's date is more than three years away.", field="on"
        )
    with transaction.atomic():
        event = AlumniEvent.objects.create(
            organization_id=actor.organization_id,
            site=site,
            on=on,
            kind=kind,
            title=title,
            created_by=actor.user,
            created_at=timezone.now(),
        )
        audit.record(
            actor,
            "create",
            "alumni_event",
            event.pk,
            detail={"site": site.code, "on": on.isoformat(), "kind": kind},
        )
    return event


def is_alumnus(organization_id: int, patient_id: int) -> bool:
    """Whether the person has at least one discharged episode of care in the organization."""
    return Episode.objects.filter(
        organization_id=organization_id, patient_id=patient_id, discharged_on__isnull=False
    ).exists()


def attendance_record(actor: Actor, event_id: int, patient_id: int) -> AlumniAttendance:
    """A former patient attended an alumni event. 404 another organization's event or
    patient; 409 ``not_alumnus`` (never discharged), ``already_attended``."""
    actor.require("alumni.manage")
    with transaction.atomic():
        event = locked_in_org(AlumniEvent, event_id, actor.organization_id, "alumni event")
        patient = patient_ref(actor, patient_id)
        if not is_alumnus(actor.organization_id, patient.pk):
            raise Conflict(
                "not_alumnus",
                f"{patient.first_name} {patient.last_name} has never been discharged: "
                "alumni events are for former patients.",
                field="patient",
            )
        if AlumniAttendance.objects.filter(
            organization_id=actor.organization_id, event=event, patient=patient
        ).exists():
            raise Conflict(
                "already_attended",
                f"{patient.first_name} {patient.last_name} is already recorded at this event.",
                field="patient",
            )
        try:
            with transaction.atomic():
                row = AlumniAttendance.objects.create(
                    organization_id=actor.organization_id,
                    event=event,
                    patient=patient,
                    recorded_by=actor.user,
                    recorded_at=timezone.now(),
                )
        except IntegrityError as exc:  # a simultaneous second recording
            raise Conflict(
                "already_attended", "Already recorded at this event.", field="patient"
            ) from exc
        audit.record(
            actor,
            "create",
            "alumni_attendance",
            row.pk,
            patient_id=patient.pk,
            detail={"event": event.pk, "on": event.on.isoformat(), "kind": event.kind},
        )
    return row


def contact_preference_record(
    actor: Actor, patient_id: int, may_contact: bool, channels: list[str]
) -> AlumniContactPreference:
    """Record whether a person agrees to be contacted about alumni events, and how (the
    newest row is in force). 404 another organization's patient; 422
    ``unknown_channel``, ``channels_required`` (yes without a channel),
    ``channels_not_allowed`` (no with channels); 409 ``not_alumnus``."""
    actor.require("alumni.manage")
    chosen = list(dict.fromkeys(channels))
    bad = [c for c in chosen if c not in CHANNELS]
    if bad:
        raise DomainError(
            "unknown_channel",
            f"channels must be among {', '.join(CHANNELS)} (got {bad[0][:20]!r}).",
            field="channels",
        )
    if may_contact and not chosen:
        raise DomainError(
            "channels_required", "Choose how the person agrees to be contacted.", field="channels"
        )
    if not may_contact and chosen:
        raise DomainError(
            "channels_not_allowed",
            "A person who does not want to be contacted has no contact channels.",
            field="channels",
        )
    with transaction.atomic():
        patient = patient_ref(actor, patient_id)
        if not is_alumnus(actor.organization_id, patient.pk):
            raise Conflict(
                "not_alumnus",
                f"{patient.first_name} {patient.last_name} has never been discharged.",
                field="patient",
            )
        row = AlumniContactPreference.objects.create(
            organization_id=actor.organization_id,
            patient=patient,
            may_contact=may_contact,
            channels=[c for c in CHANNELS if c in chosen],
            recorded_by=actor.user,
            recorded_at=timezone.now(),
        )
        audit.record(
            actor,
            "create",
            "alumni_contact_preference",
            row.pk,
            patient_id=patient.pk,
            detail={"may_contact": may_contact, "channels": row.channels},
        )
    return row
