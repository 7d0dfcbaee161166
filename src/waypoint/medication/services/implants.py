"""The buprenorphine implant as procedures (prescriber): insertion with the implant's lot,
and removal — due 6 calendar months after insertion (``clinical.injectables``). While an
implant is in place the window gives no daily buprenorphine unless the prescriber ordered
supplemental doses (``dose_checks``); the organization may switch the implant off."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.clinical import injectables
from waypoint.clinical.medications import MEDICATIONS, offered
from waypoint.core.errors import Conflict, DomainError, NotFound
from waypoint.core.selectors import site_today

from ..limits import limits_for
from ..models import Implant
from ._shared import order_for_update
from .orders import _change

if TYPE_CHECKING:
    from waypoint.core.actor import Actor


def implant_insert(
    actor: Actor,
    order_id: int,
    *,
    lot: str,
    inserted_on: dt.date | None = None,
    arm: str = "",
    note: str = "",
) -> Implant:
    """Record an implant's insertion under its order. 422 ``not_an_implant_order``,
    ``lot_required``, ``unknown_arm``, ``date_in_future``, ``before_order_start``,
    ``medication_not_offered``; 409 ``order_not_active``, ``implant_already_in_place``,
    ``implant_not_eligible`` (two insertions already, one in each arm)."""
    actor.require("medication.order")
    lot = (lot or "").strip()
    with transaction.atomic():
        order = order_for_update(actor, order_id)
        if not MEDICATIONS[order.medication].procedure:
            raise DomainError(
                "not_an_implant_order",
                f"A {order.label.lower()} order is given as doses, not inserted.",
                field="order",
            )
        if not lot:
            raise DomainError("lot_required", "Record the implant's lot number.", field="lot")
        if arm and arm not in dict(Implant.ARMS):
            raise DomainError("unknown_arm", "arm is left or right.", field="arm")
        today = site_today(order.site)
        on = inserted_on or today
        if on > today:
            raise DomainError("date_in_future", "inserted_on is after today.", field="inserted_on")
        if on < order.start_date:
            raise DomainError(
                "before_order_start",
                f"The order starts on {order.start_date.isoformat()}.",
                field="inserted_on",
            )
        limits, _ = limits_for(actor.organization_id)
        off = offered(order.medication, limits)
        if off:
            raise DomainError(off.code, off.message, off.status)
        if not order.active_on(on):
            raise Conflict("order_not_active", "This implant order is not active that day.")
        mine = Implant.objects.filter(
            organization_id=actor.organization_id, patient_id=order.patient_id
        )
        if mine.filter(removed_on__isnull=True).exists():
            raise Conflict(
                "implant_already_in_place",
                "An implant is in place: record its removal before another insertion.",
            )
        # Probuphine label: one insertion in each upper arm (implant_eligibility's count)
        if mine.count() >= limits.implant_max_insertions:
            raise Conflict(
                "implant_not_eligible",
                f"{mine.count()} implants were inserted before: at most "
                f"{limits.implant_max_insertions}, one in each arm.",
            )
        try:
            with transaction.atomic():
                implant = Implant.objects.create(
                    organization_id=actor.organization_id,
                    patient_id=order.patient_id,
                    order=order,
                    site=order.site,
                    lot=lot[:50],
                    arm=arm,
                    inserted_on=on,
                    inserted_by=actor.user,
                    insertion_note=(note or "").strip()[:500],
                    removal_due_on=injectables.implant_removal_due(on, limits),
                    recorded_at=timezone.now(),
                )
        except IntegrityError as exc:
            raise Conflict("implant_already_in_place", "An implant is in place already.") from exc
        audit.record(
            actor,
            "create",
            "implant",
            implant.pk,
            patient_id=order.patient_id,
            detail={
                "order": order.pk,
                "lot": implant.lot,
                "inserted_on": on.isoformat(),
                "removal_due_on": implant.removal_due_on.isoformat(),
            },
        )
    return implant


def implant_remove(
    actor: Actor, implant_id: int, *, removed_on: dt.date | None = None, note: str = ""
) -> Implant:
    """Record an implant's removal (its order ends with it). 409 ``implant_not_in_place``;
    422 ``date_in_future``, ``date_before_insertion``."""
    actor.require("medication.order")
    with transaction.atomic():
        implant = (
            Implant.objects.select_for_update()
            .filter(pk=implant_id, organization_id=actor.organization_id)
            .first()
        )
        if implant is None:
            raise NotFound("implant")
        if implant.removed_on is not None:
            raise Conflict(
                "implant_not_in_place",
                f"This implant was removed on {implant.removed_on.isoformat()}.",
            )
        order = order_for_update(actor, implant.order_id)
        today = site_today(order.site)
        on = removed_on or today
        if on > today:
            raise DomainError("date_in_future", "removed_on is after today.", field="removed_on")
        if on < implant.inserted_on:
            raise DomainError(
                "date_before_insertion",
                f"removed_on is before the insertion ({implant.inserted_on.isoformat()}).",
                field="removed_on",
            )
        implant.removed_on, implant.removed_by = on, actor.user
        implant.removal_note = (note or "").strip()[:500]
        implant.save(update_fields=["removed_on", "removed_by", "removal_note"])
        audit.record(
            actor,
            "update",
            "implant",
            implant.pk,
            patient_id=implant.patient_id,
            detail={"removed_on": on.isoformat(), "lot": implant.lot},
        )
        if order.stopped_at is None:
            order.stopped_at, order.stopped_by = timezone.now(), actor.user
            order.stop_reason = "Implant removed."
            if order.stop_date is None or order.stop_date > on:
                order.stop_date = max(on, order.start_date)
            order.save(update_fields=["stopped_at", "stopped_by", "stop_reason", "stop_date"])
            _change(
                actor,
                order,
                "stopped",
                {"stop_date": order.stop_date.isoformat()},
                "Implant removed.",
            )
    return implant
