"""Reads of the patient registry, scoped to the caller's organization and audited."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet

from waypoint.audit import services as audit
from waypoint.core import fastsql
from waypoint.core.errors import DomainError, NotFound
from waypoint.core.models import Site
from waypoint.core.schemas import has_control_chars

from . import access, names
from .models import Patient

if TYPE_CHECKING:
    from waypoint.core.actor import Actor


def _scoped(organization_id: int) -> QuerySet[Patient]:
    return Patient.objects.filter(organization_id=organization_id).select_related("site")


def _swapped(d: dt.date) -> dt.date | None:
    """The date with day and month exchanged (03/04 for 04/03), if that is another date."""
    if d.day > 12 or d.day == d.month:
        return None
    try:
        return d.replace(month=d.day, day=d.month)
    except ValueError:
        return None


def _born_on(organization_id: int, dates: list[dt.date]) -> list[Patient]:
    """The organization's patients born on one of ``dates`` (at most 500, in the registry's
    order), with their sites: one statement built once (``core.fastsql``; every
    registration runs it)."""
    p, s = Patient._meta.db_table, Site._meta.db_table
    marks = ", ".join(["%s"] * len(dates))
    sql = (
        f"SELECT {fastsql.select_list(Patient, 'p')}, {fastsql.select_list(Site, 's')} "  # noqa: S608
        f"FROM {p} p JOIN {s} s ON s.id = p.site_id "
        f"WHERE p.organization_id = %s AND p.date_of_birth IN ({marks}) LIMIT 500"
    )  # no ORDER BY: with one, SQLite's planner walked the name index over every patient
    # of the organization instead of looking the dates up; the few rows are sorted below
    params = [organization_id, *(connection.ops.adapt_datefield_value(d) for d in dates)]
    found = []
    for patient, site in fastsql.rows(sql, params, (Patient, "p"), (Site, "s")):
        patient.site = site
        found.append(patient)
    found.sort(key=lambda p: (p.last_name_key, p.first_name_key, p.pk))
    return found


def possible_duplicates(
    organization_id: int, first_name: str, last_name: str, date_of_birth: dt.date
) -> list[Patient]:
    """Patients who may be this person: the same date of birth and a similar last name
    (whatever the accents and case, or spelled alike: names.CLOSE), or the date with day
    and month exchanged and both names similar. The same name first."""
    swapped = _swapped(date_of_birth)
    dates = [date_of_birth, *([swapped] if swapped else [])]
    candidates = _born_on(organization_id, dates)
    last_sound = names.sound(last_name)
    found = []
    for p in candidates:
        last = names.similarity(last_name, p.last_name)
        if last_sound and p.last_name_sound == last_sound:
            last = max(last, names.CLOSE)
        first = names.similarity(first_name, p.first_name)
        if p.date_of_birth == date_of_birth:
            if last >= names.CLOSE:
                found.append((-(last + first), p))
        elif last >= names.CLOSE and first >= names.CLOSE:
            found.append((-(last + first) + 1, p))
    found.sort(key=lambda t: (t[0], t[1].pk))
    return [p for _, p in found]


def duplicates_shown(actor: Actor, exc: DomainError) -> list[dict]:
    """The possible duplicates of a refused registration (409 ``possible_duplicate``) as
    they are shown, each with its last visit: a read of those records, audited (one "list"
    event linked to every patient shown, in this transaction; the registration's own
    transaction rolled back). A restricted record the actor may not open is shown masked
    (``access.mask``): no name, MRN or date of birth. Rewrites ``exc.extra["duplicates"]``
    to what may be shown, so the API's 409 answer masks alike."""
    ids = [int(d["id"]) for d in exc.extra.get("duplicates", [])]
    with transaction.atomic():
        found = {
            p.pk: p
            for p in access.mask(
                actor, _scoped(actor.organization_id).filter(pk__in=ids).select_related("site")
            )
        }
        shown = [found[i] for i in ids if i in found]
        visits = last_visits(actor.organization_id, [p.pk for p in shown])
        if shown:
            audit.record(
                actor,
                "list",
                "patient",
                "",
                patients=[p.pk for p in shown],
                detail={"view": "possible_duplicates", "results": [p.pk for p in shown]},
            )
    exc.extra["duplicates"] = [
        {
            "id": p.pk,
            "mrn": p.mrn,
            "site": p.site.code,
            "first_name": p.first_name,
            "last_name": p.last_name,
            "date_of_birth": p.date_of_birth.isoformat() if p.date_of_birth else None,
            **({"restricted": True} if getattr(p, "restricted", False) else {}),
        }
        for p in shown
    ]
    return [{"p": p, "last_visit": visits.get(p.pk)} for p in shown]


def last_visits(organization_id: int, patient_ids: list[int]) -> dict[int, dt.datetime]:
    """When something was last recorded about each patient (the newest write in the audit
    trail: a dose, a test, an attendance, a change): what the duplicate warning shows as
    the last visit."""
    from django.db.models import Max

    from waypoint.audit.models import AuditEvent

    rows = (
        AuditEvent.objects.filter(organization_id=organization_id, patient_id__in=patient_ids)
        .exclude(action__in=("read", "search", "list", "export", "verify"))
        .values("patient_id")
        .annotate(last=Max("at"))
    )
    return {r["patient_id"]: r["last"] for r in rows}


def patient_for_update(actor: Actor, patient_id: int) -> Patient:
    try:
        return _scoped(actor.organization_id).select_for_update().get(pk=patient_id)
    except Patient.DoesNotExist:
        raise NotFound("patient") from None


def patient_get(actor: Actor, patient_id: int, *, purpose_detail: str = "") -> Patient:
    """Read one patient's record; leaves a ``read`` audit event. 404 across organizations."""
    actor.require("patient.view")
    with transaction.atomic():
        try:
            patient = _scoped(actor.organization_id).get(pk=patient_id)
        except Patient.DoesNotExist:
            raise NotFound("patient") from None
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


