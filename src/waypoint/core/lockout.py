"""Sign-in lockout and throttle (issue 16; docs/SIGN-IN.md).

- ``client_ip``: the client address django-axes records and locks on
  (``AXES_CLIENT_IP_CALLABLE``). It calls the project's one client-address function,
  ``core.actor.client_address``, so the audit trail and the lockout always agree.
- ``LockoutHandler``: django-axes' database handler, locking on the username OR the
  address (``AXES_LOCKOUT_PARAMETERS``), each with its own limit: ``AXES_FAILURE_LIMIT``
  failures of one username, ``WAYPOINT_LOGIN_ADDRESS_FAILURE_LIMIT`` from one address
  (higher: a clinic's staff often share one address). A password accepted while a second
  factor is still to come does not clear the count (``AXES_RESET_ON_SUCCESS`` is off): the
  count of a username is cleared when the sign-in is complete (``signin_complete``), so
  guessing codes after a known password still locks.
- ``throttle_signin``: every sign-in POST from one address counts, right or wrong; past
  ``WAYPOINT_SIGNIN_THROTTLE_LIMIT`` in ``WAYPOINT_SIGNIN_THROTTLE_SECONDS`` it is refused.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .actor import client_address

if TYPE_CHECKING:
    from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client address of ``request`` for django-axes: the project's one function
    (``core.actor.client_address``, which knows the trusted proxies)."""
    return client_address(request)


class LockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]
    """Locked when the username's failures reach ``AXES_FAILURE_LIMIT`` or the address's
    reach ``WAYPOINT_LOGIN_ADDRESS_FAILURE_LIMIT`` (within the cool-off time).

    django-axes compares one number with one limit; this handler gives it the larger of
    the username's count and the address's count scaled to the username's limit, so each
    reaches the limit exactly when its own count reaches its own limit."""

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        from axes.helpers import get_lockout_parameters
        from django.db.models import Sum

        user_limit = int(settings.AXES_FAILURE_LIMIT)
        address_limit = int(settings.WAYPOINT_LOGIN_ADDRESS_FAILURE_LIMIT)
        worst = 0
        params = get_lockout_parameters(request, credentials)
        counts = self.get_user_attempts(request, credentials)
        for param, attempts in zip(params, counts, strict=True):
            n = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            if param == "ip_address":
                n = n * user_limit // address_limit
            worst = max(worst, n)
        return worst


def reset_username(username: str) -> int:
    """Clear the failed sign-ins of ``username`` (its count, and its share of its addresses'
    counts); returns how many attempt rows went."""
    from axes.utils import reset

    return int(reset(username=username) or 0)


# --- the per-address throttle of the sign-in form ----------------------------------------


def throttle_signin(request: HttpRequest, scope: str = "signin") -> int:
    """Count this sign-in POST against its address; the seconds to wait when over the
    limit, else 0 (one row per address and window, updated in place)."""
    from .models import SignInThrottle

    address = client_address(request) or "unknown"
    window = int(settings.WAYPOINT_SIGNIN_THROTTLE_SECONDS)
    limit = int(settings.WAYPOINT_SIGNIN_THROTTLE_LIMIT)
    now = timezone.now()
    start = dt.datetime.fromtimestamp(int(now.timestamp()) // window * window, tz=dt.UTC)
    with transaction.atomic():
        row, created = SignInThrottle.objects.select_for_update().get_or_create(
            scope=scope, address=address, defaults={"window_start": start, "count": 1}
        )
        if not created:
            if row.window_start != start:
                row.window_start, row.count = start, 1
                row.save(update_fields=["window_start", "count"])
            else:
                SignInThrottle.objects.filter(pk=row.pk).update(count=F("count") + 1)
                row.refresh_from_db(fields=["count"])
        SignInThrottle.objects.filter(
            window_start__lt=start - dt.timedelta(seconds=window)
        ).delete()
    if row.count > limit:
        return max(1, int((start + dt.timedelta(seconds=window) - now).total_seconds()))
    return 0
