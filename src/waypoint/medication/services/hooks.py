"""What medication offers the apps above it when doses are written.

``on_doses_written(hook)``: ``hook(counts)`` is called inside the transaction of every
write that adds (or, for a future void or correction, takes away) doses covered by
take-home bottles, with one ``DoseCount`` per site, day and family (the reports app keeps
its doses-per-site-day summary with it, in the same transaction). A dose given at the
window is counted there by the database itself, in the dose's own insert (a trigger on the
doses table: reports migration 0005), so the window's hot path calls no hook; a future
void or correction of a window dose would call this with a negative ``window``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from waypoint.core.hooks import add_once


@dataclass(frozen=True)
class DoseCount:
    """Doses of one family on one site-local day at one site: ``window`` given at the
    window, ``take_home`` covered by take-home bottles (negative to take some away)."""

    organization_id: int
    site_id: int
    day: dt.date
    family: str
    window: int = 0
    take_home: int = 0


DOSES_WRITTEN_HOOKS: list[Callable[[list[DoseCount]], None]] = []


def on_doses_written(hook: Callable[[list[DoseCount]], None]) -> None:
    """Have ``hook(counts)`` called in the transaction of every dose or take-home write.
    Called from the listening app's ``AppConfig.ready()``; registering again adds nothing."""
    add_once(DOSES_WRITTEN_HOOKS, hook)


def doses_written(counts: Iterable[DoseCount]) -> None:
    """Tell every listener (the caller is inside the write's transaction)."""
    items = list(counts)
    if not items:
        return
    for hook in DOSES_WRITTEN_HOOKS:
        hook(items)
