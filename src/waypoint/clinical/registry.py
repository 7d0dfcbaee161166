"""The contract's instrument names mapped to their scorers. Adding an instrument is one new
module and one line here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import cows, dsm5_oud, gad7, phq9
from .instrument import Instrument, Result, ScoreError

INSTRUMENTS: dict[str, Instrument] = {
    "cows": cows.INSTRUMENT,
    "dsm5_oud": dsm5_oud.INSTRUMENT,
    "phq9": phq9.INSTRUMENT,
    "gad7": gad7.INSTRUMENT,
}


def score(instrument: str, items: Mapping[str, Any]) -> Result:
    """Score ``items`` with the named instrument; ``ScoreError`` for anything unscorable."""
    spec = INSTRUMENTS.get(instrument)
    if spec is None:
        raise ScoreError(
            "unknown_instrument",
            f"unknown instrument {instrument!r}: one of {', '.join(INSTRUMENTS)}",
        )
    return spec.score(items)
