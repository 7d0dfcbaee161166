"""Demo recovery data, through the real services (every row has its audit event)."""

from __future__ import annotations

import random

from waypoint.core.actor import Actor
from waypoint.core.models import Site

from . import aftercare, alumni, checkins, events


def load(actor: Actor, sites: list[Site], rng: random.Random) -> None:
    for part in (aftercare, events, checkins, alumni):
        part.load(actor, sites, rng)
