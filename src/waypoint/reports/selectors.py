"""The dashboard's series: every read of the program's charts, scoped to the actor's
organization (filled in below)."""

from __future__ import annotations
