"""Demo data: Recovery events (returns to use, overdoses, releases, hospital discharges),
the lost-tolerance flag, outreach tasks and the outreach board, the way back in."""

from __future__ import annotations

import random

from waypoint.core.actor import Actor
from waypoint.core.models import Site


def load(actor: Actor, sites: list[Site], rng: random.Random) -> None:
    """Nothing yet."""
