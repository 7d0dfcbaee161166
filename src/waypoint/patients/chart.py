"""Sections of the patient chart page.

Each capability adds its own section with ``register_section``: a title, a template and a
function that builds the section's context (and audits what it reads). The chart page
shows, in order, the sections the viewer's role may see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from waypoint.core.actor import Actor


@dataclass(frozen=True)
class ChartSection:
    key: str
    title: str
    template: str
    order: int
    action: str  # permission needed to see it
    context: Callable[[Actor, Any], dict] | None = None


_SECTIONS: list[ChartSection] = []


def register_section(section: ChartSection) -> None:
    if any(s.key == section.key for s in _SECTIONS):
        return
    _SECTIONS.append(section)
    _SECTIONS.sort(key=lambda s: s.order)


def sections_for(actor: Actor, patient: Any) -> list[dict]:
    out = []
    for s in _SECTIONS:
        if actor.can(s.action):
            ctx = s.context(actor, patient) if s.context else {}
            out.append({"key": s.key, "title": s.title, "template": s.template, **ctx})
    return out


register_section(
    ChartSection(
        "demographics", "Demographics", "patients/sections/demographics.html", 10, "patient.view"
    )
)
register_section(
    ChartSection(
        "contacts", "Contacts and coverage", "patients/sections/contacts.html", 20, "patient.view"
    )
)
