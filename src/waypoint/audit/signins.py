"""Sign-ins, sign-outs and failed sign-ins are audit events (connected in ``AuditConfig.
ready()`` to Django's auth signals).

A sign-in is recorded as its user (action ``sign_in``; ``second_factor: "pending"`` when
the password is only the first step: core/mfa.py, whose ``sign_in_verified`` event ends
it), a sign-out likewise; a failed
sign-in is recorded by the organization's system account (nobody is signed in yet) with
the username tried (and, for a wrong second-factor code, ``second_factor``: which kind),
in the organization of the account it named, or, for an unknown
username, in the only organization of a single-clinic install (with several, an unknown
name belongs to none: django-axes still counts it toward the lockout).
"""

from __future__ import annotations

from django.db import transaction

from waypoint.core.actor import Actor, client_address
from waypoint.core.models import Organization, User
from waypoint.core.services import system_actor

from . import services


def _address(request) -> str:
    return client_address(request) if request is not None else ""


def _channel(request) -> str:
    path = getattr(request, "path", "") or ""
    return "api" if path.startswith("/api/") else "html"


def signed_in(sender, request, user, **kwargs) -> None:
    if getattr(user, "organization_id", None) is None:
        return
    from waypoint.core import mfa

    actor = Actor(user=user, client_address=_address(request), purpose="operations", channel="html")
    pending = mfa.enrolled(user) or mfa.required(user)
    with transaction.atomic():
        services.record(
            actor,
            "sign_in",
            "session",
            user.pk,
            detail={"second_factor": "pending"} if pending else None,
        )


def signed_out(sender, request, user, **kwargs) -> None:
    if user is None or getattr(user, "organization_id", None) is None:
        return
    actor = Actor(user=user, client_address=_address(request), purpose="operations", channel="html")
    with transaction.atomic():
        services.record(actor, "sign_out", "session", user.pk)


def sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str((credentials or {}).get("username") or "")[:150]
    user = User.objects.filter(username=username).first() if username else None
    if user is not None and user.organization_id is not None:
        org_id = user.organization_id
    else:
        orgs = list(Organization.objects.values_list("pk", flat=True)[:2])
        if len(orgs) != 1:
            return
        org_id = orgs[0]
    with transaction.atomic():
        actor = system_actor(org_id, _channel(request), _address(request))
        services.record(
            actor,
            "sign_in_failed",
            "session",
            user.pk if user is not None and user.organization_id == org_id else "",
            detail={
                "username": username,
                "known_account": user is not None,
                **(
                    {"second_factor": str(credentials["second_factor"])[:20]}
                    if "second_factor" in (credentials or {})
                    else {}
                ),
            },
        )


def connect() -> None:
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    user_logged_in.connect(signed_in, dispatch_uid="waypoint.audit.signed_in")
    user_logged_out.connect(signed_out, dispatch_uid="waypoint.audit.signed_out")
    user_login_failed.connect(sign_in_failed, dispatch_uid="waypoint.audit.sign_in_failed")
