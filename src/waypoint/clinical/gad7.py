"""GAD-7 — the Generalized Anxiety Disorder scale.

Source: Spitzer RL, Kroenke K, Williams JB, Löwe B. "A brief measure for assessing
generalized anxiety disorder: the GAD-7." Arch Intern Med 2006;166(10):1092-1097. Seven
items 0-3 over the last two weeks, total 0-21; 0-4 minimal, 5-9 mild, 10-14 moderate,
15-21 severe (domain facts §3).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .instrument import Band, Instrument, Item, Result, summed
from .phq9 import FREQUENCY

QUESTIONS = (
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid, as if something awful might happen",
)
ITEMS: tuple[Item, ...] = tuple(
    Item(f"q{i}", text, (0, 1, 2, 3), FREQUENCY) for i, text in enumerate(QUESTIONS, start=1)
)
BANDS: tuple[Band, ...] = (
    Band("minimal", 0, 4, "Minimal anxiety"),
    Band("mild", 5, 9, "Mild anxiety"),
    Band("moderate", 10, 14, "Moderate anxiety"),
    Band("severe", 15, 21, "Severe anxiety"),
)


def score(items: Mapping[str, Any]) -> Result:
    """Total and band (Spitzer 2006; domain facts §3)."""
    return summed("gad7", ITEMS, BANDS, items)[0]


INSTRUMENT = Instrument(
    name="gad7",
    title="Generalized Anxiety Disorder scale (GAD-7)",
    items=ITEMS,
    score=score,
    source="Spitzer RL, Kroenke K, Williams JB, Löwe B. Arch Intern Med "
    "2006;166(10):1092-1097; domain facts §3",
    bands=BANDS,
    max_total=21,
)
