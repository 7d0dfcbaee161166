"""Assessments through the API: scores computed by the server, refusals store nothing,
flags, the level-of-care recommendation and its decision."""

from __future__ import annotations

import pytest

from waypoint.assessments.models import Assessment, Flag, LevelOfCareAssessment, Problem
from waypoint.audit.models import AuditEvent

COWS_ZERO = dict.fromkeys(
    [
        "resting_pulse",
        "sweating",
        "restlessness",
        "pupil_size",
        "bone_joint_aches",
        "runny_nose_tearing",
        "gi_upset",
        "tremor",
        "yawning",
        "anxiety_irritability",
        "gooseflesh",
    ],
    0,
)
DSM_NAMES = [
    "more_than_intended",
    "unsuccessful_cut_down",
    "time_spent",
    "craving",
    "role_failure",
    "social_problems",
    "activities_given_up",
    "hazardous_use",
    "continued_despite_harm",
    "tolerance",
    "withdrawal",
]
RATINGS_ZERO = dict.fromkeys(
    [
        "d1_intoxication_withdrawal",
        "d2_biomedical",
        "d3_emotional_behavioral",
        "d4_readiness",
        "d5_relapse_potential",
        "d6_recovery_environment",
    ],
    0,
)


@pytest.fixture
def patient(make_patient):
    return make_patient()


def post_assessment(api, patient, instrument, items, role="nurse", **extra):
    return api.post(
        f"/patients/{patient.pk}/assessments",
        role,
        {"instrument": instrument, "items": items, **extra},
    )


def test_cows_scored_by_the_server(api, patient):
    items = COWS_ZERO | {
        "resting_pulse": 2,
        "sweating": 2,
        "gooseflesh": 3,
        "yawning": 2,
        "restlessness": 3,
        "pupil_size": 1,
    }
    s, b = post_assessment(api, patient, "cows", items)
    assert s == 201, b
    assert (b["instrument"], b["total"], b["severity"], b["flags"]) == ("cows", 13, "moderate", [])
    assert Assessment.objects.get(pk=b["id"]).total == 13
    assert (
        AuditEvent.objects.filter(
            patient=patient, action="create", object_type="assessment"
        ).count()
        == 1
    )


def test_a_client_total_is_never_taken(api, patient):
    s, b = api.post(
        f"/patients/{patient.pk}/assessments",
        "nurse",
        {"instrument": "cows", "items": COWS_ZERO, "total": 40},
    )
    assert s == 422 and b["code"] == "invalid_input"
    s, b = post_assessment(api, patient, "cows", COWS_ZERO | {"total": 40})
    assert s == 422 and b["code"] == "unknown_item"
    assert Assessment.objects.count() == 0


@pytest.mark.parametrize(
    ("instrument", "items", "code"),
    [
        ("cows", COWS_ZERO | {"resting_pulse": 3}, "item_out_of_range"),
        ("cows", {k: v for k, v in COWS_ZERO.items() if k != "tremor"}, "missing_item"),
        ("phq9", {f"q{i}": 0 for i in range(1, 10)} | {"q4": 4}, "item_out_of_range"),
        ("phq9", {f"q{i}": 0 for i in range(1, 9)}, "missing_item"),
        ("gad7", {f"q{i}": 1 for i in range(1, 8)} | {"q1": "1"}, "item_out_of_range"),
        ("dsm5_oud", dict.fromkeys(DSM_NAMES, 1), "item_out_of_range"),
        (
            "dsm5_oud",
            {n: i < 4 for i, n in enumerate(DSM_NAMES)}
            | {"in_withdrawal_now": True, "months_without_criteria": 3},
            "withdrawal_with_remission",
        ),
        ("audit_c", {}, "unknown_instrument"),
    ],
)
def test_invalid_items_get_422_with_a_stable_code_and_store_nothing(
    api, patient, instrument, items, code
):
    before = AuditEvent.objects.count()
    s, b = post_assessment(api, patient, instrument, items)
    assert (s, b["code"]) == (422, code), b
    assert "detail" in b
    assert Assessment.objects.count() == 0 and Flag.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_dsm5_answer_carries_icd10(api, patient):
    items = {n: i < 6 for i, n in enumerate(DSM_NAMES)}
    s, b = post_assessment(api, patient, "dsm5_oud", items, role="intake")
    assert s == 201
    assert (b["total"], b["severity"], b["icd10"]) == (6, "severe", "F11.20")


