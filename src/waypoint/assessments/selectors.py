"""Reads of assessments, risk screens, problems, level-of-care decisions and flags; scoped
to the actor's organization; API reads are audited (the chart page's read is audited once
for the whole chart)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime

from waypoint.audit import services as audit
from waypoint.clinical.level_of_care import LEVEL_LABELS, LEVELS
from waypoint.clinical.registry import INSTRUMENTS
from waypoint.core.errors import NotFound
from waypoint.core.models import User
from waypoint.patients.selectors import patient_ref

from .models import Assessment, Flag, LevelOfCareAssessment, Problem, RiskFactorScreen
from .svg import sparkline_svg, tracker_svg

if TYPE_CHECKING:
    from waypoint.core.actor import Actor
    from waypoint.patients.models import Patient


def assessments_list(
    actor: Actor, patient_id: int, instrument: str | None = None
) -> list[Assessment]:
    actor.require("assessment.view")
    with transaction.atomic():
        patient = patient_ref(actor, patient_id)
        qs = Assessment.objects.filter(organization_id=actor.organization_id, patient=patient)
        if instrument:
            qs = qs.filter(instrument=instrument)
        rows = list(qs[:500])
        audit.record(
            actor,
            "read",
            "assessment",
            "",
            patient_id=patient.pk,
            detail={"instrument": instrument or "all", "count": len(rows)},
        )
    return rows


def open_flags(organization_id: int, patient: Patient) -> list[Flag]:
    return list(
        Flag.objects.filter(
            organization_id=organization_id, patient=patient, acknowledged_at__isnull=True
        )
    )


def flags_list(actor: Actor, patient_id: int) -> list[Flag]:
    actor.require("assessment.view")
    with transaction.atomic():
        patient = patient_ref(actor, patient_id)
        rows = list(Flag.objects.filter(organization_id=actor.organization_id, patient=patient))
        audit.record(actor, "read", "flag", "", patient_id=patient.pk)
    return rows


def cows_tracker(patient: Patient, limit: int = 60) -> str:
    """The COWS series (oldest first) as an inline SVG chart with band lines."""
    rows = list(
        Assessment.objects.filter(
            organization_id=patient.organization_id, patient=patient, instrument="cows"
        )
        .order_by("-administered_at")
        .values_list("administered_at", "total")[:limit]
    )[::-1]
    inst = INSTRUMENTS["cows"]
    svg = tracker_svg(rows, inst.bands, inst.max_total, "COWS over time", patient.site.tz)
    return mark_safe(svg)  # noqa: S308 - built from numbers, dates and escaped labels


def chart_context(actor: Actor, patient: Patient, page: int = 1) -> dict:
    """The Assessments tab's sections (the scores 20 a page, newest first)."""
    from waypoint.patients.chart import paged

    org = actor.organization_id
    pager = paged(
        Assessment.objects.filter(organization_id=org, patient=patient).select_related(
            "administered_by"
        ),
        page,
    )
    assessments = pager.items
    latest: dict[str, Assessment] = {}
    for name in INSTRUMENTS:  # one indexed query per instrument
        last = (
            Assessment.objects.filter(organization_id=org, patient=patient, instrument=name)
            .order_by("-administered_at", "-id")
            .first()
        )
        if last is not None:
            latest[name] = last
    return {
        "assessments": assessments,
        "pager": pager,
        "latest": latest,
        "cows_svg": cows_tracker(patient),
        "cows_count": Assessment.objects.filter(
            organization_id=org, patient=patient, instrument="cows"
        ).count(),
        "instruments": INSTRUMENTS,
        "risk": RiskFactorScreen.objects.filter(organization_id=org, patient=patient).first(),
        "problems": list(Problem.objects.filter(organization_id=org, patient=patient)),
        "loc": list(LevelOfCareAssessment.objects.filter(organization_id=org, patient=patient)[:5]),
        "level_choices": [(lvl, LEVEL_LABELS[lvl]) for lvl in LEVELS],
        "conditions": [(c[0], c[1]) for c in Problem.CONDITIONS],
        "can_record": actor.can("assessment.record"),
        "can_problems": actor.can("problem.manage"),
        "can_assess_loc": actor.can("level_of_care.assess"),
        "can_decide_loc": actor.can("level_of_care.decide"),
    }


SUMMARY_INSTRUMENTS = {"cows": "COWS", "phq9": "PHQ-9", "gad7": "GAD-7"}
SPARK_POINTS = 10


