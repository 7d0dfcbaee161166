"""Restricted records (only the care team opens them), the care team the privacy officer
keeps, and break-the-glass: stating why one must open a restricted record."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.core.errors import Conflict, DomainError, NotFound
from waypoint.core.models import User
from waypoint.patients.selectors import patient_for_update

from .. import selectors
from ..models import BreakGlassAccess, CareTeamMember, RestrictedRecord
from ..schemas import BreakGlassIn, RestrictIn

if TYPE_CHECKING:
    from waypoint.core.actor import Actor


def record_restrict(actor: Actor, patient_id: int, data: RestrictIn) -> RestrictedRecord:
    """Mark the record restricted. 409 ``already_restricted``."""
    actor.require("record.restrict")
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        if selectors.open_restriction(actor.organization_id, patient.pk) is not None:
            raise Conflict("already_restricted", "This record is already restricted.")
        try:
            with transaction.atomic():
                row = RestrictedRecord.objects.create(
                    organization_id=actor.organization_id,
                    patient=patient,
                    reason=data.reason,
                    note=data.note,
                    marked_by=actor.user,
                    marked_at=timezone.now(),
                )
        except IntegrityError as exc:
            raise Conflict("already_restricted", "This record is already restricted.") from exc
        audit.record(
            actor,
            "restrict",
            "restricted_record",
            row.pk,
            patient_id=patient.pk,
            detail={"reason": data.reason},
        )
    return row


def record_unrestrict(actor: Actor, patient_id: int) -> RestrictedRecord:
    """Lift the restriction. 409 ``not_restricted``."""
    actor.require("record.restrict")
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        row = (
            RestrictedRecord.objects.select_for_update()
            .filter(organization_id=actor.organization_id, patient=patient, lifted_at=None)
            .first()
        )
        if row is None:
            raise Conflict("not_restricted", "This record is not restricted.")
        row.lifted_at, row.lifted_by = timezone.now(), actor.user
        row.save(update_fields=["lifted_at", "lifted_by"])
        audit.record(actor, "unrestrict", "restricted_record", row.pk, patient_id=patient.pk)
    return row


def _staff(actor: Actor, user_id: int) -> User:
    user = (
        User.objects.filter(pk=user_id, organization_id=actor.organization_id, is_active=True)
        .exclude(role="")
        .first()
    )
    if user is None:
        raise DomainError(
            "unknown_staff",
            f"No active staff member {user_id} in this organization.",
            field="user",
        )
    return user


def care_team_add(actor: Actor, patient_id: int, user_id: int) -> CareTeamMember:
    """Add a staff member to the care team (a second time changes nothing)."""
    actor.require("record.restrict")
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        user = _staff(actor, user_id)
        row = CareTeamMember.objects.filter(
            patient=patient, user=user, removed_at__isnull=True
        ).first()
        if row is None:
            row = CareTeamMember.objects.create(
                organization_id=actor.organization_id,
                patient=patient,
                user=user,
                added_by=actor.user,
                added_at=timezone.now(),
            )
            audit.record(
                actor,
                "create",
                "care_team",
                row.pk,
                patient_id=patient.pk,
                detail={"user": user.username},
            )
    return row


def care_team_remove(actor: Actor, patient_id: int, user_id: int) -> CareTeamMember:
    actor.require("record.restrict")
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        row = (
            CareTeamMember.objects.select_for_update()
            .filter(
                organization_id=actor.organization_id,
                patient=patient,
                user_id=user_id,
                removed_at__isnull=True,
            )
            .first()
        )
        if row is None:
            raise NotFound("care team member")
        row.removed_at, row.removed_by = timezone.now(), actor.user
        row.save(update_fields=["removed_at", "removed_by"])
        audit.record(
            actor,
            "delete",
            "care_team",
            row.pk,
            patient_id=patient.pk,
            detail={"user": row.user.username},
        )
    return row


def break_glass(actor: Actor, patient_id: int, data: BreakGlassIn) -> BreakGlassAccess:
    """Someone outside the care team states why they must open a restricted record: it is
    open to them for ``BREAK_GLASS_HOURS``, and the opening waits for the privacy officer's
    review. 409 ``not_restricted`` when there is nothing to break."""
    actor.require("patient.view")
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        if selectors.open_restriction(actor.organization_id, patient.pk) is None:
            raise Conflict("not_restricted", "This record is not restricted: open it.")
        now = timezone.now()
        row = BreakGlassAccess.objects.create(
            organization_id=actor.organization_id,
            patient=patient,
            user=actor.user,
            reason=data.reason,
            explanation=data.explanation,
            at=now,
            until=now + dt.timedelta(hours=selectors.BREAK_GLASS_HOURS),
            client_address=actor.client_address,
        )
        audit.record(
            actor,
            "break_glass",
            "break_glass",
            row.pk,
            patient_id=patient.pk,
            detail={"reason": data.reason, "explanation": data.explanation},
        )
    return row
