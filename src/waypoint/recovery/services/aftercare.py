"""Aftercare plans (written at or after discharge, printable) and naloxone kits: writes."""

from __future__ import annotations
