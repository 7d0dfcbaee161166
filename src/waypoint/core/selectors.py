"""Reads of organizations and sites, always scoped to the caller's organization."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.db.models import Model
from django.utils import timezone

from .errors import DomainError, NotFound
from .models import Site

M = TypeVar("M", bound=Model)


def site_today(site: Site) -> dt.date:
    """The site's local calendar date now (a dosing or census "day" is the site's)."""
    return timezone.now().astimezone(site.tz).date()


def site_by_code(organization_id: int, code: str) -> Site:
    site = Site.objects.filter(organization_id=organization_id, code=code, active=True).first()
    if site is None:
        raise DomainError("unknown_site", f"There is no active site with code {code!r}.")
    return site


def locked_in_org(model: type[M], pk: int, organization_id: int, what: str, *related: str) -> M:
    """The row ``pk`` of ``model`` in the organization, locked for update (inside a
    transaction), with ``related`` rows joined; 404 ``not_found`` when it does not exist
    there."""
    qs = model._default_manager.select_for_update()
    if related:
        qs = qs.select_related(*related)
    row = qs.filter(pk=pk, organization_id=organization_id).first()
    if row is None:
        raise NotFound(what)
    return row
