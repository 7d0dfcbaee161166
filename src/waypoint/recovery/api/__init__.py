"""The recovery API (contract: "Recovery, aftercare and overdose prevention"), one module
per part; ``waypoint.api`` mounts ``ROUTERS`` (prefix, router)."""

from __future__ import annotations

from . import aftercare, alumni, checkins, events

ROUTERS = [*events.ROUTERS, *checkins.ROUTERS, *aftercare.ROUTERS, *alumni.ROUTERS]
