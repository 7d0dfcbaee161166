"""Aftercare plans (written at or after discharge, printable) and naloxone kits: writes.

Each action checks the role, validates before anything is written, runs in one transaction
with the patient's row locked, and writes its audit event in that transaction. A missed
aftercare item opens an outreach task (``outreach.task_open``) in the same transaction; a
kit given counts out of the site's naloxone stock when the site keeps one
(``medication.services.stock_kit_given``), also in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.clinical import aftercare as rule
from waypoint.core.errors import Conflict, DomainError, NotFound
from waypoint.core.selectors import site_by_code, site_today
from waypoint.medication import services as medication
from waypoint.patients.selectors import patient_for_update

from ..models import AFTERCARE_KINDS, AftercareItem, AftercarePlan, NaloxoneKit
from ..schemas.aftercare import CONTACT_MAX, DETAIL_MAX, NOTE_MAX
from ..selectors.aftercare import latest_episode, plan_site
from ..selectors.outreach import care_site
from .outreach import task_open

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.core.models import Site

KINDS = dict(AFTERCARE_KINDS)


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        raise DomainError("invalid_input", f"{field} is text.", field=field)
    if required and not text:
        raise DomainError("invalid_input", f"{field} is required.", field=field)
    if len(text) > limit:
        raise DomainError("invalid_input", f"{field} is at most {limit} characters.", field=field)
    return text


def _items(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every item checked before anything is written (422 ``invalid_input``)."""
    if not rule.ITEMS_MIN <= len(items) <= rule.ITEMS_MAX:
        raise DomainError(
            "invalid_input",
            f"A plan has {rule.ITEMS_MIN} to {rule.ITEMS_MAX} items (got {len(items)}).",
            field="items",
        )
    out = []
    for i, item in enumerate(items):
        kind = item.get("kind")
        if kind not in KINDS:
            raise DomainError(
                "invalid_input",
                f"Item {i + 1}: kind is one of {', '.join(KINDS)}.",
                field=f"items.{i}.kind",
            )
        next_date = item.get("next_date")
        if next_date is not None and not isinstance(next_date, dt.date):
            raise DomainError(
                "invalid_input", f"Item {i + 1}: next_date is a date.", field=f"items.{i}.next_date"
            )
        out.append(
            {
                "kind": kind,
                "detail": _text(item.get("detail"), f"items.{i}.detail", DETAIL_MAX, required=True),
                "contact": _text(item.get("contact"), f"items.{i}.contact", CONTACT_MAX),
                "next_date": next_date,
            }
        )
    return out


def aftercare_plan_write(
    actor: Actor, patient_id: int, items: Sequence[Mapping[str, Any]], note: str = ""
) -> AftercarePlan:
    """Write the person's aftercare plan (aftercare.manage): 1 to 30 items, each of a
    contract kind with its detail (1-500 characters), contact (up to 200) and next date
    (optional). It belongs to the person's latest episode, open or discharged: a plan is
    usually written in the last days before a planned discharge or at it, and may be
    written after; a person never admitted gets a plan without an episode. The newest plan
    is the current one; older plans are kept. 422 ``invalid_input``, nothing written."""
    actor.require("aftercare.manage")
    clean = _items(items)
    note = _text(note, "note", NOTE_MAX)
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        episode = latest_episode(actor.organization_id, patient.pk)
        plan = AftercarePlan.objects.create(
            organization_id=actor.organization_id,
            patient=patient,
            episode=episode,
            note=note,
            written_by=actor.user,
            written_at=timezone.now(),
        )
        AftercareItem.objects.bulk_create(
            [AftercareItem(organization_id=actor.organization_id, plan=plan, **c) for c in clean]
        )
        audit.record(
            actor,
            "create",
            "aftercare_plan",
            plan.pk,
            patient_id=patient.pk,
            detail={
                "episode": episode.pk if episode else None,
                "items": [c["kind"] for c in clean],
            },
        )
    return plan


