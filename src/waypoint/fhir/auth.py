"""Who calls /fhir/r4/: a staff member's API bearer token (the same tokens as /api/v1/,
read as internal use: permission matrix and audit trail as the pages), or an outside
recipient's token (a privacy officer's grant to one recipient for one purpose; every
answer to it goes through the privacy rule and is a disclosure). 401 OperationOutcome
otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from waypoint.core.actor import Actor, client_address, purpose_of
from waypoint.core.apiauth import TokenAuth, TokenExpired
from waypoint.privacy.selectors.recipients import (
    RECIPIENT_CHANNEL,
    RecipientTokenExpired,
    recipient_for_token,
)

from .outcome import FhirError

CHANNEL = "fhir"


@dataclass(frozen=True)
class Caller:
    """The actor, and for an outside recipient the recipient's token row (None for staff)."""

    actor: Actor
    recipient: Any = None  # privacy.RecipientToken of an outside recipient

    @property
    def is_recipient(self) -> bool:
        return self.recipient is not None


def bearer(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def caller(request: HttpRequest) -> Caller:
    token = bearer(request)
    if not token:
        raise FhirError(401, "unauthenticated", "Send Authorization: Bearer <token>.")
    try:
        user = TokenAuth().authenticate(request, token)
    except TokenExpired as exc:
        raise FhirError(401, exc.code, exc.message) from None
    if user is not None:
        actor = Actor(
            user=user,
            client_address=client_address(request),
            purpose=purpose_of(request),
            channel=CHANNEL,
        )
        return Caller(actor)
    # an outside recipient's token (privacy.RecipientToken): its reads go through the gate
    # (recipients.py); the actor is the recipient's inactive system account
    try:
        row = recipient_for_token(token)
    except RecipientTokenExpired:
        raise FhirError(401, "token_expired", "This recipient token has expired.") from None
    if row is not None and row.account is not None:
        actor = Actor(
            user=row.account,
            client_address=client_address(request),
            purpose=row.purpose,
            channel=RECIPIENT_CHANNEL,
        )
        return Caller(actor, row)
    raise FhirError(401, "unauthenticated", "This token is unknown, revoked or expired.")
