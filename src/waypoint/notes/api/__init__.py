"""The notes API, one module per part; ``waypoint.api`` mounts ``ROUTERS`` (prefix, router)."""

from __future__ import annotations

from . import counseling, groups, notes

ROUTERS = [*notes.ROUTERS, *groups.ROUTERS, *counseling.ROUTERS]
