"""Observation (issue 20 item 1): the COWS, PHQ-9 and GAD-7 as survey Observations
(prefix ``assessment``: the total as the value, one component per item; LOINC for the
PHQ-9 and GAD-7 totals as ``codes.INSTRUMENT_LOINC`` verified them, Waypoint's own
instrument code always), and drug-test results, one laboratory Observation per analyte
result (prefix ``drugtest``; the analyte under ``codes.ANALYTE_SYSTEM``; "not tested"
results are not observations and are not served)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from waypoint.assessments.models import Assessment
from waypoint.labs.models import DrugTestResult

from .. import codes
from ..registry import Provider
from .base import ModelProvider, iso, ref

SURVEYS = ("cows", "phq9", "gad7")
TITLES = {"cows": "Clinical Opiate Withdrawal Scale", "phq9": "PHQ-9", "gad7": "GAD-7"}


def _category(code: str) -> list[dict[str, Any]]:
    return [{"coding": [{"system": codes.OBSERVATION_CATEGORY, "code": code}]}]


class SurveyProvider(ModelProvider):
    resource_type = "Observation"
    prefix = "assessment"
    permission = "assessment.view"
    category = "assessments"
    date_field = "administered_at"
    order = ("-administered_at", "-pk")

    def rows(self, organization_id: int) -> QuerySet[Assessment]:
        return Assessment.objects.filter(organization_id=organization_id, instrument__in=SURVEYS)

    def code_q(self, system: str | None, code: str) -> Q | None:
        if system in (None, codes.INSTRUMENT_SYSTEM) and code in SURVEYS:
            return Q(instrument=code)
        if system in (None, codes.LOINC):
            named = [k for k, (loinc, _) in codes.INSTRUMENT_LOINC.items() if loinc == code]
            return Q(instrument__in=named) if named else None
        return None

    def resource(self, a: Assessment) -> dict[str, Any]:
        coding = [{"system": codes.INSTRUMENT_SYSTEM, "code": a.instrument}]
        if a.instrument in codes.INSTRUMENT_LOINC:
            loinc, display = codes.INSTRUMENT_LOINC[a.instrument]
            coding.insert(0, {"system": codes.LOINC, "code": loinc, "display": display})
        components = [
            {
                "code": {"coding": [{"system": codes.ITEM_SYSTEM, "code": f"{a.instrument}.{k}"}]},
                "valueInteger": int(v),
            }
            for k, v in sorted(a.items.items())
            if isinstance(v, int)  # every item of these three is a number
        ]
        return {
            "status": "final",
            "category": _category("survey"),
            "code": {"coding": coding, "text": TITLES.get(a.instrument, a.instrument)},
            "subject": ref(a.patient_id),
            "effectiveDateTime": iso(a.administered_at),
            "valueInteger": a.total,
            "interpretation": [{"text": a.severity}],
            "component": components,
        }


# a drug test's result as the v3 interpretation codes: POS / NEG; invalid: no interpretation
INTERPRETATIONS = {"positive": ("POS", "Positive"), "negative": ("NEG", "Negative")}


class DrugTestProvider(ModelProvider):
    resource_type = "Observation"
    prefix = "drugtest"
    permission = "drugtest.view"
    category = "drug_tests"
    patient_field = "test__patient_id"
    date_field = "test__collected_at"
    order = ("-test__collected_at", "-pk")

    def rows(self, organization_id: int) -> QuerySet[DrugTestResult]:
        return (
            DrugTestResult.objects.filter(test__organization_id=organization_id)
            .exclude(result="not_tested")
            .select_related("test")
        )

    def patient_of(self, row: Any) -> int | None:
        return row.test.patient_id

    def code_q(self, system: str | None, code: str) -> Q | None:
        if system in (None, codes.ANALYTE_SYSTEM):
            return Q(analyte=code)
        return None

    def resource(self, r: DrugTestResult) -> dict[str, Any]:
        test = r.test
        body: dict[str, Any] = {
            "status": "final" if test.confirmed or test.method != "lab" else "preliminary",
            "category": _category("laboratory"),
            "code": {
                "coding": [{"system": codes.ANALYTE_SYSTEM, "code": r.analyte}],
                "text": f"{r.analyte} ({test.specimen.replace('_', ' ')}, {test.method})",
            },
            "subject": ref(test.patient_id),
            "effectiveDateTime": iso(test.collected_at),
            "issued": iso(test.recorded_at),
            "valueCodeableConcept": {"text": r.result},
        }
        if r.result in INTERPRETATIONS:
            code, display = INTERPRETATIONS[r.result]
            body["interpretation"] = [
                {"coding": [{"system": codes.INTERPRETATION, "code": code, "display": display}]}
            ]
        return body


def providers() -> list[Provider]:
    return [SurveyProvider(), DrugTestProvider()]
