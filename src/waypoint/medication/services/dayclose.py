"""Closing a dosing day: every active daily order with no dose and no take-home cover on a
finished site-local day is marked missed."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.core.errors import DomainError
from waypoint.core.selectors import site_by_code, site_today

from ..models import DoseEvent, MedicationOrder, MissedDose, TakeHomeBottle

if TYPE_CHECKING:
    from waypoint.core.actor import Actor


def close_day(actor: Actor, site_code: str, day: dt.date | None = None) -> list[MissedDose]:
    """Mark, for a finished site-local day, every active daily order with no dose and no
    take-home cover as missed. Safe to run twice (the second run adds nothing)."""
    actor.require("dosing.close_day")
    site = site_by_code(actor.organization_id, site_code)
    today = site_today(site)
    day = day or today
    if day > today:
        raise DomainError("date_in_future", "A future day cannot be closed.", field="on")
    org = actor.organization_id
    with transaction.atomic():
        orders = list(
            MedicationOrder.objects.filter(
                Q(stop_date__isnull=True) | Q(stop_date__gte=day),
                organization_id=org,
                site=site,
                schedule="daily",
                start_date__lte=day,
            ).exclude(stopped_at__isnull=False, stop_date__lte=day)
        )
        pids = {o.patient_id for o in orders}
        dosed = set(
            DoseEvent.objects.filter(
                organization_id=org, patient_id__in=pids, local_day=day
            ).values_list("patient_id", "family")
        )
        bottles = set(
            TakeHomeBottle.objects.filter(
                organization_id=org, patient_id__in=pids, for_day=day
            ).values_list("patient_id", "family")
        )
        already = set(
            MissedDose.objects.filter(order__in=orders, day=day).values_list("order_id", flat=True)
        )
        now = timezone.now()
        new = [
            MissedDose(
                organization_id=org,
                patient_id=o.patient_id,
                order=o,
                site=site,
                day=day,
                recorded_at=now,
            )
            for o in orders
            if (o.patient_id, o.family) not in dosed | bottles and o.pk not in already
        ]
        MissedDose.objects.bulk_create(new)
        audit.record(
            actor,
            "create",
            "dosing_day_close",
            f"{site.code}:{day.isoformat()}",
            detail={"site": site.code, "day": day.isoformat(), "missed": len(new)},
        )
    return new
