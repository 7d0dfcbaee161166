"""Every write to the patient registry: one function per action a person takes.

Each runs in one transaction, checks permission, and writes its audit event in that same
transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connection, transaction

from waypoint.audit import services as audit
from waypoint.core import fastsql
from waypoint.core.errors import Conflict
from waypoint.core.models import Organization
from waypoint.core.selectors import site_by_code

from .models import Patient
from .schemas import OPTIONAL_FIELDS, PatientIn, PatientUpdate
from .selectors import patient_for_update, possible_duplicates

if TYPE_CHECKING:
    from waypoint.core.actor import Actor


def _next_mrn(organization_id: int) -> str:
    """The organization's next MRN: its counter moved on in one ``UPDATE … RETURNING``, which
    locks the row until the transaction ends, so registrations wait for one another. On
    PostgreSQL an UPDATE that changes no key column takes FOR NO KEY UPDATE: the
    foreign-key checks of other transactions (an audit event or a user of the organization
    inserted while this one waits for the audit chain's head) do not wait for it. A plain
    FOR UPDATE there made a deadlock: this transaction held the row and waited for the
    chain's head, another held the head and waited to check its event's organization."""
    table = Organization._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {table} SET next_mrn = next_mrn + 1 WHERE id = %s "  # noqa: S608
            "RETURNING next_mrn",
            [organization_id],
        )
        number = cur.fetchone()[0] - 1
    return f"{number:07d}"


def patient_register(actor: Actor, data: PatientIn) -> Patient:
    """Register a patient, assigning the organization's next MRN.

    A patient of the organization with the same date of birth and a similar last name
    (accents, case and spellings that sound alike ignored; selectors.possible_duplicates)
    is a possible duplicate: refused with 409 ``possible_duplicate`` (listing the matches)
    unless the caller confirms it is a different person.
    """
    actor.require("patient.register")
    with transaction.atomic():
        site = site_by_code(actor.organization_id, data.site)
        if not data.confirm_not_duplicate:
            dupes = list(
                possible_duplicates(
                    actor.organization_id, data.first_name, data.last_name, data.date_of_birth
                )
            )
            if dupes:
                raise Conflict(
                    "possible_duplicate",
                    "A patient with the same date of birth and a similar name is already "
                    "registered. Open that record, or confirm this is a different person.",
                    duplicates=[
                        {
                            "id": p.pk,
                            "mrn": p.mrn,
                            "site": p.site.code,
                            "first_name": p.first_name,
                            "last_name": p.last_name,
                            "date_of_birth": p.date_of_birth.isoformat(),
                        }
                        for p in dupes
                    ],
                )
        patient = Patient(
            organization_id=actor.organization_id,
            site=site,
            mrn=_next_mrn(actor.organization_id),
            first_name=data.first_name,
            last_name=data.last_name,
            date_of_birth=data.date_of_birth,
            created_by=actor.user,
            **{f: getattr(data, f) for f in OPTIONAL_FIELDS},
        )
        patient.set_name_keys()
        fastsql.insert(patient)  # built once (core.fastsql): the model's save() less the ORM
        audit.record(
            actor,
            "create",
            "patient",
            patient.pk,
            patient_id=patient.pk,
            detail={
                "mrn": patient.mrn,
                "site": site.code,
                "confirmed_not_duplicate": data.confirm_not_duplicate,
            },
        )
    return patient


def patient_update(actor: Actor, patient_id: int, data: PatientUpdate) -> Patient:
    """Change the fields sent; the audit event keeps each change's old and new value."""
    actor.require("patient.edit")
    with transaction.atomic():
        patient = patient_for_update(actor, patient_id)
        changes: dict[str, list[Any]] = {}
        for field, value in data.model_dump(exclude_unset=True).items():
            if value is None:
                continue
            if field == "site":
                site = site_by_code(actor.organization_id, value)
                if site.pk != patient.site_id:
                    changes["site"] = [patient.site.code, site.code]
                    patient.site = site
                continue
            old = getattr(patient, field)
            if old != value:
                changes[field] = [str(old), str(value)]
                setattr(patient, field, value)
        if changes:
            patient.save()
        audit.record(
            actor,
            "update",
            "patient",
            patient.pk,
            patient_id=patient.pk,
            detail={"changed": changes},
        )
    return patient
