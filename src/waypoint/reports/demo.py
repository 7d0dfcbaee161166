"""The demo's dashboard: the other steps load their rows in bulk (no write hook runs), so
the summaries are recomputed from them once, last."""

from __future__ import annotations

import random

from waypoint.core.actor import Actor
from waypoint.core.models import Site

from .services import summaries_rebuild


def load(actor: Actor, sites: list[Site], rng: random.Random) -> None:
    summaries_rebuild(actor.organization_id)
