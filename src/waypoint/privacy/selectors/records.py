"""The records of each category of information, as they leave the program in a disclosure
package: built from the real rows of each capability, scoped to the organization and the
patient, and nothing else (minimum necessary, 42 CFR 2.13(a): a package holds only the
categories asked for and covered).

These reads write no audit event of their own: the disclosure (or its preview) that asks
for them writes one for the whole package, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from waypoint.assessments.models import Assessment, Problem
from waypoint.care.models import SessionAttendee, TreatmentPlan
from waypoint.clinical import privacy as rule
from waypoint.labs.models import DrugTest
from waypoint.medication.models import DoseEvent, MedicationOrder
from waypoint.notes.selectors import counseling
from waypoint.patients.models import Patient


def _day(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _time(t: dt.datetime | None) -> str | None:
    return t.isoformat() if t else None


def _mg(v: Decimal) -> str:
    return format(v.normalize(), "f")


def demographics(org: int, p: Patient) -> list[dict]:
    return [
        {
            "mrn": p.mrn,
            "first_name": p.first_name,
            "last_name": p.last_name,
            "preferred_name": p.preferred_name,
            "date_of_birth": _day(p.date_of_birth),
            "sex_at_birth": p.sex_at_birth,
            "gender_identity": p.gender_identity,
            "pronouns": p.pronouns,
            "preferred_language": p.preferred_language,
            "phone": p.phone,
            "email": p.email,
            "address": {
                "line1": p.address_line1,
                "line2": p.address_line2,
                "city": p.city,
                "state": p.state,
                "zip": p.zip_code,
            },
        }
    ]


def diagnosis(org: int, p: Patient) -> list[dict]:
    """Opioid use disorder as the DSM-5 assessments found it (with ICD-10-CM), and the
    co-occurring conditions of the problem list."""
    out: list[dict] = []
    for a in Assessment.objects.filter(
        organization_id=org, patient=p, instrument="dsm5_oud"
    ).order_by("administered_at", "id"):
        out.append(
            {
                "source": "dsm5_oud",
                "on": _time(a.administered_at),
                "condition": f"Opioid use disorder, {a.severity}",
                "criteria_met": a.total,
                "icd10": (a.details or {}).get("icd10") or "",
                "display": (a.details or {}).get("icd10_display") or "",
            }
        )
    for pr in Problem.objects.filter(organization_id=org, patient=p).order_by("noted_at", "id"):
        out.append(
            {
                "source": "problem_list",
                "on": _time(pr.noted_at),
                "condition": pr.display,
                "icd10": pr.icd10,
                "status": pr.status,
                "onset": _day(pr.onset),
                "resolved_at": _time(pr.resolved_at),
            }
        )
    return out


def assessments(org: int, p: Patient) -> list[dict]:
    return [
        {
            "instrument": a.instrument,
            "administered_at": _time(a.administered_at),
            "total": a.total,
            "severity": a.severity,
            "flags": list(a.flags),
        }
        for a in Assessment.objects.filter(organization_id=org, patient=p).order_by(
            "administered_at", "id"
        )
    ]


def medications(org: int, p: Patient) -> list[dict]:
    """Every order (with its current dose and state) and every dose given."""
    out: list[dict] = []
    for o in MedicationOrder.objects.filter(organization_id=org, patient=p).order_by(
        "signed_at", "id"
    ):
        out.append(
            {
                "kind": "order",
                "id": o.pk,
                "medication": o.medication,
                "dose_mg": _mg(o.dose_mg),
                "schedule": o.schedule,
                "route": o.route,
                "start_date": _day(o.start_date),
                "stop_date": _day(o.stop_date),
                "signed_at": _time(o.signed_at),
                "stopped_at": _time(o.stopped_at),
                "instructions": o.instructions,
            }
        )
    for d in (
        DoseEvent.objects.filter(organization_id=org, patient=p)
        .select_related("order")
        .order_by("administered_at", "id")
    ):
        out.append(
            {
                "kind": "dose",
                "order": d.order_id,
                "medication": d.order.medication,
                "dose_mg": _mg(d.dose_mg),
                "administered_at": _time(d.administered_at),
                "day": _day(d.local_day),
            }
        )
    return out


def drug_tests(org: int, p: Patient) -> list[dict]:
    return [
        {
            "collected_at": _time(t.collected_at),
            "specimen": t.specimen,
            "method": t.method,
            "observed": t.observed,
            "confirmed": t.confirmed,
            "reason": t.reason,
            "results": {r.analyte: r.result for r in t.results.all()},
        }
        for t in DrugTest.objects.filter(organization_id=org, patient=p)
        .prefetch_related("results")
        .order_by("collected_at", "id")
    ]


def attendance(org: int, p: Patient) -> list[dict]:
    return [
        {
            "session_at": _time(a.session.starts_at),
            "kind": a.session.kind,
            "duration_minutes": a.session.duration_minutes,
            "status": a.status or "not_recorded",
            "minutes": a.minutes,
        }
        for a in SessionAttendee.objects.filter(organization_id=org, patient=p)
        .select_related("session")
        .order_by("session__starts_at", "id")
    ]


def treatment_plan(org: int, p: Patient) -> list[dict]:
    """The current version of each episode's plan (not the superseded ones)."""
    return [
        {
            "episode": plan.episode_id,
            "version": plan.version,
            "status": plan.status,
            "plan_date": _day(plan.plan_date),
            "level_of_care": plan.level_of_care,
            "review_due_on": _day(plan.review_due_on),
            "problems": (plan.content or {}).get("problems", []),
        }
        for plan in TreatmentPlan.objects.filter(
            organization_id=org, patient=p, superseded_at__isnull=True
        ).order_by("plan_date", "id")
    ]


def counseling_notes(org: int, p: Patient) -> list[dict]:
    """The SUD counseling notes of the patient's signed notes (notes app: kept apart from
    the notes, ``notes.selectors.counseling.disclosure_rows``). The rule lets this
    category out only under a consent naming counseling notes alone (2.31(b)), never in
    an emergency and never with another category."""
    return counseling.disclosure_rows(org, p.pk)


BUILDERS: dict[str, Callable[[int, Patient], list[dict]]] = {
    "demographics": demographics,
    "diagnosis": diagnosis,
    "assessments": assessments,
    "medications": medications,
    "drug_tests": drug_tests,
    "attendance": attendance,
    "treatment_plan": treatment_plan,
    "counseling_notes": counseling_notes,
}
assert tuple(BUILDERS) == rule.CATEGORIES


def build_records(org: int, patient: Patient, categories) -> dict[str, list[dict]]:
    """Only the categories given, in the contract's order."""
    return {c: BUILDERS[c](org, patient) for c in rule.CATEGORIES if c in set(categories)}


def canonical(package: dict[str, Any]) -> bytes:
    return json.dumps(
        package, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    ).encode()


def sha256(package: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(package)).hexdigest()