def summary_card(actor: Actor, patient: Patient) -> dict:
    """The face sheet's scores: the last COWS, PHQ-9 and GAD-7, each with the trend of its
    last 10 scores as a sparkline (one indexed query per instrument; no audit event)."""
    rows: list[dict[str, Any]] = []
    for name, short in SUMMARY_INSTRUMENTS.items():
        recent = list(
            Assessment.objects.filter(
                organization_id=actor.organization_id, patient=patient, instrument=name
            )
            .order_by("-administered_at", "-id")
            .only("instrument", "total", "severity", "administered_at")[:SPARK_POINTS]
        )
        inst = INSTRUMENTS[name]
        if not recent:
            rows.append({"name": name, "label": short, "last": None, "svg": ""})
            continue
        values = [a.total for a in reversed(recent)]
        title = f"{short}: last {len(values)} scores, oldest first: " + ", ".join(
            str(v) for v in values
        )
        rows.append(
            {
                "name": name,
                "label": short,
                "last": recent[0],
                "previous": recent[1] if len(recent) > 1 else None,
                "svg": mark_safe(sparkline_svg(values, inst.max_total, title)),  # noqa: S308 - numbers and an escaped title
            }
        )
    return {"scores": rows}


# --- open safety flags: who must act, the site's list, the home page's task ---------------
# Waypoint has no assigned clinician per patient (an episode names none), so a flag is the
# task of the clinical staff of the patient's home site: every active physician, counselor
# and nurse there (the roles that may acknowledge a flag, the administrator aside, who sees
# the site's list instead). Physicians come first in "who to call now".
RESPONSIBLE_ROLES = ("physician", "counselor", "nurse")
SAFETY_KINDS = ("suicide_risk", "overdose_risk")


def responsible_staff(organization_id: int, site_id: int | None) -> list[User]:
    """The clinical staff a site's open flags are the task of (physicians first)."""
    if site_id is None:
        return []
    rows = list(
        User.objects.filter(
            organization_id=organization_id,
            site_id=site_id,
            is_active=True,
            role__in=RESPONSIBLE_ROLES,
        ).order_by("last_name", "first_name", "username")
    )
    rank = {r: i for i, r in enumerate(RESPONSIBLE_ROLES)}
    return sorted(rows, key=lambda u: rank[u.role])


def _open_flags_at(organization_id: int, site_id: int | None):
    qs = Flag.objects.filter(
        organization_id=organization_id, acknowledged_at__isnull=True, kind__in=SAFETY_KINDS
    ).select_related("patient", "patient__site")
    if site_id is not None:
        qs = qs.filter(patient__site_id=site_id)
    return qs.order_by("raised_at", "id")


def site_open_flags(actor: Actor, site) -> list[Flag]:
    """A site's open (unacknowledged) flags, oldest first: the clinical lead's list. One
    ``list`` audit event names the patients shown."""
    actor.require("safety_flags.view")
    rows = list(_open_flags_at(actor.organization_id, site.pk)[:500])
    with transaction.atomic():
        audit.record(
            actor,
            "list",
            "flag",
            "",
            detail={
                "view": "open_safety_flags",
                "site": site.code,
                "results": sorted({f.patient_id for f in rows}),
            },
        )
    return rows


def flag_for_prompt(actor: Actor, flag_id: int) -> Flag:
    """One flag with its patient, for the next-steps page; 404 across organizations. The
    read of the patient's flag is audited."""
    actor.require("assessment.view")
    flag = (
        Flag.objects.select_related("patient", "patient__site")
        .filter(pk=flag_id, organization_id=actor.organization_id)
        .first()
    )
    if flag is None:
        raise NotFound("flag")
    with transaction.atomic():
        audit.record(
            actor, "read", "flag", flag.pk, patient_id=flag.patient_id, detail={"view": "prompt"}
        )
    return flag


HOME_FLAGS = 8  # safety flags listed on the home page (the count says how many in all)


def home_panel(actor: Actor, site) -> dict:
    """The home page's safety panel (registered in apps.py): the open flags of the actor's
    home site, theirs to act on when their role is a responsible one; the count for others.
    Without a home site, the organization's."""
    site_id = site.pk if site is not None else None
    flags = _open_flags_at(actor.organization_id, site_id)
    # the first HOME_FLAGS and the count: the site's list (linked) has them all, and the
    # role's own work below stays on the first screen (issue 19)
    rows = list(flags[:HOME_FLAGS])
    total = len(rows) if len(rows) < HOME_FLAGS else flags.count()
    for f in rows:
        f.raised_local = localtime(f.raised_at, f.patient.site.tz)
    if rows:
        with transaction.atomic():
            audit.record(
                actor,
                "list",
                "flag",
                "",
                detail={
                    "view": "home_safety_tasks",
                    "site": site.code if site else "",
                    "results": sorted({f.patient_id for f in rows}),
                },
            )
    return {
        "flag_tasks": rows,
        "flag_total": total,
        "flags_mine": actor.role in RESPONSIBLE_ROLES,
        "can_ack": actor.can("flag.acknowledge"),
    }
