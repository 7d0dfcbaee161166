"""Recovery events (returns to use, overdoses, releases, hospital discharges), the lost-
tolerance flag, outreach tasks and the outreach board, the way back in: pages."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []


def register() -> None:
    """Chart sections, banner providers, home panels and hooks of this part."""
