"""Alumni events and attendance, contact preferences, retention figures: writes."""

from __future__ import annotations
