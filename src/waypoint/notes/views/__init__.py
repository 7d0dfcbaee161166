"""The notes pages, one module per part; ``register()`` (from ``NotesConfig.ready``) lets
each part add its chart sections, home panels and hooks."""

from __future__ import annotations

from . import counseling, groups, notes

PARTS = (notes, groups, counseling)


def register() -> None:
    for part in PARTS:
        part.register()