def test_dsm5_maintenance_specifier_only_with_remission(api, patient):
    items = {n: i < 5 for i, n in enumerate(DSM_NAMES)} | {"on_maintenance_therapy": True}
    s, b = post_assessment(api, patient, "dsm5_oud", items)
    assert s == 201 and b["details"]["specifiers"] == []
    assert b["details"]["not_applied"] == ["on_maintenance_therapy"]
    s, b = post_assessment(api, patient, "dsm5_oud", items | {"months_without_criteria": 12})
    assert s == 201 and b["icd10"] == "F11.21"
    assert b["details"]["specifiers"] == ["in_sustained_remission", "on_maintenance_therapy"]


@pytest.mark.parametrize(("severity_met", "level"), [(2, "outpatient"), (4, "outpatient")])
def test_pregnancy_recommends_otp_or_office_based_buprenorphine(api, patient, severity_met, level):
    post_assessment(
        api, patient, "dsm5_oud", {n: i < severity_met for i, n in enumerate(DSM_NAMES)}
    )
    s, b = api.post(
        f"/patients/{patient.pk}/level-of-care-assessments",
        "intake",
        {"ratings": RATINGS_ZERO, "pregnant": True},
    )
    assert s == 201, b
    assert b["recommended_level"] == level and b["medication_recommended"] is True
    pregnancy = [r for r in b["reasons"] if r.startswith("Pregnancy")]
    assert len(pregnancy) == 1 and "office-based" in pregnancy[0]
    assert "opioid treatment program" in pregnancy[0]


def test_phq9_item9_raises_a_suicide_flag_until_acknowledged(api, patient):
    s, b = post_assessment(
        api, patient, "phq9", {f"q{i}": 0 for i in range(1, 9)} | {"q9": 1}, role="counselor"
    )
    assert s == 201 and b["flags"] == ["suicide_risk"] and b["severity"] == "minimal"
    s, flags = api.get(f"/patients/{patient.pk}/flags", "nurse")
    assert s == 200 and [f["kind"] for f in flags] == ["suicide_risk"]
    flag_id = flags[0]["id"]
    s, b = api.post(f"/flags/{flag_id}/acknowledge", "intake", {"note": "x"})
    assert (s, b["code"]) == (403, "forbidden")
    s, b = api.post(f"/flags/{flag_id}/acknowledge", "physician", {"note": "Safety plan made"})
    assert s == 200 and b["acknowledged_at"]
    s, b = api.post(f"/flags/{flag_id}/acknowledge", "physician", {"note": "again"})
    assert (s, b["code"]) == (409, "already_acknowledged")


def test_risk_screen_overdose_flag(api, patient):
    s, b = api.post(
        f"/patients/{patient.pk}/risk-factors",
        "intake",
        {"factors": {"injection_use": True, "overdose_last_year": True}},
    )
    assert s == 201 and b["infection_testing_indicated"] is True
    assert Flag.objects.get(patient=patient).kind == "overdose_risk"
    s, b = api.post(
        f"/patients/{patient.pk}/risk-factors", "intake", {"factors": {"telepathy": True}}
    )
    assert (s, b["code"]) == (422, "unknown_item")


