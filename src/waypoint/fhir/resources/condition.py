"""Condition (issue 20 item 1): the opioid use disorder diagnosis from the patient's latest
DSM-5 OUD assessment (ICD-10-CM per domain.md §1 as ``clinical.dsm5_oud`` codes it;
prefix ``oud``; an assessment whose criteria make no diagnosis, or an older one, is not
served), and the co-occurring conditions of the problem list (prefix ``problem``)."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery

from waypoint.assessments.models import Assessment, Problem

from .. import codes
from ..registry import Provider
from .base import ModelProvider, iso, ref


def _clinical(code: str) -> dict[str, Any]:
    return {"coding": [{"system": codes.CONDITION_CLINICAL, "code": code}]}


VERIFIED = {"coding": [{"system": codes.CONDITION_VERIFICATION, "code": "confirmed"}]}
PROBLEM_LIST = [{"coding": [{"system": codes.CONDITION_CATEGORY, "code": "problem-list-item"}]}]
DIAGNOSIS = [{"coding": [{"system": codes.CONDITION_CATEGORY, "code": "encounter-diagnosis"}]}]


def _code_q(system: str | None, code: str, field: str) -> Q | None:
    if system not in (None, codes.ICD10CM):
        return None
    return Q(**{field: code})


class OudProvider(ModelProvider):
    resource_type = "Condition"
    prefix = "oud"
    permission = "assessment.view"
    category = "diagnosis"
    date_field = "administered_at"
    order = ("-administered_at", "-pk")

    def rows(self, organization_id: int) -> QuerySet[Assessment]:
        mine = Assessment.objects.filter(organization_id=organization_id, instrument="dsm5_oud")
        latest = mine.filter(patient_id=OuterRef("patient_id")).order_by("-administered_at", "-pk")
        return (
            mine.filter(pk=Subquery(latest.values("pk")[:1]))
            .exclude(details__icd10=None)
            .exclude(details__icd10="")
            .filter(details__has_key="icd10")
        )

    def code_q(self, system: str | None, code: str) -> Q | None:
        return _code_q(system, code, "details__icd10")

    def resource(self, a: Assessment) -> dict[str, Any]:
        icd = a.details.get("icd10", "")
        display = a.details.get("icd10_display") or f"Opioid use disorder, {a.severity}"
        remission = a.details.get("remission")
        body: dict[str, Any] = {
            "clinicalStatus": _clinical("remission" if remission else "active"),
            "verificationStatus": VERIFIED,
            "category": DIAGNOSIS,
            "code": {
                "coding": [{"system": codes.ICD10CM, "code": icd, "display": display}],
                "text": f"Opioid use disorder, {a.severity}"
                + (f", in {remission} remission" if remission else ""),
            },
            "subject": ref(a.patient_id),
            "recordedDate": iso(a.administered_at),
        }
        if a.severity in ("mild", "moderate", "severe"):
            body["severity"] = {"text": a.severity}
        return body


class ProblemProvider(ModelProvider):
    resource_type = "Condition"
    prefix = "problem"
    permission = "assessment.view"
    category = "diagnosis"
    date_field = "noted_at"
    order = ("-noted_at", "-pk")

    def rows(self, organization_id: int) -> QuerySet[Problem]:
        return Problem.objects.filter(organization_id=organization_id)

    def code_q(self, system: str | None, code: str) -> Q | None:
        return _code_q(system, code, "icd10")

    def resource(self, p: Problem) -> dict[str, Any]:
        coding = [{"system": codes.ICD10CM, "code": p.icd10}] if p.icd10 else []
        body: dict[str, Any] = {
            "clinicalStatus": _clinical("resolved" if p.status == "resolved" else "active"),
            "verificationStatus": VERIFIED,
            "category": PROBLEM_LIST,
            "code": {**({"coding": coding} if coding else {}), "text": p.display},
            "subject": ref(p.patient_id),
            "recordedDate": iso(p.noted_at),
        }
        if p.onset:
            body["onsetDateTime"] = p.onset.isoformat()
        if p.resolved_at:
            body["abatementDateTime"] = iso(p.resolved_at)
        return body


def providers() -> list[Provider]:
    return [OudProvider(), ProblemProvider()]
