"""Recovery check-ins: links a person answers without signing in, check-ins by phone,
trends and abstinence days: pages."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []


def register() -> None:
    """Chart sections, banner providers, home panels and hooks of this part."""
