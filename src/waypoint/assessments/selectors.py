"""Reads of assessments, risk screens, problems, level-of-care decisions and flags; scoped
to the actor's organization; API reads are audited (the chart page's read is audited once
for the whole chart)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.safestring import mark_safe

from waypoint.audit import services as audit
from waypoint.clinical.level_of_care import LEVEL_LABELS, LEVELS
from waypoint.clinical.registry import INSTRUMENTS
from waypoint.patients.selectors import patient_ref

from .models import Assessment, Flag, LevelOfCareAssessment, Problem, RiskFactorScreen
from .svg import tracker_svg

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


def chart_context(actor: Actor, patient: Patient) -> dict:
    org = actor.organization_id
    assessments = list(Assessment.objects.filter(organization_id=org, patient=patient)[:50])
    latest: dict[str, Assessment] = {}
    for a in assessments:
        latest.setdefault(a.instrument, a)
    return {
        "assessments": assessments,
        "latest": latest,
        "cows_svg": cows_tracker(patient),
        "cows_count": sum(1 for a in assessments if a.instrument == "cows"),
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
