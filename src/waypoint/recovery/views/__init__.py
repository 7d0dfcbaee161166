"""The recovery pages, one module per part; ``register()`` (from ``RecoveryConfig.ready``)
lets each part add its chart sections, banner providers, home panels and hooks."""

from __future__ import annotations

from . import aftercare, alumni, checkins, events

PARTS = (events, checkins, aftercare, alumni)


def register() -> None:
    for part in PARTS:
        part.register()
