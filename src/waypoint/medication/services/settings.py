"""An organization's own dosing, take-home and drug-testing limits (read by
``medication.limits``). They may tighten a federal limit, never loosen it
(``clinical.federal_limits``)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction

from waypoint.audit import services as audit
from waypoint.clinical import dosing, drugtests, federal_limits, takehome
from waypoint.core.errors import DomainError

from ..limits import limits_from, testing_from, typed
from ..models import MedicationSettings

if TYPE_CHECKING:
    from waypoint.core.actor import Actor


def settings_update(
    actor: Actor,
    dosing_values: dict,
    take_home_values: dict,
    testing_values: dict | None = None,
) -> MedicationSettings:
    """Set some of the organization's limits. Unknown keys or impossible values: 422
    ``invalid_setting``; a value that loosens a federal limit (the first-day limit above
    50 mg, take-home tiers above 7/14/28 from days 1/15/31, fewer than 8 random tests a
    year): 422 ``setting_exceeds_federal_limit`` (its ``field`` names the setting). Nothing
    is written then."""
    actor.require("medication.settings")
    clean_d = _clean_settings(dosing.DosingLimits, dosing_values, "dosing")
    clean_t = _clean_settings(takehome.TakeHomeLimits, take_home_values, "take_home")
    clean_x = _clean_settings(drugtests.TestingLimits, testing_values or {}, "testing")
    with transaction.atomic():
        row, _ = MedicationSettings.objects.select_for_update().get_or_create(
            organization_id=actor.organization_id
        )
        merged_d, merged_t = {**row.dosing, **clean_d}, {**row.take_home, **clean_t}
        merged_x = {**row.testing, **clean_x}
        d, t = limits_from(merged_d, merged_t)
        x = testing_from(merged_x)
        refusal = federal_limits.check_medication_settings(d, t, x)
        if refusal:
            raise DomainError(
                refusal.code, refusal.message, refusal.status, field=_federal_field(d, t, x)
            )
        row.dosing, row.take_home, row.testing = merged_d, merged_t, merged_x
        row.save()
        audit.record(
            actor,
            "update",
            "medication_settings",
            row.pk,
            detail={"dosing": clean_d, "take_home": clean_t, "testing": clean_x},
        )
    return row


def _federal_field(
    d: dosing.DosingLimits, t: takehome.TakeHomeLimits, x: drugtests.TestingLimits
) -> str:
    """The setting (``group.name``) that loosens a federal limit, in the order
    ``check_medication_settings`` checks them."""
    if federal_limits.first_day_limit(d.methadone_first_day_max_mg):
        return "dosing.methadone_first_day_max_mg"
    if federal_limits.take_home_tiers(t.tiers):
        return "take_home.tiers"
    return "testing.random_tests_per_year"


def _clean_settings(cls: type, values: dict, what: str) -> dict:
    names = {f.name for f in dataclasses.fields(cls)}
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in names:
            raise DomainError(
                "invalid_setting", f"{what}.{key} is not a setting.", field=f"{what}.{key}"
            )
        try:
            value_typed = typed(cls, key, value)
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise DomainError(
                "invalid_setting", f"{what}.{key} has the wrong type.", field=f"{what}.{key}"
            ) from exc
        if key == "tiers":
            ok = value_typed and all(a >= 1 and 0 <= b <= 28 for a, b in value_typed)
        elif isinstance(value_typed, bool):
            ok = True
        elif isinstance(value_typed, Decimal):
            ok = value_typed.is_finite() and 0 <= value_typed <= 10_000
        else:
            ok = isinstance(value_typed, int) and 0 <= value_typed <= 10_000
        if not ok:
            raise DomainError(
                "invalid_setting", f"{what}.{key} is out of range.", field=f"{what}.{key}"
            )
        out[key] = str(value_typed) if isinstance(value_typed, Decimal) else value_typed
    return out
