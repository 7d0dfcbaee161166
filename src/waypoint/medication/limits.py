"""An organization's dosing, take-home and drug-testing limits: the defaults of
``clinical.dosing``, ``clinical.takehome`` and ``clinical.drugtests`` with the organization's
own values (``MedicationSettings``) over them.

A bottom-layer read: selectors and services both use it, and it imports neither.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from waypoint.clinical import dosing, drugtests, takehome

from .models import MedicationSettings


def limits_for(organization_id: int) -> tuple[dosing.DosingLimits, takehome.TakeHomeLimits]:
    """The organization's dosing and take-home limits (defaults where it set none)."""
    row = MedicationSettings.objects.filter(organization_id=organization_id).first()
    if row is None:
        return dosing.DEFAULT_LIMITS, takehome.DEFAULT
    return limits_from(row.dosing, row.take_home)


def limits_from(
    dosing_values: dict | None, take_home_values: dict | None
) -> tuple[dosing.DosingLimits, takehome.TakeHomeLimits]:
    """Limits from the stored overrides (``MedicationSettings.dosing`` / ``.take_home``)."""
    d, t = dosing.DEFAULT_LIMITS, takehome.DEFAULT
    if dosing_values:
        d = dataclasses.replace(
            d, **{k: typed(dosing.DosingLimits, k, v) for k, v in dosing_values.items()}
        )
    if take_home_values:
        t = dataclasses.replace(
            t, **{k: typed(takehome.TakeHomeLimits, k, v) for k, v in take_home_values.items()}
        )
    return d, t


def testing_limits_for(organization_id: int) -> drugtests.TestingLimits:
    """The organization's drug-testing numbers (the random tests a year)."""
    row = MedicationSettings.objects.filter(organization_id=organization_id).first()
    return testing_from(row.testing if row is not None else None)


def testing_from(values: dict | None) -> drugtests.TestingLimits:
    if not values:
        return drugtests.DEFAULT_TESTING
    return dataclasses.replace(
        drugtests.DEFAULT_TESTING,
        **{k: typed(drugtests.TestingLimits, k, v) for k, v in values.items()},
    )


def typed(cls: type, key: str, value: Any) -> Any:
    """A stored (JSON) setting as the type of the limit it overrides. A switch (a bool
    default) takes only a JSON boolean; a number never takes a boolean (``True`` is not
    1 mg). Anything else is a ``TypeError`` or ``ValueError``."""
    default = getattr(cls(), key)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise TypeError(f"{key} is true or false")
        return value
    if isinstance(value, bool):
        raise TypeError(f"{key} is a number")
    if isinstance(default, Decimal):
        return Decimal(str(value))
    if isinstance(default, tuple):
        return tuple(tuple(int(x) for x in pair) for pair in value)
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"{key} is a whole number")
    return int(value)
