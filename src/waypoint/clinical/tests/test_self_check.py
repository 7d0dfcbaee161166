"""The public self-check gives exactly the DSM-5 rule's result, for every answer set."""

from __future__ import annotations

import itertools

import pytest

from waypoint.clinical import dsm5_oud, self_check
from waypoint.clinical.instrument import ScoreError

NAMES = [name for name, _ in self_check.QUESTIONS]


def test_every_answer_combination_matches_the_rule():
    # 2^11 answer sets x supervised or not: the self-check's count and severity are the rule's
    for bits in itertools.product((False, True), repeat=len(NAMES)):
        for supervised in (False, True):
            answers = dict(zip(NAMES, bits, strict=True))
            answers["under_medical_supervision"] = supervised
            outcome = self_check.evaluate(answers)
            rule = dsm5_oud.score(answers)
            assert (outcome.criteria_met, outcome.severity) == (rule.total, rule.severity)
            assert outcome.suggest_treatment == (rule.severity != "none")


@pytest.mark.parametrize(
    ("yes", "severity"), [(0, "none"), (1, "none"), (2, "mild"), (4, "moderate"), (6, "severe")]
)
def test_guidance_names_the_count_988_and_not_a_diagnosis(yes, severity):
    answers = {name: i < yes for i, name in enumerate(NAMES)}
    outcome = self_check.evaluate(answers)
    assert outcome.severity == severity
    text = " ".join(outcome.guidance)
    assert f"yes to {yes} of the 11" in text
    assert "988" in text and "not a diagnosis" in text
    assert severity in outcome.headline or severity == "none"


def test_supervised_use_does_not_count_tolerance_and_withdrawal():
    answers = dict.fromkeys(NAMES, False)
    answers.update(tolerance=True, withdrawal=True, under_medical_supervision=True)
    outcome = self_check.evaluate(answers)
    assert outcome.criteria_met == 0 and outcome.severity == "none"
    assert any("not counted" in g for g in outcome.guidance)


def test_missing_or_non_boolean_answers_are_refused_by_the_rule():
    answers = dict.fromkeys(NAMES, False)
    del answers["craving"]
    with pytest.raises(ScoreError):
        self_check.evaluate(answers)
    with pytest.raises(ScoreError):
        self_check.evaluate({**dict.fromkeys(NAMES, False), "craving": "yes"})


def test_questions_follow_the_rule_criteria_and_the_past_year_is_stated():
    assert [name for name, _ in dsm5_oud.CRITERIA] == NAMES
    assert all(q.endswith("?") for _, q in self_check.QUESTIONS)
