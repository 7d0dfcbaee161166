"""Writes of the front door: record a call or walk-in, move it along, make it a patient."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.core.errors import Conflict, DomainError
from waypoint.core.selectors import locked_in_org, site_by_code
from waypoint.patients import services as patient_services
from waypoint.patients.schemas import PatientIn
from waypoint.patients.selectors import patient_ref

from .models import OPEN_STATUSES, Inquiry, InquiryStatusChange
from .schemas import InquiryIn, LinkPatientIn, MakePatientIn, StatusIn
from .workflow import can_move

if TYPE_CHECKING:
    from waypoint.core.actor import Actor


def _check_time(value: dt.datetime | None, what: str) -> dt.datetime | None:
    if value is None:
        return None
    if timezone.is_naive(value):
        raise DomainError("invalid_time", f"{what} needs a time zone offset.")
    if value > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError("time_in_future", f"{what} cannot be in the future.")
    return value


def inquiry_create(actor: Actor, data: InquiryIn) -> Inquiry:
    actor.require("inquiry.manage")
    now = timezone.now()
    with transaction.atomic():
        site = site_by_code(actor.organization_id, data.site)
        inq = Inquiry.objects.create(
            organization_id=actor.organization_id,
            site=site,
            channel=data.channel,
            name=data.name,
            is_alias=data.is_alias,
            first_name=data.first_name,
            last_name=data.last_name,
            date_of_birth=data.date_of_birth,
            phone=data.phone,
            ok_to_call=data.ok_to_call,
            ok_to_text=data.ok_to_text,
            referral_source=data.referral_source,
            referral_detail=data.referral_detail,
            substances=sorted(set(data.substances)),
            last_use_at=_check_time(data.last_use_at, "The last use"),
            route=data.route,
            withdrawal_now=data.withdrawal_now,
            pregnant=data.pregnant,
            overdose_last_year=data.overdose_last_year,
            notes=data.notes,
            arrived_at=_check_time(data.arrived_at, "The arrival time") or now,
            status_changed_at=now,
            created_by=actor.user,
        )
        audit.record(
            actor, "create", "inquiry", inq.pk, detail={"channel": inq.channel, "site": site.code}
        )
    return inq


def inquiry_create_public(
    actor: Actor,
    site,
    *,
    name: str,
    phone: str,
    ok_to_call: bool,
    ok_to_text: bool,
    notes: str = "",
) -> Inquiry:
    """A member of the public asked to be contacted (the directory's self-check): a new
    inquiry at ``site`` by the organization's public system account (core.services.
    public_actor). Only that account, and only this channel, may write this way; the
    directory service has already checked that the site is published."""
    if actor.channel != "public" or actor.user.is_active or actor.role:
        raise DomainError("forbidden", "Only the public system account writes this way.", 403)
    if site.organization_id != actor.organization_id:
        raise DomainError("forbidden", "The site is not of this organization.", 403)
    now = timezone.now()
    with transaction.atomic():
        inq = Inquiry.objects.create(
            organization_id=actor.organization_id,
            site=site,
            channel="self_check",
            name=name,
            is_alias=True,
            phone=phone,
            ok_to_call=ok_to_call,
            ok_to_text=ok_to_text,
            referral_source="self",
            notes=notes,
            arrived_at=now,
            status_changed_at=now,
            created_by=actor.user,
        )
        audit.record(
            actor,
            "create",
            "inquiry",
            inq.pk,
            detail={"channel": "self_check", "site": site.code, "public": True},
        )
    return inq


def _locked(actor: Actor, inquiry_id: int) -> Inquiry:
    return locked_in_org(Inquiry, inquiry_id, actor.organization_id, "inquiry")


def _move(actor: Actor, inq: Inquiry, to: str, reason: str) -> None:
    if not can_move(inq.status, to):
        raise Conflict(
            "invalid_status_change",
            f"An inquiry that is {inq.get_status_display().lower()} cannot move to "
            f"{to.replace('_', ' ')}.",
            current_status=inq.status,
        )
    if to == "admitted" and inq.patient_id is None:
        raise Conflict(
            "patient_required", "Register the person as a patient before marking them admitted."
        )
    now = timezone.now()
    InquiryStatusChange.objects.create(
        organization_id=actor.organization_id,
        inquiry=inq,
        from_status=inq.status,
        to_status=to,
        reason=reason,
        at=now,
        by=actor.user,
    )
    inq.status, inq.status_changed_at = to, now
    inq.save(update_fields=["status", "status_changed_at"])
    audit.record(
        actor, "update", "inquiry", inq.pk, patient_id=inq.patient_id, detail={"status": to}
    )


def inquiry_set_status(actor: Actor, inquiry_id: int, data: StatusIn) -> Inquiry:
    actor.require("inquiry.manage")
    with transaction.atomic():
        inq = _locked(actor, inquiry_id)
        _move(actor, inq, data.status, data.reason)
    return inq


def _linkable(inq: Inquiry) -> None:
    if inq.patient_id is not None:
        raise Conflict(
            "already_a_patient",
            "This inquiry is already linked to a patient.",
            patient=inq.patient_id,
        )
    if inq.status not in ("new", "screening", "waiting_for_assessment"):
        raise Conflict(
            "invalid_status_change",
            f"An inquiry that is {inq.get_status_display().lower()} cannot "
            "become a patient; reopen it first.",
        )


def inquiry_link_patient(actor: Actor, inquiry_id: int, data: LinkPatientIn):
    """A returning patient: link the inquiry to their existing record (nothing registered
    anew); an inquiry still "new" moves to "waiting for assessment"."""
    actor.require("inquiry.manage")
    actor.require("patient.view")
    with transaction.atomic():
        inq = _locked(actor, inquiry_id)
        _linkable(inq)
        patient = patient_ref(actor, data.patient)  # 404 across organizations
        inq.patient = patient
        inq.save(update_fields=["patient"])
        audit.record(
            actor,
            "update",
            "inquiry",
            inq.pk,
            patient_id=patient.pk,
            detail={"linked_patient": patient.pk, "returning": True},
        )
        if inq.status == "new":
            _move(actor, inq, "waiting_for_assessment", "returning patient: linked to the record")
    return inq, patient


def inquiry_make_patient(actor: Actor, inquiry_id: int, data: MakePatientIn):
    """Register the inquiry's person as a patient (name, phone, site carried over) and link
    them; an inquiry still "new" moves to "waiting for assessment"."""
    actor.require("inquiry.manage")
    with transaction.atomic():
        inq = _locked(actor, inquiry_id)
        _linkable(inq)
        patient = patient_services.patient_register(
            actor,
            PatientIn(
                first_name=data.first_name,
                last_name=data.last_name,
                date_of_birth=data.date_of_birth,
                site=inq.site.code,
                sex_at_birth=data.sex_at_birth,
                phone=inq.phone,
                confirm_not_duplicate=data.confirm_not_duplicate,
            ),
        )
        inq.patient = patient
        inq.save(update_fields=["patient"])
        audit.record(
            actor,
            "update",
            "inquiry",
            inq.pk,
            patient_id=patient.pk,
            detail={"linked_patient": patient.pk},
        )
        if inq.status == "new":
            _move(actor, inq, "waiting_for_assessment", "registered as a patient")
    return inq, patient


def inquiries_close_on_admission(actor: Actor, patient_id: int, level_label: str, on) -> list[int]:
    """The admission of a patient closes their open inquiries (walk-ins, calls): each moves
    to "admitted", with its status history and audit event, in the admission's transaction.

    Called by care's ``episode_admit`` (care builds on intake); admitting needs
    ``episode.manage``, not ``inquiry.manage``: closing the walk-in is part of admitting,
    not a separate choice. Returns the ids of the inquiries closed."""
    rows = list(
        Inquiry.objects.select_for_update()
        .filter(
            organization_id=actor.organization_id,
            patient_id=patient_id,
            status__in=OPEN_STATUSES,
        )
        .order_by("pk")
    )
    for inq in rows:
        _move(actor, inq, "admitted", f"admitted to {level_label.lower()} on {on:%Y-%m-%d}"[:300])
    return [inq.pk for inq in rows]
