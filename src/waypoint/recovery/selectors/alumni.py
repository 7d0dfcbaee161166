"""Alumni events and attendance, contact preferences, retention figures: reads.

Lists and pages that name people are audited (``list`` / ``read`` / ``search`` with the
patients shown), in the same transaction as the read. The invitation list is a list read
of the people whose newest contact preference says yes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery

from waypoint.audit import services as audit
from waypoint.care.models import Episode, LevelOfCareStay
from waypoint.clinical import retention
from waypoint.clinical.level_of_care import LEVEL_LABELS, LEVELS
from waypoint.core.errors import NotFound
from waypoint.core.models import Site
from waypoint.core.selectors import site_today
from waypoint.patients import access, names
from waypoint.patients.models import Patient
from waypoint.patients.selectors import patient_ref

from ..models import AlumniAttendance, AlumniContactPreference, AlumniEvent

if TYPE_CHECKING:
    from waypoint.core.actor import Actor


# --- events --------------------------------------------------------------------------------


def events(actor: Actor, site: Site | None = None, limit: int = 100) -> list[AlumniEvent]:
    """The organization's alumni events, newest first, with ``attended`` counts (no one is
    named, so nothing is audited)."""
    actor.require("recovery.view")
    qs = AlumniEvent.objects.filter(organization_id=actor.organization_id).select_related("site")
    if site is not None:
        qs = qs.filter(site=site)
    return list(qs.annotate(attended=Count("attendance"))[:limit])


def event_get(actor: Actor, event_id: int) -> tuple[AlumniEvent, list[AlumniAttendance]]:
    """An event of the organization and who attended (audited as a read naming them); 404
    for another organization's event."""
    actor.require("recovery.view")
    event = (
        AlumniEvent.objects.filter(pk=event_id, organization_id=actor.organization_id)
        .select_related("site")
        .first()
    )
    if event is None:
        raise NotFound("alumni event")
    rows = list(
        AlumniAttendance.objects.filter(organization_id=actor.organization_id, event=event)
        .select_related("patient")
        .order_by("patient__last_name_key", "patient__first_name_key", "id")
    )
    hidden = access.hidden_ids(actor, (a.patient_id for a in rows))
    for a in rows:
        if a.patient_id in hidden:
            a.patient = access.masked_copy(a.patient)
    with transaction.atomic():
        audit.record(
            actor,
            "read",
            "alumni_event",
            event.pk,
            patients=[a.patient_id for a in rows],
            detail={"attended": len(rows)},
        )
    return event, rows


def _alumni(organization_id: int) -> QuerySet[Patient]:
    """People with at least one discharged episode of care in the organization."""
    return Patient.objects.filter(
        organization_id=organization_id,
        pk__in=Episode.objects.filter(
            organization_id=organization_id, discharged_on__isnull=False
        ).values("patient_id"),
    )


def alumni_search(actor: Actor, q: str, limit: int = 20) -> list[Patient]:
    """Former patients whose name starts with the words typed (accents and case ignored),
    or whose MRN is typed; audited as a search naming those shown."""
    actor.require("recovery.view")
    terms = [names.fold(t) for t in q.replace("\x00", " ").split()[:4]]
    terms = [t for t in terms if t]
    if not terms:
        return []
    qs = _alumni(actor.organization_id)
    if len(terms) == 1 and terms[0].isdigit():
        qs = qs.filter(Q(mrn=terms[0]) | Q(mrn=terms[0].zfill(7)))
    else:
        for t in terms:
            qs = qs.filter(Q(last_name_key__startswith=t) | Q(first_name_key__startswith=t))
    found = access.mask(actor, list(qs.order_by("last_name_key", "first_name_key", "id")[:limit]))
    with transaction.atomic():
        audit.record(
            actor,
            "search",
            "patient",
            "",
            patients=[p.pk for p in found],
            detail={"view": "alumni", "results": [p.pk for p in found]},
        )
    return found


# --- contact preferences -------------------------------------------------------------------


def preferences_of(organization_id: int, patient_id: int) -> list[AlumniContactPreference]:
    """A person's contact preferences, newest (the one in force) first."""
    return list(
        AlumniContactPreference.objects.filter(
            organization_id=organization_id, patient_id=patient_id
        ).select_related("recorded_by")
    )


def person(actor: Actor, patient_id: int, *, audit_read: bool = True) -> dict[str, Any]:
    """A person's alumni page: whether they are an alumnus, their contact preferences
    (newest first) and the events they attended. 404 another organization's patient."""
    actor.require("recovery.view")
    patient = patient_ref(actor, patient_id)
    prefs = preferences_of(actor.organization_id, patient.pk)
    attended = list(
        AlumniAttendance.objects.filter(organization_id=actor.organization_id, patient=patient)
        .select_related("event", "event__site")
        .order_by("-event__on", "-id")
    )
    alumnus = _alumni(actor.organization_id).filter(pk=patient.pk).exists()
    if audit_read:
        with transaction.atomic():
            audit.record(
                actor,
                "read",
                "alumni_contact_preference",
                "",
                patient_id=patient.pk,
                detail={"view": "alumni", "preferences": len(prefs), "attended": len(attended)},
            )
    return {
        "patient": patient,
        "alumnus": alumnus,
        "preference": prefs[0] if prefs else None,
        "preferences": prefs,
        "attended": attended,
    }


@dataclass
class Invitee:
    patient: Patient
    channels: list[str]
    agreed_at: dt.datetime
    phone: str = ""
    email: str = ""
    address: str = ""


