"""The controlled-substance ledger (methadone): receipts, witnessed waste and the daily
witnessed count against the ledger's expected stock. Dispensing writes its own entries
(``dosing``, ``takehomes``)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.clinical.medications import MEDICATIONS
from waypoint.core.errors import DomainError
from waypoint.core.mfa import reauthenticate
from waypoint.core.models import User
from waypoint.core.selectors import site_by_code

from ..models import StockCount, StockEntry
from ..selectors.stock import stock_expected
from ._shared import require_reason

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.core.models import Site


def _witness(actor: Actor, username: str, password: str = "", code: str = "") -> User:
    """The witness, who confirms who they are in this same request (issue 16): their
    username with their password or a current code of their authenticator, checked here
    before anything is written (``core.mfa.reauthenticate``)."""
    w = User.objects.filter(
        organization_id=actor.organization_id, username=username, is_active=True
    ).first()
    if w is None:
        raise DomainError("unknown_witness", f"No staff member {username!r}.", field="witness")
    if w.pk == actor.user.pk:
        raise DomainError(
            "witness_must_differ", "The witness must be someone else.", field="witness"
        )
    return reauthenticate(actor.organization_id, username, password=password, code=code)


def _qty(q: Decimal, field: str = "quantity_mg") -> Decimal:
    if not q.is_finite() or q <= 0 or q > Decimal("10000000"):
        raise DomainError("invalid_quantity", f"{field} is a positive amount in mg.", field=field)
    return q


def stock_receive(
    actor: Actor,
    site_code: str,
    quantity_mg: Decimal,
    reference: str,
    medication: str = "methadone",
) -> StockEntry:
    actor.require("stock.manage")
    _ledger_med(medication)
    site = site_by_code(actor.organization_id, site_code)
    if not (reference or "").strip():
        raise DomainError(
            "reference_required",
            "A receipt needs its reference (invoice or DEA form number).",
            field="reference",
        )
    return _stock_entry(actor, site, medication, "received", _qty(quantity_mg), reference=reference)


def stock_waste(
    actor: Actor,
    site_code: str,
    quantity_mg: Decimal,
    reason: str,
    witness: str,
    medication: str = "methadone",
    *,
    witness_password: str = "",
    witness_code: str = "",
) -> StockEntry:
    actor.require("stock.manage")
    _ledger_med(medication)
    site = site_by_code(actor.organization_id, site_code)
    reason = require_reason(reason, "reason_required", "Waste")
    return _stock_entry(
        actor,
        site,
        medication,
        "wasted",
        -_qty(quantity_mg),
        reason=reason,
        witness=_witness(actor, witness, witness_password, witness_code),
    )


def _ledger_med(medication: str) -> None:
    med = MEDICATIONS.get(medication)
    if med is None or not med.controlled_ledger:
        raise DomainError(
            "not_a_ledger_medication",
            "The stock ledger keeps methadone.",
            field="medication",
        )


def _stock_entry(
    actor: Actor, site: Site, medication: str, kind: str, q: Decimal, **kw
) -> StockEntry:
    now = timezone.now()
    with transaction.atomic():
        entry = StockEntry.objects.create(
            organization_id=actor.organization_id,
            site=site,
            medication=medication,
            kind=kind,
            quantity_mg=q,
            by=actor.user,
            at=now,
            local_day=now.astimezone(site.tz).date(),
            **kw,
        )
        audit.record(
            actor,
            "create",
            "stock_entry",
            entry.pk,
            detail={"site": site.code, "kind": kind, "quantity_mg": str(q)},
        )
    return entry


def stock_count(
    actor: Actor,
    site_code: str,
    counted_mg: Decimal,
    witness: str,
    note: str = "",
    medication: str = "methadone",
    *,
    witness_password: str = "",
    witness_code: str = "",
) -> StockCount:
    """The daily reconciliation: a witnessed physical count against the ledger's expected
    stock; any difference is flagged on the stock page and in the answer."""
    actor.require("stock.manage")
    _ledger_med(medication)
    site = site_by_code(actor.organization_id, site_code)
    if not counted_mg.is_finite() or counted_mg < 0 or counted_mg > Decimal("10000000"):
        raise DomainError("invalid_quantity", "counted_mg is 0 or more mg.", field="counted_mg")
    w = _witness(actor, witness, witness_password, witness_code)
    now = timezone.now()
    with transaction.atomic():
        expected = stock_expected(actor.organization_id, site, medication)
        row = StockCount.objects.create(
            organization_id=actor.organization_id,
            site=site,
            medication=medication,
            day=now.astimezone(site.tz).date(),
            expected_mg=expected,
            counted_mg=counted_mg,
            note=note[:500],
            by=actor.user,
            witness=w,
            at=now,
        )
        audit.record(
            actor,
            "create",
            "stock_count",
            row.pk,
            detail={
                "site": site.code,
                "expected_mg": str(expected),
                "counted_mg": str(counted_mg),
                "difference_mg": str(row.difference_mg),
            },
        )
    return row
