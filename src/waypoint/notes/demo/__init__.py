"""Demo notes, through the real services (every row has its audit event)."""

from __future__ import annotations

import random

from waypoint.core.actor import Actor
from waypoint.core.models import Site

from . import counseling, groups, notes


def load(actor: Actor, sites: list[Site], rng: random.Random) -> None:
    for part in (notes, groups, counseling):
        part.load(actor, sites, rng)
