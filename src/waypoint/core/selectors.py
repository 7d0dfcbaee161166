"""Reads of organizations and sites, always scoped to the caller's organization."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, TypeVar, cast

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model
from django.utils import timezone

from . import fastsql
from .errors import DomainError, NotFound
from .models import Site

if TYPE_CHECKING:
    from .actor import Actor
    from .models import ApiToken, User

M = TypeVar("M", bound=Model)


def site_today(site: Site) -> dt.date:
    """The site's local calendar date now (a dosing or census "day" is the site's)."""
    return timezone.now().astimezone(site.tz).date()


def site_by_code(organization_id: int, code: str) -> Site:
    """The organization's active site with this code (one statement built once: every
    registration and many API calls name a site; ``core.fastsql``)."""
    sql = (
        f"SELECT {fastsql.select_list(Site, 't')} FROM {Site._meta.db_table} t "  # noqa: S608
        "WHERE t.organization_id = %s AND t.code = %s AND t.active"
    )
    found = fastsql.first(sql, [organization_id, code], (Site, "t"))
    if found is None:
        raise DomainError("unknown_site", f"There is no active site with code {code!r}.")
    return cast(Site, found[0])


def locked_in_org(model: type[M], pk: int, organization_id: int, what: str, *related: str) -> M:
    """The row ``pk`` of ``model`` in the organization, locked for update (inside a
    transaction), with ``related`` rows joined; 404 ``not_found`` when it does not exist
    there."""
    qs = model._default_manager.select_for_update()
    if related:
        qs = qs.select_related(*related)
    try:  # .get(): no ORDER BY for the one row (.first() adds one)
        return qs.get(pk=pk, organization_id=organization_id)
    except ObjectDoesNotExist:  # the model's DoesNotExist (one row by primary key)
        raise NotFound(what) from None


# --- the administration pages' reads (staff accounts and sites of the organization) ------
def staff_members(actor: Actor, *, include_inactive: bool = True) -> list[User]:
    """The organization's staff accounts (not its system accounts), by last name."""
    from .models import User

    actor.require("user.manage")
    qs = User.objects.filter(organization_id=actor.organization_id).exclude(role="")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return list(qs.select_related("site").order_by("-is_active", "last_name", "username"))


def staff_member(actor: Actor, user_id: int) -> User:
    from .models import User

    actor.require("user.manage")
    user = (
        User.objects.filter(pk=user_id, organization_id=actor.organization_id)
        .exclude(role="")
        .select_related("site")
        .first()
    )
    if user is None:
        raise NotFound("staff member")
    return user


def organization_sites(actor: Actor, *, include_closed: bool = True) -> list[Site]:
    qs = Site.objects.filter(organization_id=actor.organization_id)
    if not include_closed:
        qs = qs.filter(active=True)
    return list(qs.order_by("-active", "code"))


def organization_site(actor: Actor, site_id: int) -> Site:
    actor.require("site.manage")
    site = Site.objects.filter(pk=site_id, organization_id=actor.organization_id).first()
    if site is None:
        raise NotFound("site")
    return site


def locked_out(usernames: list[str]) -> set[str]:
    """Which of these usernames django-axes holds locked (failures at the limit)."""
    from axes.models import AccessAttempt
    from django.conf import settings

    limit = getattr(settings, "AXES_FAILURE_LIMIT", 5)
    since = timezone.now() - dt.timedelta(hours=float(getattr(settings, "AXES_COOLOFF_TIME", 0)))
    return set(
        AccessAttempt.objects.filter(
            username__in=usernames, failures_since_start__gte=limit, attempt_time__gte=since
        ).values_list("username", flat=True)
    )


def api_tokens(actor: Actor, *, organization: bool = False) -> list[ApiToken]:
    """The actor's own API tokens, or (``organization``, ``user.manage``) every staff
    member's of the organization: newest first, revoked ones included."""
    from .models import ApiToken

    qs = ApiToken.objects.select_related("user")
    if organization:
        actor.require("user.manage")
        qs = qs.filter(user__organization_id=actor.organization_id)
    else:
        qs = qs.filter(user=actor.user)
    return list(qs.order_by("revoked_at", "-created_at")[:500])
