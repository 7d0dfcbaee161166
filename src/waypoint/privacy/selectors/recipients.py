"""Outside recipients' tokens (issue 20): the lookup of a bearer token, and the privacy
officer's list."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from waypoint.core.apiauth import note_use
from waypoint.core.models import hash_token

from ..models import RecipientToken

# the audit trail's channel of an outside recipient's reads (its actor is the token's
# inactive system account; the restricted-record gate leaves them to the consent rule)
RECIPIENT_CHANNEL = "recipient"


class RecipientTokenExpired(Exception):
    """The token was right but its time is over (401 ``token_expired``)."""


def recipient_for_token(raw: str) -> RecipientToken | None:
    """The recipient's token row for a raw bearer token, or None (unknown or revoked).
    Raises ``RecipientTokenExpired`` when it is past ``expires_at``. Its last use is written
    at most every ``WAYPOINT_TOKEN_LAST_USED_SECONDS``, like staff tokens."""
    if not raw or len(raw) > 200:
        return None
    row = (
        RecipientToken.objects.select_related("account", "organization")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True, account__isnull=False)
        .first()
    )
    if row is None:
        return None
    now = timezone.now()
    if row.expires_at <= now:
        raise RecipientTokenExpired()
    note_use(row, now)
    return row


def recipient_tokens(organization_id: int) -> QuerySet[RecipientToken]:
    return RecipientToken.objects.filter(organization_id=organization_id).select_related(
        "created_by", "revoked_by"
    )
