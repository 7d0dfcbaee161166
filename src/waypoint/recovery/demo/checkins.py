"""Demo data: Recovery check-ins: links a person answers without signing in, check-ins by
phone, trends and abstinence days."""

from __future__ import annotations

import random

from waypoint.core.actor import Actor
from waypoint.core.models import Site


def load(actor: Actor, sites: list[Site], rng: random.Random) -> None:
    """Nothing yet."""
