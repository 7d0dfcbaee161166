"""PHQ-9 — the Patient Health Questionnaire depression scale.

Source: Kroenke K, Spitzer RL, Williams JB. "The PHQ-9: validity of a brief depression
severity measure." J Gen Intern Med 2001;16(9):606-613. Nine items 0-3 over the last two
weeks, total 0-27; 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe, 20-27
severe. Any answer above 0 on item 9 (thoughts of being better off dead or of self-harm)
raises ``suicide_risk`` for same-day clinician review, whatever the total (domain facts §3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from .instrument import Band, Instrument, Item, Result, summed

FREQUENCY = ("not at all", "several days", "more than half the days", "nearly every day")
QUESTIONS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself, or that you are a failure or have let yourself or your "
    "family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed, or the opposite: "
    "being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead, or of hurting yourself in some way",
)
ITEMS: tuple[Item, ...] = tuple(
    Item(f"q{i}", text, (0, 1, 2, 3), FREQUENCY) for i, text in enumerate(QUESTIONS, start=1)
)
BANDS: tuple[Band, ...] = (
    Band("minimal", 0, 4, "Minimal depression"),
    Band("mild", 5, 9, "Mild depression"),
    Band("moderate", 10, 14, "Moderate depression"),
    Band("moderately_severe", 15, 19, "Moderately severe depression"),
    Band("severe", 20, 27, "Severe depression"),
)


def score(items: Mapping[str, Any]) -> Result:
    """Total, band, and the item-9 suicide-risk flag (Kroenke 2001; domain facts §3)."""
    result, values = summed("phq9", ITEMS, BANDS, items)
    if values["q9"] > 0:
        return replace(result, flags=("suicide_risk",))
    return result


INSTRUMENT = Instrument(
    name="phq9",
    title="Patient Health Questionnaire (PHQ-9)",
    items=ITEMS,
    score=score,
    source="Kroenke K, Spitzer RL, Williams JB. J Gen Intern Med 2001;16(9):606-613; "
    "domain facts §3",
    bands=BANDS,
    max_total=27,
)
