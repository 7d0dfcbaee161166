"""The public, anonymous self-check: the DSM-5 opioid use disorder criteria asked in the
person's own words, scored by the clinical rule itself, with plain-language guidance.

The eleven questions are the eleven criteria of ``dsm5_oud`` (domain facts §1), phrased for
the person and anchored to the past 12 months; a twelfth asks whether they take opioids only
as prescribed (then tolerance and withdrawal do not count, as in the rule). ``evaluate``
passes the answers to ``dsm5_oud.score`` unchanged: the count and the severity are the
rule's, never recomputed here. The guidance is ours, in plain language, and says what the
result is not: a self-check is not a diagnosis (only a clinician makes one).

Sources: APA, DSM-5 (2013) and DSM-5-TR (2022), Opioid Use Disorder; the 988 Suicide &
Crisis Lifeline (call or text 988, US, since July 2022); SAMHSA's National Helpline
1-800-662-4357 (free, confidential, 24/7, English and Spanish).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import dsm5_oud
from .instrument import Result

CRISIS_LINE = "988"
HELPLINE = "1-800-662-4357"

# (criterion name, question in the person's words). Order = dsm5_oud.CRITERIA.
QUESTIONS: tuple[tuple[str, str], ...] = (
    (
        "more_than_intended",
        "Have you often used opioids in larger amounts, or for longer, than you meant to?",
    ),
    (
        "unsuccessful_cut_down",
        "Have you wanted to cut down or stop, or tried to, and not been able to?",
    ),
    (
        "time_spent",
        "Have you spent a lot of time getting opioids, using them, or getting over their effects?",
    ),
    ("craving", "Have you had cravings: a strong want or urge to use opioids?"),
    (
        "role_failure",
        "Has using kept you from doing what you needed to do at work, at school or at home?",
    ),
    (
        "social_problems",
        "Have you kept using even though it caused or worsened problems with family, friends "
        "or a partner?",
    ),
    (
        "activities_given_up",
        "Have you given up or cut back on things that mattered to you (work, time with "
        "people, hobbies) because of using?",
    ),
    (
        "hazardous_use",
        "Have you used in situations where it was physically dangerous, such as driving or "
        "operating machinery?",
    ),
    (
        "continued_despite_harm",
        "Have you kept using even though you knew it was causing or worsening a physical or "
        "mental health problem?",
    ),
    (
        "tolerance",
        "Have you needed more to get the same effect, or found the same amount did less?",
    ),
    (
        "withdrawal",
        "When you stopped or cut down, did you feel withdrawal (aches, sweating, a runny "
        "nose, an upset stomach, feeling sick), or have you used to avoid or ease it?",
    ),
)
SUPERVISION_QUESTION = (
    "under_medical_supervision",
    "Do you take opioids only as a clinician prescribed them to you (for pain, or methadone "
    "or buprenorphine treatment), and no other way?",
)
assert tuple(name for name, _ in QUESTIONS) == tuple(name for name, _ in dsm5_oud.CRITERIA)


@dataclass(frozen=True)
class SelfCheckOutcome:
    """The rule's result and what to tell the person."""

    result: Result  # dsm5_oud.score's answer, unchanged
    criteria_met: int
    severity: str  # none, mild, moderate, severe (the rule's bands)
    headline: str
    guidance: tuple[str, ...]
    suggest_treatment: bool


_HEADLINES = {
    "none": "Your answers do not point to an opioid use disorder.",
    "mild": "Your answers point to a mild opioid use disorder.",
    "moderate": "Your answers point to a moderate opioid use disorder.",
    "severe": "Your answers point to a severe opioid use disorder.",
}


def evaluate(answers: Mapping[str, Any]) -> SelfCheckOutcome:
    """Score the answers with the DSM-5 rule (``dsm5_oud.score``) and add the guidance.

    ``answers`` holds a boolean for each of the eleven criteria and, optionally,
    ``under_medical_supervision``. Anything else is refused by the rule (ScoreError)."""
    result = dsm5_oud.score(answers)
    severity = result.severity
    met = result.total
    signs = "sign" if met == 1 else "signs"
    guidance: list[str] = [
        f"You said yes to {met} of the 11 {signs} that clinicians look for over the past "
        "12 months. Two or more is how an opioid use disorder is recognized; 2-3 is called "
        "mild, 4-5 moderate, 6 or more severe.",
        "This check is not a diagnosis: only a clinician who talks with you can make one. "
        "Your answers were not saved.",
    ]
    if result.details.get("not_counted"):
        guidance.append(
            "Because you take opioids only as prescribed, needing more for the same effect "
            "and withdrawal are expected and were not counted."
        )
    if severity == "none":
        guidance.append(
            "If you are still worried about your use, or someone close to you, a treatment "
            "center or your doctor can talk it through with you, confidentially."
        )
    else:
        guidance += [
            "Opioid use disorder is a medical condition, and treatment works. Medications "
            "(methadone, buprenorphine, naltrexone) lower cravings and withdrawal and cut the "
            "risk of dying from an overdose; counseling helps too.",
            "Many centers see people the same day or take walk-ins. You can call one below, "
            "or ask a center to contact you.",
        ]
        if severity in ("moderate", "severe"):
            guidance.append(
                "With a moderate or severe disorder, starting medication soon matters most. "
                "Carry naloxone (Narcan) and do not use alone: tolerance drops fast after a "
                "break, which makes an overdose more likely."
            )
    guidance.append(
        f"If you are thinking about suicide or are in crisis, call or text {CRISIS_LINE} "
        "(the Suicide & Crisis Lifeline), any time. If someone may be overdosing, call 911 "
        "and give naloxone if you have it."
    )
    return SelfCheckOutcome(
        result=result,
        criteria_met=met,
        severity=severity,
        headline=_HEADLINES[severity],
        guidance=tuple(guidance),
        suggest_treatment=severity != "none",
    )
