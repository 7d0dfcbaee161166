"""Aftercare plans (written at or after discharge, printable) and naloxone kits: reads.

Always scoped to the actor's organization. The chart section's read is audited with the
chart; the printable plan, the naloxone list of the home page and the census's list of
discharges without a plan audit their own reads."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Max, Prefetch, Q
from django.urls import reverse

from waypoint.assessments.models import Assessment, Problem
from waypoint.audit import services as audit
from waypoint.care.models import Episode
from waypoint.clinical import aftercare as rule
from waypoint.clinical.recovery import naloxone_due
from waypoint.core.errors import NotFound
from waypoint.core.models import Site
from waypoint.core.selectors import site_today
from waypoint.directory import selectors as directory
from waypoint.directory import zips
from waypoint.directory.models import Facility
from waypoint.patients import access
from waypoint.patients.selectors import patient_ref

from ..models import NALOXONE_FORMULATIONS, AftercareItem, AftercarePlan, NaloxoneKit

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.patients.models import Patient

FORMULATION_LABELS = dict(NALOXONE_FORMULATIONS)
# The national lines every printed plan carries.
CRISIS_LINES = (
    {
        "name": "988 Suicide & Crisis Lifeline",
        "how": "Call or text 988",
        "when": "24/7, free and confidential",
    },
    {
        "name": "SAMHSA National Helpline",
        "how": "1-800-662-4357 (1-800-662-HELP)",
        "when": "Free, confidential, 24/7, 365 days a year: treatment referral and information",
    },
)
NEAREST_CENTRES = 5
NEAREST_RADIUS_MILES = 100.0
_ZIP_IN_TEXT = re.compile(r"\b(\d{5})(?:-\d{4})?\b")


def latest_episode(organization_id: int, patient_id: int) -> Episode | None:
    """The person's open episode, else their latest discharged one (``None``: never
    admitted)."""
    return (
        Episode.objects.filter(organization_id=organization_id, patient_id=patient_id)
        .select_related("site")
        .order_by(F("discharged_on").desc(nulls_first=True), "-admitted_on", "-id")
        .first()
    )


def plan_site(organization_id: int, plan: AftercarePlan) -> Site | None:
    """The site that follows up a plan: its episode's (the discharging site)."""
    if plan.episode_id is None:
        return None
    ep = (
        Episode.objects.filter(organization_id=organization_id, pk=plan.episode_id)
        .select_related("site")
        .first()
    )
    return ep.site if ep else None


def current_plan(organization_id: int, patient_id: int) -> AftercarePlan | None:
    """The newest plan with its items (older plans are kept, not shown as current)."""
    return (
        AftercarePlan.objects.filter(organization_id=organization_id, patient_id=patient_id)
        .select_related("written_by", "episode")
        .prefetch_related(
            Prefetch("items", queryset=AftercareItem.objects.order_by("next_date", "id"))
        )
        .order_by("-written_at", "-id")
        .first()
    )


def kits_for(organization_id: int, patient_id: int) -> list[NaloxoneKit]:
    rows = list(
        NaloxoneKit.objects.filter(organization_id=organization_id, patient_id=patient_id)
        .select_related("site", "given_by")
        .order_by("-given_on", "-id")
    )
    for k in rows:
        k.formulation_label = FORMULATION_LABELS.get(k.formulation, k.formulation)  # type: ignore[attr-defined]
    return rows


def chart_context(actor: Actor, patient: Patient) -> dict[str, Any]:
    """The chart's "Aftercare and naloxone" section (audited with the chart's read)."""
    org = actor.organization_id
    kits = kits_for(org, patient.pk)
    plan = current_plan(org, patient.pk)
    today = site_today(patient.site)
    return {
        "plan": plan,
        "items": list(plan.items.all()) if plan else [],
        "kits": kits,
        "naloxone_due": naloxone_due(kits[0].given_on if kits else None, today),
        "can_manage": actor.can("aftercare.manage"),
        "can_give": actor.can("naloxone.give"),
        "statuses": list(rule.ITEM_STATUSES),
    }


