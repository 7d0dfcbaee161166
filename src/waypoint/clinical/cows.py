"""COWS — the Clinical Opiate Withdrawal Scale.

Source: Wesson DR, Ling W. "The Clinical Opiate Withdrawal Scale (COWS)." J Psychoactive
Drugs 2003;35(2):253-259. Items, allowed values and bands as in domain facts §2:
eleven items, total 0-48; under 5 none, 5-12 mild, 13-24 moderate, 25-36 moderately
severe, over 36 severe.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .instrument import Band, Instrument, Item, Result, summed

ITEMS: tuple[Item, ...] = (
    Item(
        "resting_pulse",
        "Resting pulse rate (after sitting 1 minute)",
        (0, 1, 2, 4),
        ("80 or below", "81-100", "101-120", "over 120"),
    ),
    Item(
        "sweating",
        "Sweating (past half hour, not from room temperature or activity)",
        (0, 1, 2, 3, 4),
        (
            "no chills or flushing",
            "subjective chills or flushing",
            "flushed or moist face",
            "beads of sweat on brow or face",
            "sweat streaming off face",
        ),
    ),
    Item(
        "restlessness",
        "Restlessness (observed during assessment)",
        (0, 1, 3, 5),
        (
            "able to sit still",
            "reports difficulty sitting still",
            "frequent shifting or extraneous movements",
            "unable to sit still for more than a few seconds",
        ),
    ),
    Item(
        "pupil_size",
        "Pupil size",
        (0, 1, 2, 5),
        (
            "pinned or normal for room light",
            "possibly larger than normal",
            "moderately dilated",
            "so dilated only the rim of the iris is visible",
        ),
    ),
    Item(
        "bone_joint_aches",
        "Bone or joint aches",
        (0, 1, 2, 4),
        (
            "not present",
            "mild diffuse discomfort",
            "severe diffuse aching of joints or muscles",
            "rubbing joints or muscles, unable to sit still",
        ),
    ),
    Item(
        "runny_nose_tearing",
        "Runny nose or tearing",
        (0, 1, 2, 4),
        (
            "not present",
            "nasal stuffiness or unusually moist eyes",
            "nose running or tearing",
            "nose constantly running or tears streaming",
        ),
    ),
    Item(
        "gi_upset",
        "GI upset (past half hour)",
        (0, 1, 2, 3, 5),
        (
            "no GI symptoms",
            "stomach cramps",
            "nausea or loose stool",
            "vomiting or diarrhea",
            "multiple episodes of diarrhea or vomiting",
        ),
    ),
    Item(
        "tremor",
        "Tremor (outstretched hands)",
        (0, 1, 2, 4),
        (
            "no tremor",
            "tremor can be felt, not observed",
            "slight tremor observable",
            "gross tremor or muscle twitching",
        ),
    ),
    Item(
        "yawning",
        "Yawning (observed during assessment)",
        (0, 1, 2, 4),
        ("no yawning", "once or twice", "three or more times", "several times a minute"),
    ),
    Item(
        "anxiety_irritability",
        "Anxiety or irritability",
        (0, 1, 2, 4),
        (
            "none",
            "reports increasing irritability or anxiousness",
            "obviously irritable or anxious",
            "so irritable or anxious that participation is difficult",
        ),
    ),
    Item(
        "gooseflesh",
        "Gooseflesh skin",
        (0, 3, 5),
        (
            "skin is smooth",
            "piloerection can be felt or hairs standing up on arms",
            "prominent piloerection",
        ),
    ),
)

BANDS: tuple[Band, ...] = (
    Band("none", 0, 4, "No active withdrawal"),
    Band("mild", 5, 12, "Mild withdrawal"),
    Band("moderate", 13, 24, "Moderate withdrawal"),
    Band("moderately_severe", 25, 36, "Moderately severe withdrawal"),
    Band("severe", 37, 48, "Severe withdrawal"),
)


def score(items: Mapping[str, Any]) -> Result:
    """Sum the eleven items and name the band (Wesson & Ling 2003; domain facts §2)."""
    return summed("cows", ITEMS, BANDS, items)[0]


INSTRUMENT = Instrument(
    name="cows",
    title="Clinical Opiate Withdrawal Scale (COWS)",
    items=ITEMS,
    score=score,
    source="Wesson DR, Ling W. J Psychoactive Drugs 2003;35(2):253-259; domain facts §2",
    bands=BANDS,
    max_total=48,
)
