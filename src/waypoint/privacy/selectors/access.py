"""Restricted records: is a record restricted, who is its care team, and the two checks the
privacy app registers in ``AppConfig.ready()``: the audit trail's access gate (every read
or write of one patient's record passes it) and the lists' visibility (who is masked).

The care team of a patient (the only staff who open a restricted record without stating a
reason) is, at the moment of asking:
- the staff the privacy officer added (``CareTeamMember``, not removed);
- the prescribers of the patient's orders that are not stopped;
- the counselors of the sessions the patient is on from 90 days ago onwards;
- the staff named on the current treatment plan of the open episode (its author, its
  signing clinician and everyone responsible for one of its interventions).
Anyone else states a reason first (``services.break_glass``): the record is then open to
them for ``BREAK_GLASS_HOURS`` and the opening waits for the privacy officer's review. The
privacy officer is never stopped (they keep the restrictions); the auditor reads the trail.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING

from django.db import connection
from django.utils import timezone

from waypoint.care.models import Episode, SessionAttendee, TreatmentPlan
from waypoint.core import fastsql
from waypoint.core.errors import DomainError
from waypoint.core.permissions import Role
from waypoint.medication.models import MedicationOrder

from ..models import BreakGlassAccess, CareTeamMember, RestrictedRecord
from .recipients import RECIPIENT_CHANNEL

if TYPE_CHECKING:
    from waypoint.core.actor import Actor

BREAK_GLASS_HOURS = 8  # one shift
SESSION_WINDOW_DAYS = 90
# What the gate lets through for anyone: reading the audit trail (the auditor's work), and
# the privacy actions that are how one gets in (stating a reason) or that the privacy
# officer takes.
EXEMPT_OBJECTS = frozenset(
    {"audit_trail", "break_glass", "restricted_record", "care_team", "privacy_review"}
)
UNRESTRICTED_ROLES = frozenset({Role.PRIVACY_OFFICER.value})


def open_restriction(organization_id: int, patient_id: int) -> RestrictedRecord | None:
    return (
        RestrictedRecord.objects.filter(
            organization_id=organization_id, patient_id=patient_id, lifted_at__isnull=True
        )
        .select_related("marked_by")
        .first()
    )


def is_restricted(organization_id: int, patient_id: int) -> bool:
    """Whether the patient's record has an open restriction now (the gate asks this before
    every audited event about one patient). The same question as ``open_restriction(...) is
    not None``, asked in one small portable statement: built through the ORM it costs ~50
    times more, and it is asked thousands of times by a bulk load. Never cached: every
    event sees the restrictions committed (or written in its own transaction) up to then."""
    sql = _restricted_sql(connection.vendor)
    row = fastsql.fetchone(sql, [organization_id, patient_id])
    return bool(row and row[0])


@functools.cache
def _restricted_sql(vendor: str) -> str:
    return f"SELECT {restricted_flag('%s', '%s')}"  # values as parameters


def restricted_flag(organization: str, patient: str) -> str:
    """``is_restricted`` as an SQL expression over a caller's own columns (``organization``
    and ``patient`` are SQL expressions of its statement, such as ``o.patient_id``): the
    flag the audit trail's gate is given by a hot path that reads it in its own statement
    (registered in ``PrivacyConfig.ready()``; ``audit.subjects.restricted_flag_sql``)."""
    meta = RestrictedRecord._meta
    q = connection.ops.quote_name
    column = {f.name: q(f.column or f.name) for f in meta.concrete_fields}
    # identifiers from the model's own metadata and the caller's own expressions
    return (
        f"EXISTS (SELECT 1 FROM {q(meta.db_table)} rr"  # noqa: S608
        f" WHERE rr.{column['organization']} = {organization}"
        f" AND rr.{column['patient']} = {patient} AND rr.{column['lifted_at']} IS NULL)"
    )


def restricted_among(organization_id: int, ids: set[int]) -> set[int]:
    return set(
        RestrictedRecord.objects.filter(
            organization_id=organization_id, patient_id__in=ids, lifted_at__isnull=True
        ).values_list("patient_id", flat=True)
    )


def _plan_staff(plan: TreatmentPlan) -> set[int]:
    ids = {plan.created_by_id, plan.clinician_signed_by_id}
    for problem in (plan.content or {}).get("problems", []):
        for goal in problem.get("goals", []):
            for item in goal.get("interventions", []):
                if isinstance(item.get("responsible"), int):
                    ids.add(item["responsible"])
    return {i for i in ids if i is not None}


def care_team(organization_id: int, patient_id: int, now: dt.datetime | None = None) -> dict:
    """The care team as ``{user_id: [why, ...]}`` (see the module's docstring)."""
    now = now or timezone.now()
    team: dict[int, list[str]] = {}

    def add(uid: int | None, why: str) -> None:
        if uid is not None:
            team.setdefault(uid, [])
            if why not in team[uid]:
                team[uid].append(why)

    for uid in CareTeamMember.objects.filter(
        organization_id=organization_id, patient_id=patient_id, removed_at__isnull=True
    ).values_list("user_id", flat=True):
        add(uid, "added by the privacy officer")
    for uid in MedicationOrder.objects.filter(
        organization_id=organization_id, patient_id=patient_id, stopped_at__isnull=True
    ).values_list("prescriber_id", flat=True):
        add(uid, "prescriber")
    for uid in SessionAttendee.objects.filter(
        organization_id=organization_id,
        patient_id=patient_id,
        session__starts_at__gte=now - dt.timedelta(days=SESSION_WINDOW_DAYS),
    ).values_list("session__counselor_id", flat=True):
        add(uid, "counselor")
    episode = Episode.objects.filter(
        organization_id=organization_id, patient_id=patient_id, discharged_on__isnull=True
    ).first()
    if episode is not None:
        plan = TreatmentPlan.objects.filter(episode=episode, superseded_at__isnull=True).first()
        if plan is not None:
            for uid in _plan_staff(plan):
                add(uid, "named on the treatment plan")
    return team


def open_glass(user_id: int, patient_id: int, now: dt.datetime | None = None):
    """The break-the-glass opening that lets ``user_id`` into the record now, if any."""
    return (
        BreakGlassAccess.objects.filter(
            user_id=user_id, patient_id=patient_id, until__gt=now or timezone.now()
        )
        .order_by("-until")
        .first()
    )


def may_open(actor: Actor, patient_id: int, *, restricted: bool | None = None) -> bool:
    """Whether ``actor`` opens the record without stating a reason (now); ``restricted``:
    whether the record is restricted, when the caller read it (``restricted_flag``)."""
    if actor.role in UNRESTRICTED_ROLES:
        return True
    if restricted is None:
        restricted = is_restricted(actor.organization_id, patient_id)
    if not restricted:
        return True
    return actor.user.pk in care_team(actor.organization_id, patient_id) or bool(
        open_glass(actor.user.pk, patient_id)
    )


def access_gate(
    actor: Actor,
    patient_id: int,
    action: str,
    object_type: str,
    *,
    restricted: bool | None = None,
) -> None:
    """The audit trail's gate (registered in ``PrivacyConfig.ready()``): a read or write of
    a restricted record by someone outside its care team, without a reason stated, is
    refused with 403 ``restricted_record`` before its event is written. ``restricted``:
    the caller's own reading of ``restricted_flag`` in its transaction (None: asked here)."""
    if object_type in EXEMPT_OBJECTS or actor.organization_id is None:
        return
    if actor.channel == RECIPIENT_CHANNEL:
        # an outside recipient's read is a disclosure: the consent rule decides it
        # (waypoint.fhir.recipients), not the care team, and its account opens nothing else
        return
    if actor.channel == "public" and action == "create":
        # the person's own answers from a public page (a recovery check-in by link) and the
        # task they open, written by the organization's public account, which shows nothing
        # of the record back: not an opening of the record by staff
        return
    if may_open(actor, patient_id, restricted=restricted):
        return
    raise DomainError(
        "restricted_record",
        "This record is restricted: only its care team opens it. If you need it, state why "
        "(break the glass); your reason is recorded and reviewed by the privacy officer.",
        status=403,
        patient=patient_id,
    )


def hidden_patients(actor: Actor, ids: set[int]) -> set[int]:
    """The patients among ``ids`` that ``actor`` sees masked in a list (registered in
    ``PrivacyConfig.ready()`` for ``patients.access``)."""
    if actor.role in UNRESTRICTED_ROLES or actor.organization_id is None:
        return set()
    restricted = restricted_among(actor.organization_id, ids)
    if not restricted:
        return set()
    now = timezone.now()
    opened = set(
        BreakGlassAccess.objects.filter(
            user_id=actor.user.pk, patient_id__in=restricted, until__gt=now
        ).values_list("patient_id", flat=True)
    )
    return {
        pid
        for pid in restricted - opened
        if actor.user.pk not in care_team(actor.organization_id, pid, now)
    }