def invite_list(actor: Actor, site: Site | None = None, *, view: str = "page") -> list[Invitee]:
    """The people who agreed to be contacted about alumni events (their **newest**
    preference says yes: a withdrawal removes them), optionally only those followed by
    ``site`` (the site of their latest episode). Audited as a list read naming them."""
    actor.require("alumni.manage")
    newest = AlumniContactPreference.objects.filter(
        organization_id=actor.organization_id, patient_id=OuterRef("patient_id")
    ).order_by("-recorded_at", "-id")
    rows = list(
        AlumniContactPreference.objects.filter(organization_id=actor.organization_id)
        .annotate(newest_id=Subquery(newest.values("id")[:1]))
        .filter(pk=F("newest_id"), may_contact=True)
        .select_related("patient")
        .order_by("patient__last_name_key", "patient__first_name_key", "id")
    )
    if site is not None:
        latest_site = _latest_sites(actor.organization_id, [r.patient_id for r in rows])
        rows = [r for r in rows if latest_site.get(r.patient_id) == site.pk]
    hidden = access.hidden_ids(actor, (r.patient_id for r in rows))
    out = [
        Invitee(
            patient=r.patient,
            channels=list(r.channels),
            agreed_at=r.recorded_at,
            phone=r.patient.phone if "phone" in r.channels or "text" in r.channels else "",
            email=r.patient.email if "email" in r.channels else "",
            address=_address(r.patient) if "mail" in r.channels else "",
        )
        for r in rows
        if r.patient_id not in hidden
    ]
    with transaction.atomic():
        audit.record(
            actor,
            "list",
            "alumni_contact_preference",
            "",
            patients=[i.patient.pk for i in out],
            detail={
                "view": f"invite_list_{view}",
                "site": site.code if site else "",
                "listed": len(out),
                "withheld_restricted": len(hidden),
            },
        )
    return out


def _address(p: Patient) -> str:
    parts = [p.address_line1, p.address_line2, p.city, f"{p.state} {p.zip_code}".strip()]
    return ", ".join(x for x in parts if x)


def _latest_sites(organization_id: int, patient_ids: list[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for pid, site_id in (
        Episode.objects.filter(organization_id=organization_id, patient_id__in=patient_ids)
        .order_by("admitted_on", "id")
        .values_list("patient_id", "site_id")
    ):
        out[pid] = site_id  # the latest admission wins
    return out


# --- retention -----------------------------------------------------------------------------

NO_LEVEL = "none_recorded"


@dataclass
class Cell:
    measured: int = 0
    retained: int = 0

    @property
    def percent(self) -> float | None:
        return retention.share(self.retained, self.measured)


@dataclass
class RetentionRow:
    level: str
    label: str
    admissions: int = 0
    marks: dict[int, Cell] = field(default_factory=dict)


def retention_figures(
    actor: Actor,
    site: Site | None = None,
    admitted_from: dt.date | None = None,
    admitted_to: dt.date | None = None,
) -> dict[str, Any]:
    """Retention at 30, 90 and 180 days (``clinical.retention``) of the admissions in the
    range (admission dates inclusive), by the level of care at admission (the episode's
    first stay), with a total row. Each mark counts only admissions old enough to be
    measured there (the site-local today of the episode's site). Names no one; audited as
    a read of the figures with the filter."""
    actor.require("recovery.view")
    qs = Episode.objects.filter(organization_id=actor.organization_id).select_related("site")
    if site is not None:
        qs = qs.filter(site=site)
    if admitted_from is not None:
        qs = qs.filter(admitted_on__gte=admitted_from)
    if admitted_to is not None:
        qs = qs.filter(admitted_on__lte=admitted_to)
    episodes = list(qs)
    first_level = _first_levels(actor.organization_id, [e.pk for e in episodes])
    todays: dict[int, dt.date] = {}
    rows: dict[str, RetentionRow] = {}
    total = RetentionRow("all", "All levels", marks={m: Cell() for m in retention.MARKS})
    for ep in episodes:
        level = first_level.get(ep.pk, NO_LEVEL)
        row = rows.get(level)
        if row is None:
            row = rows[level] = RetentionRow(
                level,
                LEVEL_LABELS.get(level, "No level of care recorded"),
                marks={m: Cell() for m in retention.MARKS},
            )
        if ep.site_id not in todays:
            todays[ep.site_id] = site_today(ep.site)
        row.admissions += 1
        total.admissions += 1
        for m in retention.MARKS:
            r = retention.retained_at(
                ep.admitted_on, ep.discharged_on, ep.discharge_reason, m, todays[ep.site_id]
            )
            if r is None:
                continue
            for target in (row, total):
                target.marks[m].measured += 1
                target.marks[m].retained += int(r)
    order = {lv: i for i, lv in enumerate((*LEVELS, NO_LEVEL))}
    with transaction.atomic():
        audit.record(
            actor,
            "read",
            "retention",
            "",
            detail={
                "site": site.code if site else "",
                "from": admitted_from.isoformat() if admitted_from else "",
                "to": admitted_to.isoformat() if admitted_to else "",
                "admissions": total.admissions,
            },
        )
    return {
        "rows": sorted(rows.values(), key=lambda r: order.get(r.level, 99)),
        "total": total,
        "marks": retention.MARKS,
    }


def _first_levels(organization_id: int, episode_ids: list[int]) -> dict[int, str]:
    """The level of care each episode began at (its first stay)."""
    out: dict[int, str] = {}
    for ep_id, level in (
        LevelOfCareStay.objects.filter(organization_id=organization_id, episode_id__in=episode_ids)
        .order_by("-started_on", "-id")
        .values_list("episode_id", "level")
    ):
        out[ep_id] = level  # the earliest stay is written last
    return out
