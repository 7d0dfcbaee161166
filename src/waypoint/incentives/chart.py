"""Contingency management's wiring: the test-changed hook (imported with the services)."""

from __future__ import annotations

from . import services  # noqa: F401  (registers the hook that re-applies awards)
