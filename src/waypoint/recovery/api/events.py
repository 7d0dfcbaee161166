"""Recovery events (returns to use, overdoses, releases, hospital discharges), the lost-
tolerance flag, outreach tasks and the outreach board, the way back in: API."""

from __future__ import annotations

from ninja import Router

ROUTERS: list[tuple[str, Router]] = []