# --- the printable plan ---------------------------------------------------------------------
def _origin(site: Site | None, patient: Patient) -> tuple[float, float, str] | None:
    """Where to look for centres: the discharging site's published listing, else a ZIP in
    its address, else the person's own ZIP."""
    if site is not None:
        f = Facility.objects.filter(site=site, active=True).values_list("latitude", "longitude")
        point = f.first()
        if point is not None:
            return point[0], point[1], site.name
        m = _ZIP_IN_TEXT.search(site.address or "")
        if m and (p := zips.point(m.group(1))) is not None:
            return p[0], p[1], site.name
    zip5 = zips.well_formed(patient.zip_code or "")
    if zip5 and (p := zips.point(zip5)) is not None:
        return p[0], p[1], f"ZIP {zip5}"
    return None


def nearest_centres(site: Site | None, patient: Patient, limit: int = NEAREST_CENTRES) -> dict:
    """The nearest treatment centres of the public locator (active listings: published
    sites and SAMHSA's directory), with phone and address, nearest first; the discharging
    site's own listing left out (the plan already names it)."""
    origin = _origin(site, patient)
    if origin is None:
        return {"origin": "", "centres": []}
    lat, lon, name = origin
    query = directory.Query(
        latitude=lat, longitude=lon, radius_miles=NEAREST_RADIUS_MILES, limit=limit + 1
    )
    rows = []
    for f, miles in directory.facilities_for(directory.search(query)):
        if site is not None and f.site_id == site.pk:
            continue
        rows.append(
            {
                "id": f.pk,
                "name": " — ".join(x for x in (f.name1, f.name2) if x),
                "street": ", ".join(x for x in (f.street1, f.street2) if x),
                "city": f.city,
                "state": f.state,
                "zip": f.zip,
                "phone": f.phone or f.intake_phone,
                "miles": round(miles, 1),
            }
        )
    return {"origin": name, "centres": rows[:limit]}


def print_context(actor: Actor, patient_id: int) -> dict[str, Any]:
    """The plan the person takes home (recovery.view; an audited read)."""
    actor.require("recovery.view")
    patient = patient_ref(actor, patient_id)
    org = actor.organization_id
    plan = current_plan(org, patient.pk)
    site = plan_site(org, plan) if plan else None
    if site is None:
        latest = latest_episode(org, patient.pk)
        site = latest.site if latest else patient.site
    with transaction.atomic():
        audit.record(
            actor,
            "read",
            "aftercare_plan",
            plan.pk if plan else "",
            patient_id=patient.pk,
            detail={"view": "aftercare_print"},
        )
    items = list(plan.items.all()) if plan else []
    return {
        "patient": patient,
        "plan": plan,
        "items": items,
        "kits": kits_for(org, patient.pk)[:1],
        "site": site,
        "today": site_today(site),
        "lines": CRISIS_LINES,
        **nearest_centres(site, patient),
    }


# --- who is due a kit (the nurse's home panel) ----------------------------------------------
def naloxone_due_rows(actor: Actor, site: Site) -> list[dict[str, Any]]:
    """People with an opioid use disorder diagnosis, in care at ``site`` or discharged from
    it in the last 30 days (and not back in care elsewhere), whose last kit is 12 calendar
    months old or more, or who never had one (``clinical.recovery.naloxone_due``). Not
    audited here: the panel audits what it shows."""
    org = actor.organization_id
    today = site_today(site)
    since = today - dt.timedelta(days=rule.RECENT_DISCHARGE_DAYS)
    eps = list(
        Episode.objects.filter(organization_id=org, site=site)
        .filter(Q(discharged_on__isnull=True) | Q(discharged_on__gte=since))
        .select_related("patient")
        .order_by("patient_id", F("discharged_on").desc(nulls_first=True), "-id")
    )
    open_elsewhere = set(
        Episode.objects.filter(
            organization_id=org,
            patient_id__in={e.patient_id for e in eps},
            discharged_on__isnull=True,
        )
        .exclude(site=site)
        .values_list("patient_id", flat=True)
    )
    by_patient: dict[int, Episode] = {}
    for e in eps:
        if e.patient_id in open_elsewhere:
            continue
        if e.discharged_on is not None and not rule.discharge_recent(e.discharged_on, today):
            continue
        by_patient.setdefault(e.patient_id, e)  # the open one first, else the latest
    ids = list(by_patient)
    severities: dict[int, list[str]] = {}
    for pid, sev in Assessment.objects.filter(
        organization_id=org, patient_id__in=ids, instrument="dsm5_oud"
    ).values_list("patient_id", "severity"):
        severities.setdefault(pid, []).append(sev)
    codes: dict[int, list[str]] = {}
    for pid, code in Problem.objects.filter(
        organization_id=org, patient_id__in=ids, status="active"
    ).values_list("patient_id", "icd10"):
        codes.setdefault(pid, []).append(code)
    last_kit = dict(
        NaloxoneKit.objects.filter(organization_id=org, patient_id__in=ids)
        .values_list("patient_id")
        .annotate(last=Max("given_on"))
    )
    rows: list[dict[str, Any]] = []
    for pid, ep in by_patient.items():
        if not rule.oud_diagnosed(severities.get(pid, []), codes.get(pid, [])):
            continue
        last = last_kit.get(pid)
        if not naloxone_due(last, today):
            continue
        rows.append({"patient": ep.patient, "episode": ep, "last_kit_on": last})
    rows.sort(key=lambda r: (r["last_kit_on"] or dt.date.min, r["episode"].patient_id))
    return rows