def aftercare_item_status(
    actor: Actor, item_id: int, status: str, note: str = ""
) -> tuple[AftercareItem, Any]:
    """Mark an item planned, attended, missed or declined (aftercare.manage). Marking it
    missed opens an outreach task (reason ``missed_aftercare``, due in 72 h) at the site
    that follows the person, in the same transaction. Returns the item and the task (or
    ``None``). 404 for another organization's item; 422 ``invalid_input`` for an unknown
    status; 409 ``status_unchanged`` when it already has that status."""
    actor.require("aftercare.manage")
    if status not in rule.ITEM_STATUSES:
        raise DomainError(
            "invalid_input", f"status is one of {', '.join(rule.ITEM_STATUSES)}.", field="status"
        )
    note = _text(note, "note", DETAIL_MAX)
    with transaction.atomic():
        item = (
            AftercareItem.objects.select_for_update()
            .filter(organization_id=actor.organization_id, pk=item_id)
            .select_related("plan")
            .first()
        )
        if item is None:
            raise NotFound("aftercare item")
        patient = patient_for_update(actor, item.plan.patient_id)
        if not rule.status_change_allowed(item.status, status):
            raise Conflict("status_unchanged", f"The item is already {item.status}.")
        old = item.status
        item.status = status
        item.status_changed_at = timezone.now()
        item.status_changed_by = actor.user
        item.save(update_fields=["status", "status_changed_at", "status_changed_by"])
        task = None
        if status == "missed":
            when = f" on {item.next_date:%Y-%m-%d}" if item.next_date else ""
            task = task_open(
                actor,
                patient,
                "missed_aftercare",
                rule.MISSED_AFTERCARE_DUE,
                detail=f"Missed aftercare{when}: {KINDS[item.kind].lower()}, {item.detail}"
                + (f" — {note}" if note else ""),
                source=item,
                site=plan_site(actor.organization_id, item.plan),
            )
        audit.record(
            actor,
            "update",
            "aftercare_item",
            item.pk,
            patient_id=patient.pk,
            detail={
                "from": old,
                "to": status,
                "note": note,
                "outreach_task": task.pk if task else None,
            },
        )
    return item, task


def _kit_site(actor: Actor, patient: Any, site_code: str | None) -> Site:
    if site_code:
        return site_by_code(actor.organization_id, site_code)
    return care_site(actor.organization_id, patient.pk) or actor.user.site or patient.site


def naloxone_kit_give(
    actor: Actor,
    patient_id: int,
    *,
    given_on: dt.date,
    quantity: int,
    formulation: str,
    trained: bool,
    lot: str = "",
    site: str | None = None,
) -> NaloxoneKit:
    """Record naloxone given to the person (naloxone.give): ``quantity`` devices (1-10) of a
    formulation of ``models.NALOXONE_FORMULATIONS``, on a day not after the site's today,
    the lot, and whether the person (or someone with them) was shown how to use it. The
    site is the one given (a code), else the person's care site, the actor's, the
    person's. When that site keeps naloxone stock, the kit counts out of it (quantity × mg
    per device) in the same transaction. 422 ``invalid_input``, ``date_in_future``;
    nothing written."""
    actor.require("naloxone.give")
    if formulation not in rule.FORMULATIONS:
        raise DomainError(
            "invalid_input",
            f"formulation is one of {', '.join(rule.FORMULATIONS)}.",
            field="formulation",
        )
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise DomainError("invalid_input", "quantity is a whole number.", field="quantity")
    if not rule.KIT_QUANTITY_MIN <= quantity <= rule.KIT_QUANTITY_MAX:
        raise DomainError(
            "invalid_input",
            f"quantity is {rule.KIT_QUANTITY_MIN} to {rule.KIT_QUANTITY_MAX} devices.",
            field="quantity",
        )
    lot = _text(lot, "lot", 40)
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        where = _kit_site(actor, patient, site)
        today = site_today(where)
        if given_on > today:
            raise DomainError(
                "date_in_future",
                f"given_on {given_on:%Y-%m-%d} is after today ({today:%Y-%m-%d} at {where.code}).",
                field="given_on",
            )
        kit = NaloxoneKit.objects.create(
            organization_id=actor.organization_id,
            patient=patient,
            site=where,
            given_on=given_on,
            quantity=quantity,
            formulation=formulation,
            lot=lot,
            trained=trained,
            given_by=actor.user,
            recorded_at=timezone.now(),
        )
        entry = medication.stock_kit_given(
            actor,
            where,
            "naloxone",
            rule.kit_mg(formulation, quantity),
            f"naloxone kit {kit.pk} (patient {patient.pk}, given {given_on:%Y-%m-%d})",
        )
        audit.record(
            actor,
            "create",
            "naloxone_kit",
            kit.pk,
            patient_id=patient.pk,
            detail={
                "site": where.code,
                "given_on": given_on.isoformat(),
                "quantity": quantity,
                "formulation": formulation,
                "trained": trained,
                "stock_entry": entry.pk if entry else None,
            },
        )
    kit.stock_entry = entry  # type: ignore[attr-defined]
    return kit
