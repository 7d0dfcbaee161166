"""Recovery check-ins: links a person answers without signing in, check-ins by phone,
trends and abstinence days: API."""

from __future__ import annotations

from ninja import Router

ROUTERS: list[tuple[str, Router]] = []
