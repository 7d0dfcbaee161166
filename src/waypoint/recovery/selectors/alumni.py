"""Alumni events and attendance, contact preferences, retention figures: reads."""

from __future__ import annotations
