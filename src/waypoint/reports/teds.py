"""The TEDS export (docs/TEDS.md): a period's admission records (episodes admitted in
[from, to]) and discharge records (episodes discharged in [from, to]) in the layout of
``clinical.teds``, built from episodes, their levels of care, the patients, their intake
inquiries and their medication orders. A field Waypoint does not collect is ``-9``.

``build`` only reads (a selector); ``teds_export`` (the page's download) and
``teds_export_cli`` (``waypoint teds export``) write the one audit event an export is: it
names every patient it holds (``patients=[...]``), in the same transaction as the read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q

from waypoint.care.codes import DISCHARGE_REASONS, REFERRAL_SOURCES, SUBSTANCE_TEDS_CODES
from waypoint.care.models import Episode
from waypoint.clinical import teds
from waypoint.core.errors import DomainError
from waypoint.core.models import Site
from waypoint.intake.models import Inquiry
from waypoint.medication.models import MedicationOrder

if TYPE_CHECKING:
    from waypoint.core.actor import Actor

REASON_CODES = {c[0]: c[2] for c in DISCHARGE_REASONS}
PSOURCE_CODES = {c[0]: c[2] for c in REFERRAL_SOURCES}
# intake's routes -> ROUTE1 (snorting is inhalation; "unknown" is not a route)
ROUTE_CODES = {"oral": "1", "smoking": "2", "snorting": "3", "injection": "4", "other": "5"}
GENDER_CODES = {"male": "1", "female": "2"}
MOUD_FAMILIES = ("methadone", "buprenorphine")  # METHUSE: medication-assisted opioid therapy
MAX_DAYS = 366 * 5 + 1  # a period of at most five years (the dashboard's limit)
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class Export:
    organization_id: int
    site: Site | None
    start: dt.date
    end: dt.date
    admissions: list[dict[str, str]] = field(default_factory=list)
    discharges: list[dict[str, str]] = field(default_factory=list)
    patient_ids: list[int] = field(default_factory=list)

    @property
    def records(self) -> list[dict[str, str]]:
        return self.admissions + self.discharges

    def problems(self) -> list[str]:
        """Every layout rule a record breaks, prefixed with its type and client id."""
        return [
            f"{r['RECORD']} {r['CLIENTID']} {r['ADMDATE']}: {msg}"
            for r in self.records
            for msg in teds.validate(r)
        ]

    def to_csv(self) -> str:
        """One CSV: a header of ``teds.COLUMNS``, the admissions then the discharges (an
        admission's discharge-only fields empty)."""
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=teds.COLUMNS, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.records)
        return out.getvalue()

    def filename(self) -> str:
        where = self.site.code if self.site else "all-sites"
        return f"waypoint-teds-{where}-{self.start.isoformat()}-{self.end.isoformat()}.csv"


