"""Alumni events and attendance, contact preferences, retention figures: API."""

from __future__ import annotations

from ninja import Router

ROUTERS: list[tuple[str, Router]] = []
