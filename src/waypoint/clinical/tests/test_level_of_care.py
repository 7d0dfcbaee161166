"""The level-of-care rule at each of its thresholds."""

from __future__ import annotations

import pytest

from waypoint.clinical.instrument import ScoreError
from waypoint.clinical.level_of_care import DIMENSIONS, Ratings, recommend, validate_ratings

NAMES = [n for n, _ in DIMENSIONS]


def ratings(**kw) -> Ratings:
    base = dict.fromkeys(NAMES, 0)
    for short, v in kw.items():
        base[next(n for n in NAMES if n.startswith(short + "_"))] = v
    return Ratings(**base)


def test_all_low_is_outpatient():
    r = recommend(ratings(), "mild")
    assert r.level == "outpatient" and not r.medication_recommended and not r.provisional


@pytest.mark.parametrize(
    ("d1", "level"), [(2, "outpatient"), (3, "withdrawal_management"), (4, "withdrawal_management")]
)
def test_dimension1_threshold(d1, level):
    assert recommend(ratings(d1=d1), "mild").level == level


@pytest.mark.parametrize(
    ("cows", "level"),
    [(24, "outpatient"), (25, "withdrawal_management"), (48, "withdrawal_management")],
)
def test_cows_threshold_for_withdrawal_management(cows, level):
    assert recommend(ratings(), "mild", cows).level == level


@pytest.mark.parametrize("dim", ["d2", "d3", "d6"])
@pytest.mark.parametrize(("value", "level"), [(3, "residential"), (4, "residential")])
def test_residential_dimensions(dim, value, level):
    assert recommend(ratings(**{dim: value}), "mild").level == level


@pytest.mark.parametrize(
    ("d5", "level"),
    [
        (1, "outpatient"),
        (2, "intensive_outpatient"),
        (3, "partial_hospitalization"),
        (4, "residential"),
    ],
)
def test_relapse_potential_steps(d5, level):
    assert recommend(ratings(d5=d5), "mild").level == level


@pytest.mark.parametrize(
    ("dim", "value", "level"),
    [
        ("d2", 2, "outpatient"),
        ("d3", 2, "intensive_outpatient"),
        ("d6", 2, "intensive_outpatient"),
        ("d4", 2, "outpatient"),
        ("d4", 3, "intensive_outpatient"),
        ("d4", 4, "intensive_outpatient"),
    ],
)
def test_intensive_outpatient_triggers(dim, value, level):
    assert recommend(ratings(**{dim: value}), "mild").level == level


def test_most_intensive_finding_wins_and_other_findings_are_kept():
    r = recommend(ratings(d1=3, d3=3, d5=2), "severe", 30)
    assert r.level == "withdrawal_management"
    text = " | ".join(r.reasons)
    assert "Dimension 1 rated 3" in text and "COWS 30" in text
    assert "Dimension 3 rated 3" in text and "Dimension 5 rated 2" in text


@pytest.mark.parametrize(
    ("severity", "level", "med"),
    [
        ("none", "outpatient", False),
        ("mild", "outpatient", False),
        ("moderate", "outpatient", True),
        ("severe", "opioid_treatment_program", True),
    ],
)
def test_dsm_severity_drives_medication_and_otp(severity, level, med):
    r = recommend(ratings(), severity)
    assert (r.level, r.medication_recommended) == (level, med)


def test_overdose_with_moderate_oud_points_to_otp():
    assert recommend(ratings(), "moderate").level == "outpatient"
    r = recommend(ratings(), "moderate", overdose_last_year=True)
    assert r.level == "opioid_treatment_program"
    assert any("overdose in the last year" in x for x in r.reasons)
    assert recommend(ratings(), "mild", overdose_last_year=True).level == "outpatient"


@pytest.mark.parametrize("severity", ["mild", "moderate"])
@pytest.mark.parametrize("d3", [0, 2])
def test_pregnancy_recommends_otp_or_office_based_buprenorphine(severity, d3):
    """ACOG: agonist medication in pregnancy, methadone (OTP) or buprenorphine (which may be
    office-based): the level stays outpatient/intensive outpatient, medication is
    recommended even for a mild disorder, and the reason names both settings."""
    level = "outpatient" if d3 == 0 else "intensive_outpatient"
    r = recommend(ratings(d3=d3), severity, pregnant=True)
    assert (r.level, r.medication_recommended) == (level, True)
    note = [x for x in r.reasons if x.startswith("Pregnancy")]
    assert len(note) == 1 and "opioid treatment program" in note[0]
    assert "office-based" in note[0] and "buprenorphine" in note[0]
    assert not any("Mild opioid use disorder: medication may be" in x for x in r.reasons)
    without = recommend(ratings(d3=d3), severity)
    assert not any(x.startswith("Pregnancy") for x in without.reasons)
    assert without.medication_recommended is (severity == "moderate")


def test_pregnancy_with_a_severe_disorder_is_still_an_otp_and_says_both():
    r = recommend(ratings(), "severe", pregnant=True)
    assert r.level == "opioid_treatment_program"
    assert any(x.startswith("Pregnancy") for x in r.reasons)
    assert not any("pregnancy" in x for x in r.reasons if x.startswith("Opioid treatment"))


@pytest.mark.parametrize("severity", ["none", None])
def test_pregnancy_without_a_use_disorder_adds_nothing(severity):
    r = recommend(ratings(), severity, pregnant=True)
    assert not r.medication_recommended
    assert not any(x.startswith("Pregnancy") for x in r.reasons)


def test_otp_does_not_replace_a_more_intensive_level():
    assert recommend(ratings(d5=3), "severe").level == "partial_hospitalization"
    assert recommend(ratings(d5=2), "severe").level == "opioid_treatment_program"


@pytest.mark.parametrize(("cows", "noted"), [(12, False), (13, True), (24, True)])
def test_moderate_withdrawal_note(cows, noted):
    r = recommend(ratings(), "moderate", cows)
    assert any("moderate withdrawal now" in x for x in r.reasons) is noted


def test_without_dsm_the_recommendation_is_provisional():
    r = recommend(ratings(), None)
    assert r.provisional and any("provisional" in x for x in r.reasons)


@pytest.mark.parametrize("bad", [-1, 5, True, "2", 1.0, None])
def test_ratings_must_be_0_to_4(bad):
    values = dict.fromkeys(NAMES, 0) | {"d4_readiness": bad}
    with pytest.raises(ScoreError) as e:
        validate_ratings(values)
    assert e.value.item == "d4_readiness"


def test_unknown_dimension_and_bad_inputs():
    with pytest.raises(ScoreError):
        validate_ratings(dict.fromkeys(NAMES, 0) | {"d7": 1})
    with pytest.raises(ScoreError):
        recommend(ratings(), "extreme")
    with pytest.raises(ScoreError):
        recommend(ratings(), "mild", 49)


def test_overdose_risk_and_infection_rules():
    from waypoint.clinical.risk import infection_testing_indicated, overdose_risk_reasons

    assert overdose_risk_reasons({}) == []
    assert overdose_risk_reasons({"overdose_history": True}) == []  # ever, not recent
    assert overdose_risk_reasons({"overdose_last_year": True}) == ["overdose in the last 12 months"]
    assert len(overdose_risk_reasons({"overdose_last_year": True, "recent_abstinence": True})) == 2
    assert infection_testing_indicated({"injection_use": True})
    assert not infection_testing_indicated({"injection_use": False, "fentanyl_exposure": True})
