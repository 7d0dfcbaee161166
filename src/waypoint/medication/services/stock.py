"""The stock ledger: receipts, witnessed waste and the daily witnessed count against the
ledger's expected stock, in mg. The controlled-substance ledger (methadone): dispensing
writes its own entries (``dosing``, ``takehomes``). A site may also keep a naloxone ledger
(``KIT_LEDGER``): once it has received naloxone, every kit given there counts out of it
(``stock_kit_given``, called by the recovery app in the kit's transaction); a site that
never received naloxone keeps no such ledger and a kit given writes nothing here."""

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


# Medications a site may keep a ledger of besides the controlled ones: kits handed out.
KIT_LEDGER = ("naloxone",)


def _ledger_med(medication: str) -> None:
    med = MEDICATIONS.get(medication)
    if med is None or not (med.controlled_ledger or medication in KIT_LEDGER):
        raise DomainError(
            "not_a_ledger_medication",
            "The stock ledger keeps methadone and naloxone.",
            field="medication",
        )


def stock_kit_given(
    actor: Actor, site: Site, medication: str, quantity_mg: Decimal, reference: str
) -> StockEntry | None:
    """Count a kit given out of ``site``'s ledger of ``medication`` (one of ``KIT_LEDGER``)
    when the site keeps one (it has any entry of that medication): a ``kit_given`` entry of
    −``quantity_mg`` with its audit event, in the caller's transaction. ``None`` (nothing
    written) when the site keeps no such ledger. The caller checked its own permission
    (giving the kit), as a dose at the window counts out of stock without stock.manage."""
    if medication not in KIT_LEDGER:
        raise DomainError("not_a_ledger_medication", "Only naloxone kits count out of stock.")
    kept = StockEntry.objects.filter(
        organization_id=actor.organization_id, site=site, medication=medication
    ).exists()
    if not kept:
        return None
    return _stock_entry(
        actor, site, medication, "kit_given", -_qty(quantity_mg), reference=reference[:100]
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