def parse_query(q: str) -> tuple[str, Any]:
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


@dataclass
class Found:
    """A search's answer: the patients whose names start with the terms (or the MRN or date
    of birth given), then close matches (spelled differently, sounding alike)."""

    exact: list[Patient] = field(default_factory=list)
    close: list[Patient] = field(default_factory=list)

    @property
    def all(self) -> list[Patient]:
        return [*self.exact, *self.close]


CANDIDATES = 500  # the most rows a close-match search ranks in Python


def _close_matches(
    organization_id: int, terms: list[str], exclude: set[int], limit: int
) -> list[Patient]:
    """Patients whose first or last name sounds like a term's (the stored phonetic keys,
    or their first letters for a slip that changes the sound), ranked by similarity; every
    term must match a name closely (names.CLOSE)."""
    sounds = {names.sound(t) for t in terms if len(names.fold(t)) >= 3} - {""}
    if not sounds:
        return []
    where = Q()
    for snd in sounds:
        prefix = snd[: max(3, len(snd) - 1)]
        where |= Q(last_name_sound=snd) | Q(first_name_sound=snd)
        where |= Q(last_name_sound__startswith=prefix) | Q(first_name_sound__startswith=prefix)
    ranked = []
    for p in _scoped(organization_id).filter(where).exclude(pk__in=exclude)[:CANDIDATES]:
        scores = [
            max(names.term_matches(t, p.first_name), names.term_matches(t, p.last_name))
            for t in terms
        ]
        if min(scores) >= names.CLOSE:
            ranked.append((-sum(scores) / len(scores), p.last_name_key, p.first_name_key, p))
    ranked.sort(key=lambda r: r[:3])
    return [r[3] for r in ranked[:limit]]


def patient_find(actor: Actor, q: str, *, limit: int = 50, close: bool = True) -> Found:
    """Find patients by name (any order, prefixes, whatever the accents and case), MRN or
    date of birth; for a name, also close matches (``close``), marked ``close_match``.

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
        value = [names.fold(t) for t in value]
        value = [t for t in value if t]
        if not value:
            return Found()
        for term in value:
            qs = qs.filter(Q(last_name_key__startswith=term) | Q(first_name_key__startswith=term))
    else:
        return Found()
    found = Found(exact=list(qs[:limit]))
    if kind == "name" and close and len(found.exact) < limit:
        found.close = _close_matches(
            actor.organization_id, value, {p.pk for p in found.exact}, limit - len(found.exact)
        )
    # Restricted records the actor may not open are shown masked (one indexed query).
    shown = access.mask(actor, found.all)
    found = Found(exact=shown[: len(found.exact)], close=shown[len(found.exact) :])
    for p in found.close:
        p.close_match = True
    with transaction.atomic():
        audit.record(
            actor,
            "search",
            "patient",
            "",
            patients=[p.pk for p in found.all],
            detail={
                "query_kind": kind,
                "results": [p.pk for p in found.all],
                **({"close_matches": [p.pk for p in found.close]} if found.close else {}),
            },
        )
    return found


def patient_search(actor: Actor, q: str, *, limit: int = 50, close: bool = True) -> list[Patient]:
    """``patient_find`` as one list: the exact matches, then the close ones (each marked
    ``close_match``). The dosing window's search calls this."""
    return patient_find(actor, q, limit=limit, close=close).all


def patient_ref(actor: Actor, patient_id: int) -> Patient:
    """The patient, scoped to the actor's organization, for a service that writes about
    them (the service records its own audit event). 404 across organizations."""
    try:  # .get(): no ORDER BY (.first() sorts by the patients' name order for one row)
        return _scoped(actor.organization_id).get(pk=patient_id)
    except Patient.DoesNotExist:
        raise NotFound("patient") from None


def patient_exists(organization_id: int, patient_id: int) -> bool:
    """Whether the patient is one of the organization's (the audit trail's filter check;
    registered in apps.py)."""
    return Patient.objects.filter(pk=patient_id, organization_id=organization_id).exists()


def patients_for_audit(organization_id: int, q: str, limit: int = 20) -> list[dict]:
    """Who a name, an MRN or a date of birth names, for the audit trail's search (the
    auditor may not open charts, so the trail finds the patient itself): the same
    matching as ``patient_find`` (accents and case ignored, then close spellings), no
    permission check and no audit event here: ``audit.selectors`` checks ``audit.view``
    and records the search as its own read."""
    kind, value = parse_query(q)
    qs = _scoped(organization_id)
    if kind == "dob":
        qs = qs.filter(date_of_birth=value)
    elif kind == "mrn":
        qs = qs.filter(Q(mrn=value) | Q(mrn=str(value).zfill(7)))
    elif kind == "name":
        terms = [t for t in (names.fold(t) for t in value) if t]
        if not terms:
            return []
        for term in terms:
            qs = qs.filter(Q(last_name_key__startswith=term) | Q(first_name_key__startswith=term))
    else:
        return []
    found = list(qs[:limit])
    if kind == "name" and len(found) < limit:
        found += _close_matches(organization_id, terms, {p.pk for p in found}, limit - len(found))
    return [
        {
            "id": p.pk,
            "mrn": p.mrn,
            "name": f"{p.last_name}, {p.first_name}",
            "date_of_birth": p.date_of_birth,
        }
        for p in found
    ]


def home_panel(actor: Actor, site: Site | None) -> dict:
    """The home page's "find a patient" bar (registered in apps.py). It names nobody: each
    role's work below it lists the people that work is about (review M1 replaced the list
    of every patient whose record was touched today)."""
    return {}
