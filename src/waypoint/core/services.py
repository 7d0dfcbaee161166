"""Writes for organizations, sites, staff accounts and API tokens (admin and CLI actions)."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from . import auditing
from .errors import Conflict, DomainError, NotFound
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


# --- The demo never meets real patients (issue 16) -------------------------------------------
def organization_for_new_site(name: str | None = None) -> Organization:
    """The organization ``waypoint site create`` adds a site to: the one named (created if
    new), else the only organization that is not the demo (created as "Waypoint Clinic" on
    an empty database). A demo organization never takes a real site: naming it, or leaving
    the name out when the demo is the only organization, is refused (``demo_organization``)."""
    if name:
        org = organization_get_or_create(name)
        if org.is_demo:
            raise DomainError(
                "demo_organization",
                f"{org.name!r} is the demo organization (synthetic patients, published "
                "passwords): a real site never joins it. Name your own organization with "
                "--org (it is created if new).",
            )
        return org
    if not Organization.objects.filter(is_demo=True).exists():
        return organization_get_or_create()
    real = list(Organization.objects.filter(is_demo=False).order_by("pk")[:2])
    if len(real) > 1:
        raise DomainError("organization_required", "Several organizations exist: name one (--org).")
    if real:
        return real[0]
    raise DomainError(
        "demo_organization",
        "The only organization here is the demo's (synthetic patients, published passwords): "
        'a real site never joins it. Create your organization with --org "Your Program" '
        "(then remove the demo: `waypoint demo --remove`), or start from an empty database.",
    )


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
    password_hash: str | None = None,
) -> User:
    """A staff account. ``password_hash``: the password already hashed (``make_password``),
    for a loader that hashes its accounts' passwords in parallel; ``password`` is then only
    validated (with ``check_password``)."""
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
        if password_hash is not None:
            user.password = password_hash
        else:
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


def token_create(user: User, label: str = "", days: int | None = None) -> str:
    """Make a new bearer token for ``user``; the raw token is returned once, stored hashed.
    It expires after ``days`` (default ``WAYPOINT_TOKEN_DAYS``, 90; 1 to 3650)."""
    from django.conf import settings

    days = int(settings.WAYPOINT_TOKEN_DAYS) if days is None else days
    if not 1 <= days <= 3650:
        raise DomainError("invalid_days", "A token lasts 1 to 3650 days.", field="days")
    raw = ApiToken.generate()
    ApiToken.objects.create(
        user=user,
        key_hash=hash_token(raw),
        prefix=raw[3:9],
        label=label,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    return raw


def token_revoke_one(actor: Actor, token_id: int) -> ApiToken:
    """Revoke one token from the tokens page: one's own, or (``user.manage``) any of the
    organization's. Audited (``token_revoke``)."""
    with transaction.atomic():
        token = (
            ApiToken.objects.select_for_update()
            .select_related("user")
            .filter(pk=token_id, user__organization_id=actor.organization_id)
            .first()
        )
        if token is None or (token.user_id != actor.user.pk and not actor.can("user.manage")):
            raise NotFound("token")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            auditing.record(
                actor,
                "token_revoke",
                "api_token",
                token.prefix,
                username=token.user.username,
                label=token.label,
            )
    return token


def token_revoke(user: User, prefix: str | None = None) -> int:
    """Revoke the user's tokens (all, or the one whose prefix is given). Returns how many."""
    qs = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if prefix:
        qs = qs.filter(prefix=prefix)
    return qs.update(revoked_at=timezone.now())


# --- administration through the pages (the same rules as the command line, audited) -------
# The command line sets up a program before anyone can sign in, so its calls above take no
# actor. The administration pages call the functions below: each checks the admin's
# permission, calls the same function the command line does (same rules, same refusal
# codes), and writes one audit event (object ``user`` or ``site``) in the same transaction.
# A password never reaches the audit trail.

STAFF_FIELDS = ("first_name", "last_name", "email")


def _staff_locked(actor: Actor, user_id: int) -> User:
    user = (
        User.objects.select_for_update()
        .filter(pk=user_id, organization_id=actor.organization_id)
        .exclude(role="")  # the public system account is no staff member
        .first()
    )
    if user is None:
        raise NotFound("staff member")
    return user


def _org_site(actor: Actor, site_id: int | str | None) -> Site:
    site = None
    if site_id not in (None, "") and str(site_id).isdecimal():
        site = Site.objects.filter(
            pk=int(site_id), organization_id=actor.organization_id, active=True
        ).first()
    if site is None:
        raise DomainError(
            "unknown_site", "Choose one of the organization's active sites.", field="site"
        )
    return site