def parse_date(raw: str | None, name: str) -> dt.date:
    """A date written YYYY-MM-DD. 400 ``teds_invalid_date`` otherwise (or when absent)."""
    value = (raw or "").strip()
    try:
        if not _ISO.fullmatch(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DomainError(
            "teds_invalid_date",
            f"{name} must be a date written YYYY-MM-DD, such as 2026-01-31.",
            status=400,
            field=name,
        ) from None


def parse_period(raw_from: str | None, raw_to: str | None) -> tuple[dt.date, dt.date]:
    """The period [from, to]. 400 ``teds_invalid_date``, ``teds_range_reversed``,
    ``teds_range_too_long`` (more than five years)."""
    start, end = parse_date(raw_from, "from"), parse_date(raw_to, "to")
    if start > end:
        raise DomainError(
            "teds_range_reversed",
            "The period starts after it ends: make from no later than to.",
            status=400,
            field="from",
        )
    if (end - start).days + 1 > MAX_DAYS:
        raise DomainError(
            "teds_range_too_long",
            "A period of at most five years is exported.",
            status=400,
            field="from",
        )
    return start, end


def site_for(organization_id: int, code: str | None) -> Site | None:
    """The organization's site of ``code`` (None for all sites). 400 ``teds_unknown_site``."""
    code = (code or "").strip()
    if not code:
        return None
    site = Site.objects.filter(organization_id=organization_id, code=code).first()
    if site is None:
        raise DomainError(
            "teds_unknown_site",
            "There is no site with that code in this organization.",
            status=400,
            field="site",
        )
    return site


# -- building the records --------------------------------------------------------------------


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _service(level: str, days: int) -> str:
    """SERVICES for a stay at ``level`` that lasted ``days`` (docs/TEDS.md, "Service")."""
    if level == "residential":
        return teds.residential_code(days)
    return {
        "withdrawal_management": "2",
        "partial_hospitalization": "6",
        "intensive_outpatient": "6",
        "opioid_treatment_program": "7",
        "outpatient": "7",
    }.get(level, teds.MISSING)


def _stay_service(stays: list, index: int, until: dt.date) -> str:
    stay = stays[index]
    end = stay.ended_on or until
    return _service(stay.level, teds.los_days(stay.started_on, max(end, stay.started_on)))


def _substances(ep: Episode) -> tuple[str, str, str]:
    sub1 = SUBSTANCE_TEDS_CODES.get(ep.primary_substance, teds.MISSING)
    if sub1 == teds.MISSING:
        return teds.MISSING, teds.MISSING, teds.MISSING
    others: list[str] = []
    for name in ep.other_substances or []:
        code = SUBSTANCE_TEDS_CODES.get(name)
        if code and code != sub1 and code not in others:
            others.append(code)
    others += [teds.NO_SUBSTANCE] * 2  # "none" when fewer than two others were named
    return sub1, others[0], others[1]


def _admission(ep: Episode, inquiry: Inquiry | None, moud: bool, until: dt.date) -> dict[str, str]:
    p = ep.patient
    stays = list(ep.stays.all())
    rec = teds.blank(teds.ADMISSION)
    sub1, sub2, sub3 = _substances(ep)
    gender = GENDER_CODES.get(p.sex_at_birth, teds.MISSING)
    preg = teds.MISSING
    if gender == "2" and inquiry is not None:
        preg = "1" if inquiry.pregnant else "2"
    route = teds.MISSING
    if sub1 != teds.MISSING and inquiry is not None:
        route = ROUTE_CODES.get(inquiry.route, teds.MISSING)
    rec.update(
        PROVIDER=ep.site.code,
        CLIENTID=p.mrn,
        ADMDATE=teds.date_code(ep.admitted_on),
        SERVICES=_stay_service(stays, 0, until) if stays else teds.MISSING,
        PSOURCE=PSOURCE_CODES.get(ep.referral_source, teds.MISSING),
        AGE=teds.age_code(_age(p.date_of_birth, ep.admitted_on)),
        GENDER=gender,
        PREG=preg,
        SUB1=sub1,
        SUB2=sub2,
        SUB3=sub3,
        ROUTE1=route,
        METHUSE="1" if moud else "2",
    )
    return rec


def _discharge(ep: Episode, inquiry: Inquiry | None, moud: bool, until: dt.date) -> dict[str, str]:
    assert ep.discharged_on is not None
    rec = teds.blank(teds.DISCHARGE)
    rec.update(_admission(ep, inquiry, moud, until))
    stays = list(ep.stays.all())
    rec.update(
        RECORD=teds.DISCHARGE,
        DISDATE=teds.date_code(ep.discharged_on),
        SERVICES_D=_stay_service(stays, len(stays) - 1, ep.discharged_on)
        if stays
        else teds.MISSING,
        REASON=REASON_CODES.get(ep.discharge_reason, teds.MISSING),
        LOS=teds.los_code(teds.los_days(ep.admitted_on, ep.discharged_on)),
    )
    return rec


def _intake_facts(org_id: int, episodes: Iterable[Episode]) -> dict[int, Inquiry]:
    """Each episode's inquiry: the patient's latest one that arrived on or before the
    admission day (the facts told at intake)."""
    eps = list(episodes)
    patients = {e.patient_id for e in eps}
    by_patient: dict[int | None, list[Inquiry]] = {}
    for q in Inquiry.objects.filter(organization_id=org_id, patient_id__in=patients).order_by(
        "arrived_at", "pk"
    ):
        by_patient.setdefault(q.patient_id, []).append(q)
    out: dict[int, Inquiry] = {}
    for e in eps:
        before = [
            q
            for q in by_patient.get(e.patient_id, [])
            if q.arrived_at.astimezone(e.site.tz).date() <= e.admitted_on
        ]
        if before:
            out[e.pk] = before[-1]
    return out


def _moud(org_id: int, episodes: Iterable[Episode], until: dt.date) -> set[int]:
    """The episodes with a methadone or buprenorphine order started during them."""
    eps = list(episodes)
    orders = MedicationOrder.objects.filter(
        organization_id=org_id,
        patient_id__in={e.patient_id for e in eps},
        family__in=MOUD_FAMILIES,
    ).values_list("patient_id", "start_date")
    starts: dict[int, list[dt.date]] = {}
    for pid, start in orders:
        starts.setdefault(pid, []).append(start)
    out = set()
    for e in eps:
        end = e.discharged_on or until
        levels = {s.level for s in e.stays.all()}
        if "opioid_treatment_program" in levels or any(
            e.admitted_on <= s <= end for s in starts.get(e.patient_id, [])
        ):
            out.add(e.pk)
    return out


def build(organization_id: int, start: dt.date, end: dt.date, site: Site | None = None) -> Export:
    """The period's records (a read: no audit event; the callers below write it)."""
    qs = (
        Episode.objects.filter(organization_id=organization_id)
        .filter(
            Q(admitted_on__gte=start, admitted_on__lte=end)
            | Q(discharged_on__gte=start, discharged_on__lte=end)
        )
        .select_related("patient", "site")
        .prefetch_related("stays")
        .order_by("admitted_on", "pk")
    )
    if site is not None:
        qs = qs.filter(site=site)
    episodes = list(qs)
    facts = _intake_facts(organization_id, episodes)
    moud = _moud(organization_id, episodes, end)
    out = Export(organization_id, site, start, end)
    for e in episodes:
        if start <= e.admitted_on <= end:
            out.admissions.append(_admission(e, facts.get(e.pk), e.pk in moud, end))
    for e in sorted(episodes, key=lambda e: (e.discharged_on or end, e.pk)):
        if e.discharged_on is not None and start <= e.discharged_on <= end:
            out.discharges.append(_discharge(e, facts.get(e.pk), e.pk in moud, end))
    out.patient_ids = sorted({e.patient_id for e in episodes})
    return out


def _record_event(actor: Actor, export: Export, **extra: str) -> None:
    from waypoint.audit import services as audit

    audit.record(
        actor,
        "export",
        "teds",
        "",
        patients=export.patient_ids,
        detail={
            "from": export.start.isoformat(),
            "to": export.end.isoformat(),
            "site": export.site.code if export.site else "",
            "admissions": len(export.admissions),
            "discharges": len(export.discharges),
            **extra,
        },
        organization_id=export.organization_id,
    )


def teds_export(actor: Actor, start: dt.date, end: dt.date, site: Site | None = None) -> Export:
    """A staff member's export (permission ``teds.export``): the records and their audit
    event, in one transaction."""
    actor.require("teds.export")
    with transaction.atomic():
        export = build(actor.organization_id, start, end, site)
        _record_event(actor, export)
    return export


def teds_export_cli(
    organization_id: int, start: dt.date, end: dt.date, site: Site | None, os_user: str = ""
) -> Export:
    """``waypoint teds export``: the operator at the command line acts through the
    organization's system account (channel ``cli``), as the other commands do."""
    from waypoint.core.services import system_actor

    with transaction.atomic():
        export = build(organization_id, start, end, site)
        _record_event(
            system_actor(organization_id, "cli"), export, command="teds_export", os_user=os_user
        )
    return export
