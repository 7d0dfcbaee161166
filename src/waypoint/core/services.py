"""Writes for organizations, sites, staff accounts and API tokens (admin and CLI actions)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from .errors import Conflict, DomainError
from .models import ApiToken, Organization, Site, User, hash_token, validate_timezone
from .permissions import Role

if TYPE_CHECKING:
    from .actor import Actor

CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")


def organization_get_or_create(name: str | None = None) -> Organization:
    """The organization a single-clinic install works in.

    With no name: the only organization, created as "Waypoint Clinic" if there is none.
    Several organizations and no name is ambiguous and refused.
    """
    if name:
        org, _ = Organization.objects.get_or_create(
            name=name, defaults={"slug": slugify(name)[:60] or "org"}
        )
        return org
    orgs = list(Organization.objects.all()[:2])
    if len(orgs) > 1:
        raise DomainError("organization_required", "Several organizations exist: name one (--org).")
    if orgs:
        return orgs[0]
    return Organization.objects.create(name="Waypoint Clinic", slug="waypoint-clinic")


def site_create(org: Organization, code: str, name: str, tz: str, **extra: str) -> Site:
    if not CODE_RE.match(code or ""):
        raise DomainError("invalid_site_code", "A site code is 1-20 letters, digits, - or _.")
    if not (name or "").strip():
        raise DomainError("invalid_site_name", "A site needs a name.")
    try:
        validate_timezone(tz)
    except ValidationError as exc:
        raise DomainError(
            "invalid_timezone", f"{tz!r} is not an IANA time zone (e.g. America/Chicago)."
        ) from exc
    with transaction.atomic():
        if Site.objects.filter(organization=org, code=code).exists():
            raise Conflict("site_exists", f"Site {code} already exists.")
        return Site.objects.create(
            organization=org, code=code, name=name.strip(), timezone=tz, **extra
        )


def user_create(
    username: str,
    role: str,
    site: Site,
    password: str,
    *,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    check_password: bool = True,
) -> User:
    if role not in {r.value for r in Role}:
        raise DomainError(
            "unknown_role", f"Unknown role {role!r}: one of {', '.join(r.value for r in Role)}."
        )
    if not re.match(r"^[\w.@+-]{1,150}$", username or ""):
        raise DomainError("invalid_username", "A username is 1-150 letters, digits and @.+-_.")
    user = User(
        username=username,
        role=role,
        site=site,
        organization=site.organization,
        first_name=first_name,
        last_name=last_name,
        email=email,
    )
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DomainError("weak_password", " ".join(exc.messages)) from exc
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise Conflict("user_exists", f"User {username} already exists.")
        user.set_password(password)
        user.save()
    return user


PUBLIC_USERNAME = "public-web.{org}"
SYSTEM_USERNAME = "system.{org}"


def _system_account(organization_id: int, username: str, first: str, last: str) -> User:
    """An organization's system account, made on first use: inactive, no role, no usable
    password, so it can never sign in or hold a working API token."""
    from django.db import IntegrityError

    user = User.objects.filter(username=username).first()
    if user is None:
        try:
            with transaction.atomic():
                user = User(
                    username=username,
                    organization_id=organization_id,
                    role="",
                    is_active=False,
                    first_name=first,
                    last_name=last,
                )
                user.set_unusable_password()
                user.save()
        except IntegrityError:
            user = User.objects.get(username=username)
    return user


def public_actor(organization_id: int, client_address: str = "") -> Actor:
    """Who acts when a member of the public writes (a self-check contact request): the
    organization's system account ``public-web.<org id>``, made on first use. It has no role
    and no usable password and is inactive, so it can never sign in or hold a working API
    token; the audit trail names it, with channel ``public``."""
    from .actor import Actor

    user = _system_account(
        organization_id, PUBLIC_USERNAME.format(org=organization_id), "Public", "web"
    )
    return Actor(
        user=user, client_address=client_address, purpose="patient_request", channel="public"
    )


def system_actor(organization_id: int, channel: str = "cli", client_address: str = "") -> Actor:
    """Who acts for the audit trail when no staff member of the organization does: the
    command line (``waypoint site create``, ``user create``, ``token create``, backups) and a
    failed sign-in (nobody is signed in yet). The organization's inactive system account
    ``system.<org id>``, without role or usable password; purpose ``operations``."""
    from .actor import Actor

    user = _system_account(
        organization_id, SYSTEM_USERNAME.format(org=organization_id), "System", "(Waypoint)"
    )
    return Actor(user=user, client_address=client_address, purpose="operations", channel=channel)


def token_create(user: User, label: str = "") -> str:
    """Make a new bearer token for ``user``; the raw token is returned once, stored hashed."""
    raw = ApiToken.generate()
    ApiToken.objects.create(user=user, key_hash=hash_token(raw), prefix=raw[3:9], label=label)
    return raw


def token_revoke(user: User, prefix: str | None = None) -> int:
    """Revoke the user's tokens (all, or the one whose prefix is given). Returns how many."""
    qs = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if prefix:
        qs = qs.filter(prefix=prefix)
    return qs.update(revoked_at=timezone.now())
