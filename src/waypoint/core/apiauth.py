"""How the JSON API knows its caller: a bearer token (every route) or, for a route a
staff page's own script calls, the signed-in session with its CSRF token."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth
from ninja.security.base import AuthBase

from waypoint.core import fastsql
from waypoint.core.errors import DomainError
from waypoint.core.models import ApiToken, User, hash_token


class TokenExpired(DomainError):
    """401 ``token_expired``: the token was right but its time is over (issue 16)."""

    status = 401

    def __init__(self) -> None:
        super().__init__(
            "token_expired",
            "This API token has expired: make a new one (waypoint token create).",
        )


def note_use(row: Any, now: dt.datetime) -> None:
    """Write a token row's last use (``last_used_at``) at most once every
    ``WAYPOINT_TOKEN_LAST_USED_SECONDS``, so a busy client adds no write per request. For
    staff tokens and outside recipients' tokens (privacy) alike."""
    every = dt.timedelta(seconds=int(settings.WAYPOINT_TOKEN_LAST_USED_SECONDS))
    if row.last_used_at is None or now - row.last_used_at >= every:
        type(row).objects.filter(pk=row.pk).update(last_used_at=now)


def token_with_user(key_hash: str) -> ApiToken | None:
    """The unrevoked token with this hash and its user, in one statement built once
    (``core.fastsql``: every API request runs it, and the ORM's compilation of the same
    query cost more than the query; docs/BENCHMARKS.md)."""
    sql = (
        f"SELECT {fastsql.select_list(ApiToken, 't')}, {fastsql.select_list(User, 'u')} "  # noqa: S608 (names from the models)
        f"FROM {ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id "
        "WHERE t.key_hash = %s AND t.revoked_at IS NULL"
    )
    found = fastsql.first(sql, [key_hash], (ApiToken, "t"), (User, "u"))
    if found is None:
        return None
    row: ApiToken = found[0]
    row.user = found[1]
    return row


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; the token is looked up by its SHA-256. An expired
    token is refused with 401 ``token_expired``; the token's last use is written at most
    once every ``WAYPOINT_TOKEN_LAST_USED_SECONDS`` (a busy client adds no write per
    request)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token or len(token) > 200:
            return None
        row = token_with_user(hash_token(token))
        if row is None or not row.user.is_active or row.user.organization_id is None:
            return None
        now = timezone.now()
        if row.expires_at is not None and row.expires_at <= now:
            raise TokenExpired()
        note_use(row, now)
        return row.user


class StaffSessionAuth(SessionAuth):
    """A signed-in staff member's session, for the order form's check (a same-host script
    calls it while the prescriber types): the CSRF token is checked, and only when the
    session cookie is there, so a bearer-token client without one still gets 401. A
    session whose second factor is still to come is not signed in here."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        from .mfa import session_state

        user = request.user
        if key is None or not user.is_authenticated or not user.is_active:
            return None
        if session_state(request) != "ok":
            return None
        return user if user.organization_id is not None else None


def staff_or_token() -> list[AuthBase]:
    """A bearer token, else a signed-in staff member's session with its CSRF token."""
    return [TokenAuth(), StaffSessionAuth()]
