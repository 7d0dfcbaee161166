"""The staff home page's panels.

Core draws the home page but knows no clinical app: an app with something to show there
(the patient registry: find a patient, today's patients) registers a panel from its
``AppConfig.ready()``, the way chart sections are registered (patients/chart.py). Panels
are shown by their ``order`` (smaller first; equal orders in the order they are registered,
that of ``INSTALLED_APPS``), each only to the roles with its permission. Work that must not
wait (open safety flags) takes a small order so it is the first thing on the page.

A panel of one role's work (the nurse's window, the counselor's caseload, the physician's
orders, the intake queue, the coordinator's day, the director's numbers) also names its
``roles``: the permission still decides who may see it (least privilege), the roles keep
each home to its own work (an admin holds most permissions but is not the dosing nurse).
Every panel is bounded (counts and the first rows, with a link to the full board) and a
panel that names patients records one ``list`` audit event naming them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .actor import Actor
    from .models import Site


@dataclass(frozen=True)
class HomePanel:
    key: str
    template: str  # included in core/home.html with ``panel``: key, template and context
    action: str  # permission needed to see it (core/permissions.py)
    context: Callable[[Actor, Site | None], dict[str, Any]]  # the actor and their home site
    order: int = 50
    roles: tuple[str, ...] = ()  # the roles whose work it is (empty: every role allowed)


_PANELS: dict[str, HomePanel] = {}


def register_home_panel(panel: HomePanel) -> None:
    """Add a panel to the home page (from ``AppConfig.ready()``). A second registration of
    the same key replaces the first, so running ``ready()`` again adds nothing."""
    _PANELS[panel.key] = panel


def home_panels() -> tuple[HomePanel, ...]:
    return tuple(sorted(_PANELS.values(), key=lambda p: p.order))


def panels_for(actor: Actor, site: Site | None) -> list[dict[str, Any]]:
    """The panels this actor may see, each with its context."""
    return [
        {"key": p.key, "template": p.template, **p.context(actor, site)}
        for p in home_panels()
        if actor.can(p.action) and (not p.roles or actor.role in p.roles)
    ]
