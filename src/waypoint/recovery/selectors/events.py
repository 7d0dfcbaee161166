"""Recovery events (returns to use, overdoses, releases, hospital discharges), the lost-
tolerance flag, outreach tasks and the outreach board, the way back in: reads."""

from __future__ import annotations
