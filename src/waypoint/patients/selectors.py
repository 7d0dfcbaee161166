"""Reads of the patient registry, scoped to the caller's organization and audited."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q, QuerySet

from waypoint.audit import services as audit
from waypoint.core.errors import NotFound
from waypoint.core.schemas import has_control_chars

from .models import Patient

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.core.models import Site


def _scoped(organization_id: int) -> QuerySet[Patient]:
    return Patient.objects.filter(organization_id=organization_id).select_related("site")


def possible_duplicates(
    organization_id: int, first_name: str, last_name: str, date_of_birth: dt.date
) -> QuerySet[Patient]:
    return _scoped(organization_id).filter(
        first_name_key=first_name.casefold(),
        last_name_key=last_name.casefold(),
        date_of_birth=date_of_birth,
    )


def patient_for_update(actor: Actor, patient_id: int) -> Patient:
    patient = _scoped(actor.organization_id).select_for_update().filter(pk=patient_id).first()
    if patient is None:
        raise NotFound("patient")
    return patient


def patient_get(actor: Actor, patient_id: int, *, purpose_detail: str = "") -> Patient:
    """Read one patient's record; leaves a ``read`` audit event. 404 across organizations."""
    actor.require("patient.view")
    with transaction.atomic():
        patient = _scoped(actor.organization_id).filter(pk=patient_id).first()
        if patient is None:
            raise NotFound("patient")
        audit.record(
            actor,
            "read",
            "patient",
            patient.pk,
            patient_id=patient.pk,
            detail={"view": purpose_detail} if purpose_detail else None,
        )
    return patient


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_query(q: str) -> tuple[str, object]:
    """Classify a search box entry: ("dob", date), ("mrn", str) or ("name", [terms])."""
    if has_control_chars(q):  # also: PostgreSQL refuses NUL in any string
        return "none", None
    q = " ".join(q.split())
    if _DATE.match(q):
        try:
            return "dob", dt.date.fromisoformat(q)
        except ValueError:
            return "none", None
    m = _US_DATE.match(q)
    if m:
        try:
            return "dob", dt.date(int(m[3]), int(m[1]), int(m[2]))
        except ValueError:
            return "none", None
    if q.isdigit():
        return "mrn", q
    terms = [t.casefold() for t in re.split(r"[\s,]+", q) if t]
    return ("name", terms) if terms else ("none", None)


def patient_search(actor: Actor, q: str, *, limit: int = 50) -> list[Patient]:
    """Find patients by name (any order, prefixes), MRN or date of birth.

    The search leaves one ``search`` audit event listing the patients it showed.
    """
    actor.require("patient.view")
    kind, value = parse_query(q)
    qs = _scoped(actor.organization_id)
    if kind == "dob":
        qs = qs.filter(date_of_birth=value)
    elif kind == "mrn":
        qs = qs.filter(Q(mrn=value) | Q(mrn=str(value).zfill(7)))
    elif kind == "name":
        for term in value:  # type: ignore[union-attr]
            qs = qs.filter(Q(last_name_key__startswith=term) | Q(first_name_key__startswith=term))
    else:
        return []
    results = list(qs[:limit])
    with transaction.atomic():
        audit.record(
            actor,
            "search",
            "patient",
            "",
            detail={"query_kind": kind, "results": [p.pk for p in results]},
        )
    return results


def todays_patients(actor: Actor, site) -> list[Patient]:
    """Patients of ``site`` whose record was touched today (the site's local day):
    registered, opened or changed. Later capabilities (walk-ins, dosing, sessions) add
    their own reasons to be on this list."""
    from django.utils import timezone

    from waypoint.audit.models import AuditEvent

    actor.require("patient.view")
    local_now = timezone.now().astimezone(site.tz)
    start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    ids = (
        AuditEvent.objects.filter(
            organization_id=actor.organization_id,
            at__gte=start,
            patient__site=site,
            patient__isnull=False,
        )
        .values_list("patient_id", flat=True)
        .distinct()
    )
    patients = list(_scoped(actor.organization_id).filter(pk__in=list(ids))[:200])
    if patients:
        with transaction.atomic():
            audit.record(
                actor,
                "list",
                "patient",
                "",
                detail={
                    "view": "todays_patients",
                    "site": site.code,
                    "results": [p.pk for p in patients],
                },
            )
    return patients


def patient_ref(actor: Actor, patient_id: int) -> Patient:
    """The patient, scoped to the actor's organization, for a service that writes about
    them (the service records its own audit event). 404 across organizations."""
    patient = _scoped(actor.organization_id).filter(pk=patient_id).first()
    if patient is None:
        raise NotFound("patient")
    return patient


def patient_exists(organization_id: int, patient_id: int) -> bool:
    """Whether the patient is one of the organization's (the audit trail's filter check;
    registered in apps.py)."""
    return Patient.objects.filter(pk=patient_id, organization_id=organization_id).exists()


def home_panel(actor: Actor, site: Site | None) -> dict:
    """The home page's patient panel (registered in apps.py): the patients seen today at
    the actor's home site (none without one)."""
    return {"todays": todays_patients(actor, site) if site is not None else []}
