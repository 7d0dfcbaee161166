"""Pages of the notes part (issue 18)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []


def register() -> None:
    """Chart sections, home panels and hooks of this part (from NotesConfig.ready)."""
