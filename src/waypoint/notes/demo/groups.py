"""Demo data of the groups part, through the real services."""

from __future__ import annotations

import random

from waypoint.core.actor import Actor
from waypoint.core.models import Site


def load(actor: Actor, sites: list[Site], rng: random.Random) -> None:
    return None
