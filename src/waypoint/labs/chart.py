"""Drug testing's hooks: positive tests and pending tests for the medication side."""

from __future__ import annotations

from .selectors import register_hooks

register_hooks()