def test_level_of_care_recommend_accept_and_override(api, patient):
    post_assessment(api, patient, "dsm5_oud", {n: i < 7 for i, n in enumerate(DSM_NAMES)})
    post_assessment(
        api,
        patient,
        "cows",
        COWS_ZERO
        | {
            "resting_pulse": 4,
            "sweating": 4,
            "restlessness": 5,
            "pupil_size": 5,
            "gi_upset": 5,
            "gooseflesh": 5,
        },
    )
    s, b = api.post(
        f"/patients/{patient.pk}/level-of-care-assessments", "intake", {"ratings": RATINGS_ZERO}
    )
    assert s == 201, b
    assert b["recommended_level"] == "withdrawal_management"  # COWS 28
    assert (b["dsm5_severity"], b["cows_total"], b["decision"]) == ("severe", 28, "pending")
    loc_id = b["id"]
    s, b = api.post(f"/level-of-care-assessments/{loc_id}/decision", "intake", {"accept": True})
    assert (s, b["code"]) == (403, "forbidden")
    s, b = api.post(
        f"/level-of-care-assessments/{loc_id}/decision",
        "physician",
        {"accept": False, "level": "opioid_treatment_program", "reason": "short"},
    )
    assert (s, b["code"]) == (422, "override_reason_required")
    s, b = api.post(
        f"/level-of-care-assessments/{loc_id}/decision",
        "physician",
        {"accept": False, "level": "moon_base", "reason": "a long enough reason"},
    )
    assert (s, b["code"]) == (422, "unknown_level_of_care")
    s, b = api.post(
        f"/level-of-care-assessments/{loc_id}/decision",
        "physician",
        {
            "accept": False,
            "level": "opioid_treatment_program",
            "reason": "Same-day methadone induction at the OTP is available",
        },
    )
    assert s == 200 and (b["decision"], b["decided_level"]) == (
        "overridden",
        "opioid_treatment_program",
    )
    assert LevelOfCareAssessment.objects.get(pk=loc_id).override_reason.startswith("Same-day")
    s, b = api.post(f"/level-of-care-assessments/{loc_id}/decision", "physician", {"accept": True})
    assert (s, b["code"]) == (409, "already_decided")


def test_level_of_care_bad_ratings(api, patient):
    s, b = api.post(
        f"/patients/{patient.pk}/level-of-care-assessments",
        "intake",
        {"ratings": RATINGS_ZERO | {"d2_biomedical": 5}},
    )
    assert (s, b["code"]) == (422, "item_out_of_range")
    assert LevelOfCareAssessment.objects.count() == 0


def test_problems(api, patient):
    s, b = api.post(f"/patients/{patient.pk}/problems", "counselor", {"condition": "depression"})
    assert s == 201 and b["icd10"] == "F32.A"
    s, b = api.post(f"/patients/{patient.pk}/problems", "counselor", {"condition": "vapours"})
    assert (s, b["code"]) == (422, "unknown_condition")
    s, b = api.post(f"/patients/{patient.pk}/problems", "nurse", {"condition": "anxiety"})
    assert (s, b["code"]) == (403, "forbidden")
    pid = Problem.objects.get().pk
    assert api.post(f"/problems/{pid}/resolve", "physician")[1]["status"] == "resolved"
    assert api.post(f"/problems/{pid}/resolve", "physician")[0] == 409


def test_other_organizations_patient_is_not_found(api, other_org_api, patient):
    s, b = post_assessment(other_org_api, patient, "cows", COWS_ZERO)
    assert (s, b["code"]) == (404, "not_found")
    s, b = other_org_api.get(f"/patients/{patient.pk}/assessments", "nurse")
    assert s == 404


def test_future_administration_time_refused(api, patient):
    s, b = post_assessment(
        api, patient, "cows", COWS_ZERO, administered_at="2999-01-01T10:00:00+00:00"
    )
    assert (s, b["code"]) == (422, "time_in_future")
    assert Assessment.objects.count() == 0


def test_auditor_and_incentives_cannot_record(api, patient):
    for role in ("auditor", "incentives"):
        s, b = post_assessment(api, patient, "cows", COWS_ZERO, role=role)
        assert (s, b["code"]) == (403, "forbidden")
