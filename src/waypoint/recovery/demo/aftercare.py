"""Demo data: Aftercare plans (written at or after discharge, printable) and naloxone kits."""

from __future__ import annotations

import random

from waypoint.core.actor import Actor
from waypoint.core.models import Site


def load(actor: Actor, sites: list[Site], rng: random.Random) -> None:
    """Nothing yet."""