def naloxone_home_panel(actor: Actor, site: Site | None) -> dict[str, Any]:
    """The home page's "Naloxone due" panel of the actor's home site (registered in
    views.register for naloxone.give)."""
    if site is None:
        return {"naloxone_rows": [], "naloxone_site": None}
    rows = access.mask_rows(actor, naloxone_due_rows(actor, site))
    if rows:
        with transaction.atomic():
            audit.record(
                actor,
                "list",
                "naloxone_kit",
                "",
                patients=[r["patient"].pk for r in rows],
                detail={
                    "view": "home_naloxone_due",
                    "site": site.code,
                    "results": [r["patient"].pk for r in rows],
                },
            )
    return {"naloxone_rows": rows, "naloxone_site": site}


# --- hooks of care: the census's list and the discharge prompts -------------------------------
def episodes_without_plan(actor: Actor, episodes: list[Episode]) -> set[int]:
    """Of these (discharged) episodes, those with no aftercare plan written for them."""
    ids = [e.pk for e in episodes]
    with_plan = set(
        AftercarePlan.objects.filter(
            organization_id=actor.organization_id, episode_id__in=ids
        ).values_list("episode_id", flat=True)
    )
    return {i for i in ids if i not in with_plan}


def discharge_prompts(actor: Actor, episode: Episode) -> list[dict[str, str]]:
    """What the discharge of ``episode`` asks for that is not done yet: the aftercare
    plan (none written for this episode) and a naloxone kit (none given since the
    episode's last 30 days began), each only to a role that may do it."""
    org = actor.organization_id
    out = []
    if (
        actor.can("aftercare.manage")
        and not AftercarePlan.objects.filter(organization_id=org, episode_id=episode.pk).exists()
    ):
        out.append(
            {
                "key": "aftercare",
                "text": "Write the aftercare plan",
                "url": reverse("recovery:aftercare", args=[episode.patient_id]),
            }
        )
    end = episode.discharged_on or site_today(episode.site)
    since = end - dt.timedelta(days=rule.RECENT_DISCHARGE_DAYS)
    if (
        actor.can("naloxone.give")
        and not NaloxoneKit.objects.filter(
            organization_id=org, patient_id=episode.patient_id, given_on__gte=since
        ).exists()
    ):
        out.append(
            {
                "key": "naloxone",
                "text": "Give a naloxone kit",
                "url": reverse("recovery:naloxone", args=[episode.patient_id]),
            }
        )
    return out


def item_patient_id(actor: Actor, item_id: int) -> int:
    """The patient of an aftercare item of the actor's organization (404 otherwise)."""
    pid = (
        AftercareItem.objects.filter(organization_id=actor.organization_id, pk=item_id)
        .values_list("plan__patient_id", flat=True)
        .first()
    )
    if pid is None:
        raise NotFound("aftercare item")
    return pid
