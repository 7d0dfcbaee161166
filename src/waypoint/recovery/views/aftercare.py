"""Aftercare plans (written at or after discharge, printable) and naloxone kits: pages."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []


def register() -> None:
    """Chart sections, banner providers, home panels and hooks of this part."""
