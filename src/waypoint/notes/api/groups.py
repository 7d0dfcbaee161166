"""API of the groups part (issue 18)."""

from __future__ import annotations

from ninja import Router

ROUTERS: list[tuple[str, Router]] = []
