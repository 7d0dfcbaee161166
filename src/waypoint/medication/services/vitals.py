"""Vital signs at the dosing window (nurse or prescriber): blood pressure and/or pulse with
the time they were taken. Lofexidine is held on a low last reading
(``clinical.dosing.lofexidine_vitals_hold``)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.core.errors import DomainError
from waypoint.core.selectors import site_by_code
from waypoint.patients.selectors import patient_for_update

from ..models import VitalSigns
from .dosing import FUTURE_TOLERANCE

if TYPE_CHECKING:
    from waypoint.core.actor import Actor

# Plausible ranges: they catch typing errors (a "900" for "90"), they are not clinical limits.
RANGES = {"systolic": (40, 300), "diastolic": (20, 200), "pulse": (20, 250)}


def vitals_record(
    actor: Actor,
    patient_id: int,
    *,
    taken_at: dt.datetime | None = None,
    systolic: int | None = None,
    diastolic: int | None = None,
    pulse: int | None = None,
    note: str = "",
    site: str | None = None,
) -> VitalSigns:
    """Record vital signs. 422 ``no_vital_signs`` (nothing measured),
    ``blood_pressure_incomplete`` (one of the two numbers), ``vital_sign_out_of_range``,
    ``time_in_future``, ``time_too_old`` (more than a day ago)."""
    actor.require("vitals.record")
    if systolic is None and diastolic is None and pulse is None:
        raise DomainError("no_vital_signs", "Give a blood pressure, a pulse, or both.")
    if (systolic is None) != (diastolic is None):
        raise DomainError(
            "blood_pressure_incomplete",
            "A blood pressure is two numbers: systolic and diastolic.",
            field="systolic" if systolic is None else "diastolic",
        )
    for name, value in (("systolic", systolic), ("diastolic", diastolic), ("pulse", pulse)):
        lo, hi = RANGES[name]
        if value is not None and not (isinstance(value, int) and lo <= value <= hi):
            raise DomainError("vital_sign_out_of_range", f"{name} is {lo} to {hi}.", field=name)
    if systolic is not None and diastolic is not None and diastolic >= systolic:
        raise DomainError(
            "vital_sign_out_of_range",
            "The diastolic pressure is below the systolic.",
            field="diastolic",
        )
    now = timezone.now()
    at = taken_at or now
    if at > now + FUTURE_TOLERANCE:
        raise DomainError("time_in_future", "taken_at is in the future.", field="taken_at")
    if at < now - dt.timedelta(days=1):
        raise DomainError(
            "time_too_old", "Vital signs are recorded within a day.", field="taken_at"
        )
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        where = site_by_code(actor.organization_id, site) if site else patient.site
        row = VitalSigns.objects.create(
            organization_id=actor.organization_id,
            patient=patient,
            site=where,
            taken_at=at,
            systolic=systolic,
            diastolic=diastolic,
            pulse=pulse,
            note=(note or "").strip()[:300],
            recorded_by=actor.user,
            recorded_at=now,
        )
        audit.record(
            actor,
            "create",
            "vital_signs",
            row.pk,
            patient_id=patient.pk,
            detail={
                "taken_at": at.isoformat(),
                "systolic": systolic,
                "diastolic": diastolic,
                "pulse": pulse,
            },
        )
    return row
