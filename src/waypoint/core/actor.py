"""Who is acting: the staff member, their organization and role, where from and why.

Every service takes an ``Actor`` first. It carries what the audit trail records and what
permission checks need, so neither depends on an HTTP request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from .errors import PermissionDenied
from .netaddr import client_address
from .permissions import MATRIX, allowed

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import User

__all__ = ["PURPOSES", "Actor", "actor_from_request", "api_actor", "client_address", "purpose_of"]

# Purposes of use a caller may give (X-Purpose-Of-Use header or ?purpose=); treatment default.
PURPOSES = ("treatment", "payment", "operations", "audit", "emergency", "patient_request")


@dataclass(frozen=True)
class Actor:
    user: User
    client_address: str = ""
    purpose: str = "treatment"
    channel: str = "api"  # "api", "html" or "cli"

    @property
    def organization_id(self) -> int:
        org = self.user.organization_id
        if org is None:  # staff_view and the API's auth let no such user act
            raise PermissionDenied("act without an organization")
        return org

    @property
    def role(self) -> str:
        return self.user.role

    def can(self, action: str) -> bool:
        return allowed(self.role, action)

    def require(self, action: str) -> None:
        """Raise 403 ``forbidden`` unless this actor's role may do ``action``."""
        if not self.can(action):
            raise PermissionDenied(MATRIX[action][1].lower() if action in MATRIX else action)


def purpose_of(request: HttpRequest) -> str:
    raw = request.headers.get("X-Purpose-Of-Use") or request.GET.get("purpose") or "treatment"
    return raw if raw in PURPOSES else "treatment"


def actor_from_request(request: HttpRequest, channel: str) -> Actor:
    # The request is authenticated: the API's auth has set request.auth (ninja adds it to
    # the request; Django's stubs do not know it), staff_view has checked request.user.
    user = request.auth if channel == "api" else request.user  # type: ignore[attr-defined]
    return Actor(
        user=cast("User", user),
        client_address=client_address(request),
        purpose=purpose_of(request),
        channel=channel,
    )


def api_actor(request: HttpRequest) -> Actor:
    """The actor of a JSON API request: the bearer token's user (``request.auth``), with
    the client's address and the purpose of use it gave."""
    return actor_from_request(request, "api")
