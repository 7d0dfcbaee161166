"""Outside recipients' tokens for ``/fhir/r4/`` (issue 20): the privacy officer issues one
to a recipient for one purpose (the raw token is shown once, stored hashed) and revokes it.
Each is audited. A token opens nothing by itself: each read is decided by the disclosure
rule against the patient's consents (``waypoint.fhir.recipients``)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from waypoint.audit import services as audit
from waypoint.core.errors import NotFound
from waypoint.core.models import User, hash_token

from ..models import RecipientToken
from ..schemas import RecipientTokenIn

if TYPE_CHECKING:
    from waypoint.core.actor import Actor

ACCOUNT_USERNAME = "recipient.{org}.{pk}"
TOKEN_PREFIX = "wpr_"


def _account(token: RecipientToken) -> User:
    """The recipient's system account: inactive, no role, no usable password (as
    ``core.services.public_actor`` makes its account), so it can never sign in or hold a
    staff token; the audit trail and the accounting name it as the actor of its reads."""
    user = User(
        username=ACCOUNT_USERNAME.format(org=token.organization_id, pk=token.pk),
        organization_id=token.organization_id,
        role="",
        is_active=False,
        first_name=token.recipient_name[:150],
        last_name=token.recipient_organization[:150],
    )
    user.set_unusable_password()
    user.save()
    return user


def recipient_token_issue(actor: Actor, data: RecipientTokenIn) -> tuple[RecipientToken, str]:
    """Issue a token to an outside recipient for one purpose; returns the row and the raw
    token (shown once, never stored). Privacy officer only (``recipient_token.manage``)."""
    actor.require("recipient_token.manage")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        token = RecipientToken.objects.create(
            organization_id=actor.organization_id,
            recipient_name=data.recipient_name,
            recipient_organization=data.recipient_organization,
            purpose=data.purpose,
            label=data.label,
            key_hash=hash_token(raw),
            prefix=raw[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 6],
            created_by=actor.user,
            created_at=now,
            expires_at=now + dt.timedelta(days=data.days),
        )
        token.account = _account(token)
        token.save(update_fields=["account"])
        audit.record(
            actor,
            "create",
            "recipient_token",
            token.pk,
            detail={
                "recipient": token.recipient_name,
                "recipient_organization": token.recipient_organization,
                "purpose": token.purpose,
                "prefix": token.prefix,
                "expires_at": token.expires_at.isoformat(),
            },
        )
    return token, raw


def recipient_token_revoke(actor: Actor, token_id: int) -> RecipientToken:
    """Revoke a recipient's token from now on (again: nothing changes). 404 outside the
    organization. Privacy officer only."""
    actor.require("recipient_token.manage")
    with transaction.atomic():
        token = (
            RecipientToken.objects.select_for_update()
            .filter(pk=token_id, organization_id=actor.organization_id)
            .first()
        )
        if token is None:
            raise NotFound("recipient token")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.revoked_by = actor.user
            token.save(update_fields=["revoked_at", "revoked_by"])
            audit.record(
                actor,
                "revoke",
                "recipient_token",
                token.pk,
                detail={"recipient": token.recipient_name, "prefix": token.prefix},
            )
    return token
