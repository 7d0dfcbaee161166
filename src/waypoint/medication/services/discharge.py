"""A discharge stops medication: the person's open orders end with the discharge's reason
(a death, an incarceration, a transfer …), naloxone kits excepted — they may be handed out
at discharge (``clinical.dosing.orders_stopped_at_discharge``; issue 14 rule 2).

``orders_stop_at_discharge`` is registered on ``care.episodes.services.DISCHARGE_HOOKS``
(``MedicationConfig.ready``) and runs inside the discharge's transaction: each stop is kept
in ``OrderChange`` and the audit trail, and rolls back with the discharge."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from waypoint.clinical import dosing

from ..models import MedicationOrder
from .orders import _change

if TYPE_CHECKING:
    from waypoint.care.models import Episode
    from waypoint.core.actor import Actor


def orders_stop_at_discharge(actor: Actor, episode: Episode) -> list[MedicationOrder]:
    """Stop the discharged person's open orders (one open episode per person, so they are
    the episode's) on the discharge day, with the discharge's reason. The discharging
    clinician acts: the stop follows from the discharge, it needs no prescriber."""
    assert episode.discharged_on is not None, "called once the episode is discharged"
    open_orders = list(
        MedicationOrder.objects.select_for_update()
        .filter(
            organization_id=episode.organization_id,
            patient_id=episode.patient_id,
            stopped_at__isnull=True,
        )
        .order_by("id")
    )
    stopping = dosing.orders_stopped_at_discharge([(o, o.family) for o in open_orders])
    reason = dosing.discharge_stop_reason(episode.discharge_reason)
    now = timezone.now()
    for order in stopping:
        order.stopped_at, order.stopped_by, order.stop_reason = now, actor.user, reason
        if order.stop_date is None or order.stop_date > episode.discharged_on:
            order.stop_date = max(episode.discharged_on, order.start_date)
        order.save(update_fields=["stopped_at", "stopped_by", "stop_reason", "stop_date"])
        _change(
            actor,
            order,
            "stopped",
            {
                "stop_date": order.stop_date.isoformat(),
                "discharge": {
                    "episode": episode.pk,
                    "on": episode.discharged_on.isoformat(),
                    "reason": episode.discharge_reason,
                },
            },
            reason,
        )
    return stopping
