"""Reads of organizations and sites, always scoped to the caller's organization."""

from __future__ import annotations

from .errors import DomainError
from .models import Site


def site_by_code(organization_id: int, code: str) -> Site:
    site = Site.objects.filter(organization_id=organization_id, code=code, active=True).first()
    if site is None:
        raise DomainError("unknown_site", f"There is no active site with code {code!r}.")
    return site
