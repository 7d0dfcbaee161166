"""Aftercare plans (written at or after discharge, printable) and naloxone kits: reads."""

from __future__ import annotations
