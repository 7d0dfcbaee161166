"""What /fhir/r4/ serves: resource providers by type (issue 20).

A provider serves one resource type from one kind of Waypoint record (a patient, a
problem-list entry, an assessment, a drug-test result, an order, a dose, an episode, a
consent, or an imported outside record). Several providers may serve one type; a
resource's id is ``<prefix>-<pk>`` (``Patient`` alone uses the bare patient id, as the JSON
API does), so a read finds its provider by the prefix. A search counts each provider's
matches and pages through them in registration order.

Providers read rows of one organization; they check no permission and write no audit
event: the views do both (one audited read per answer, naming its patients), and an
outside recipient's answer goes through the privacy rule first (``recipients.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class DateBound:
    """One ``date=`` value: a FHIR prefix (eq, ne, gt, lt, ge, le) and the day or moment it
    compares with (a day compares as the whole day)."""

    prefix: str
    value: dt.date | dt.datetime


@dataclass(frozen=True)
class Query:
    """A search's parameters, parsed and checked by the view (a bad one is a 400 there)."""

    patient_ids: tuple[int, ...] | None = None  # patient= / subject= (comma = any of them)
    dates: tuple[DateBound, ...] = ()  # date= (repeatable: all must hold)
    codes: tuple[tuple[str | None, str], ...] = ()  # code= [system|]code (comma = any)
    ids: tuple[int, ...] = ()  # _id= (already split from the prefix for this provider)
    name: str = ""  # Patient: name= (any part of the name, case-insensitive)
    extra: dict[str, str] = field(default_factory=dict)  # other supported params, raw
    # the patients this caller may not see (restricted records): their rows are left out
    hidden_patient_ids: frozenset[int] = frozenset()


@dataclass
class Found:
    """One resource as served: its FHIR JSON (with ``id``, without ``meta.security``; the
    view adds the Part 2 labels), whose record it is and its Part 2 category
    (``clinical.privacy.CATEGORIES``: what a recipient's consent must cover)."""

    resource: dict[str, Any]
    patient_id: int | None
    category: str


class Provider(Protocol):
    resource_type: str
    prefix: str  # "" only for Patient
    permission: str  # the staff action (core/permissions.py) that may read these
    category: str  # its Part 2 category (as its Founds'): what a recipient's consent must cover
    search_params: tuple[str, ...]  # the search parameters it supports, e.g. ("date", "code")

    def read(self, organization_id: int, pk: int) -> Found | None: ...

    def count(self, organization_id: int, q: Query) -> int: ...

    def page(self, organization_id: int, q: Query, offset: int, limit: int) -> list[Found]: ...


_PROVIDERS: dict[str, list[Provider]] = {}


def register(provider: Provider) -> None:
    """Add a provider (from ``resources.register_all`` at start-up); one prefix per type."""
    same = _PROVIDERS.setdefault(provider.resource_type, [])
    if any(p.prefix == provider.prefix for p in same):
        return  # registered already (ready() may run twice in tests)
    same.append(provider)


def types() -> list[str]:
    return sorted(_PROVIDERS)


def providers(resource_type: str) -> list[Provider]:
    return list(_PROVIDERS.get(resource_type, []))


def split_id(resource_id: str) -> tuple[str, int] | None:
    """``"problem-12"`` -> ``("problem", 12)``; ``"12"`` -> ``("", 12)``; else None."""
    prefix, _, number = resource_id.rpartition("-")
    if not number.isdigit() or len(number) > 18:
        return None
    return prefix, int(number)


def provider_for(resource_type: str, resource_id: str) -> tuple[Provider, int] | None:
    parts = split_id(resource_id)
    if parts is None:
        return None
    for p in _PROVIDERS.get(resource_type, []):
        if p.prefix == parts[0]:
            return p, parts[1]
    return None


def make_id(prefix: str, pk: int) -> str:
    return f"{prefix}-{pk}" if prefix else str(pk)
