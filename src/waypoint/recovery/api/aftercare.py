"""Aftercare plans (written at or after discharge, printable) and naloxone kits: API."""

from __future__ import annotations

from ninja import Router

ROUTERS: list[tuple[str, Router]] = []