def staff_create(
    actor: Actor,
    *,
    username: str,
    role: str,
    site_id: int | str | None,
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """A staff account made by an admin (``user.manage``): ``user_create``'s rules."""
    actor.require("user.manage")
    site = _org_site(actor, site_id)
    with transaction.atomic():
        user = user_create(
            username.strip(),
            role,
            site,
            password,
            first_name=first_name.strip()[:150],
            last_name=last_name.strip()[:150],
            email=email.strip()[:254],
        )
        auditing.record(
            actor, "create", "user", user.pk, username=user.username, role=role, site=site.code
        )
    return user


def staff_update(
    actor: Actor,
    user_id: int,
    *,
    role: str,
    site_id: int | str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """Change a staff member's role, home site or name. An admin cannot take the admin role
    from themselves (``cannot_change_own_role``): the organization could be left with no
    one to manage it."""
    actor.require("user.manage")
    if role not in {r.value for r in Role}:
        raise DomainError(
            "unknown_role",
            f"Unknown role {role!r}: one of {', '.join(r.value for r in Role)}.",
            field="role",
        )
    site = _org_site(actor, site_id)
    with transaction.atomic():
        user = _staff_locked(actor, user_id)
        if user.pk == actor.user.pk and role != user.role:
            raise Conflict(
                "cannot_change_own_role",
                "You cannot change your own role: ask another administrator.",
                field="role",
            )
        new = {
            "role": role,
            "site_id": site.pk,
            "first_name": first_name.strip()[:150],
            "last_name": last_name.strip()[:150],
            "email": email.strip()[:254],
        }
        changes: dict[str, Any] = {}
        for name, value in new.items():
            if getattr(user, name) != value:
                changes[name] = {"from": getattr(user, name), "to": value}
                setattr(user, name, value)
        if changes:
            user.save(update_fields=[n for n in new if n in changes])
            if "site_id" in changes:
                changes["site"] = changes.pop("site_id")
            auditing.record(actor, "update", "user", user.pk, username=user.username, **changes)
    return user


def staff_set_active(actor: Actor, user_id: int, active: bool, reason: str = "") -> User:
    """Deactivate (or reactivate) a staff account. Deactivating ends the person's sign-ins
    and revokes their API tokens at once; the account and everything it did stay (the audit
    trail names it). An admin cannot deactivate themselves (``cannot_deactivate_self``)."""
    actor.require("user.manage")
    reason = (reason or "").strip()[:300]
    with transaction.atomic():
        user = _staff_locked(actor, user_id)
        if user.pk == actor.user.pk and not active:
            raise Conflict("cannot_deactivate_self", "You cannot deactivate your own account.")
        if user.is_active == active:
            return user
        if not active and not reason:
            raise DomainError(
                "reason_required", "Say why the account is deactivated.", field="reason"
            )
        user.is_active = active
        user.save(update_fields=["is_active"])
        revoked = token_revoke(user) if not active else 0
        auditing.record(
            actor,
            "deactivate" if not active else "reactivate",
            "user",
            user.pk,
            username=user.username,
            **({"reason": reason} if reason else {}),
            **({"tokens_revoked": revoked} if revoked else {}),
        )
    if not active:
        _end_sessions(user)
    return user


def staff_password_reset(actor: Actor, user_id: int, password: str) -> User:
    """Set a new password for a staff member (Django's validators, as ``user_create``),
    end their sessions and lift a sign-in lockout. The event records that it happened,
    never the password."""
    actor.require("user.manage")
    with transaction.atomic():
        user = _staff_locked(actor, user_id)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DomainError("weak_password", " ".join(exc.messages), field="password") from exc
        user.set_password(password)
        user.save(update_fields=["password"])
        auditing.record(actor, "password_reset", "user", user.pk, username=user.username)
    _end_sessions(user)
    staff_unlock(actor, user.pk, audit=False)
    return user


def staff_unlock(actor: Actor, user_id: int, *, audit: bool = True) -> int:
    """Lift the sign-in lockout (django-axes) of a staff member; returns the failures
    cleared."""
    from axes.utils import reset

    actor.require("user.manage")
    user = User.objects.filter(pk=user_id, organization_id=actor.organization_id).first()
    if user is None:
        raise NotFound("staff member")
    with transaction.atomic():
        cleared = reset(username=user.username) or 0
        if audit:
            auditing.record(actor, "unlock", "user", user.pk, username=user.username)
    return cleared


def _end_sessions(user: User) -> None:
    """Delete the database sessions that belong to ``user`` (signed out everywhere)."""
    from django.contrib.sessions.models import Session

    for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(s.get_decoded().get("_auth_user_id")) == str(user.pk):
            s.delete()


def site_add(
    actor: Actor, *, code: str, name: str, tz: str, address: str = "", phone: str = ""
) -> Site:
    """A site made by an admin (``site.manage``): ``site_create``'s rules, audited."""
    actor.require("site.manage")
    org = Organization.objects.get(pk=actor.organization_id)
    with transaction.atomic():
        site = site_create(
            org,
            code.strip(),
            name,
            tz.strip(),
            address=address.strip()[:300],
            phone=phone.strip()[:40],
        )
        auditing.record(actor, "create", "site", site.pk, code=site.code, name=site.name)
    return site


def site_update(
    actor: Actor,
    site_id: int,
    *,
    name: str,
    tz: str,
    address: str = "",
    phone: str = "",
    active: bool = True,
) -> Site:
    """Change a site's name, time zone, address, phone, or close it (``active``). The code
    stays: it names the site in the command line, the API and the audit trail."""
    actor.require("site.manage")
    if not (name or "").strip():
        raise DomainError("invalid_site_name", "A site needs a name.", field="name")
    try:
        validate_timezone(tz.strip())
    except ValidationError as exc:
        raise DomainError(
            "invalid_timezone",
            f"{tz!r} is not an IANA time zone (e.g. America/Chicago).",
            field="timezone",
        ) from exc
    with transaction.atomic():
        site = (
            Site.objects.select_for_update()
            .filter(pk=site_id, organization_id=actor.organization_id)
            .first()
        )
        if site is None:
            raise NotFound("site")
        if not active and site.active and actor.user.site_id == site.pk:
            raise Conflict(
                "cannot_close_own_site",
                "You cannot close your own home site: move your account to another site first.",
                field="active",
            )
        new = {
            "name": name.strip()[:200],
            "timezone": tz.strip(),
            "address": address.strip()[:300],
            "phone": phone.strip()[:40],
            "active": active,
        }
        changes = {
            k: {"from": getattr(site, k), "to": v} for k, v in new.items() if getattr(site, k) != v
        }
        if changes:
            for k in changes:
                setattr(site, k, new[k])
            site.save(update_fields=list(changes))
            auditing.record(actor, "update", "site", site.pk, code=site.code, **changes)
    return site
