"""What a server start must refuse (``waypoint serve``): debug mode anywhere but on the
loopback interface, and a production start while the demo's accounts can sign in.

A *production start* is one that real people can reach: ``WAYPOINT_HTTPS=1`` (behind a TLS
proxy) or a bind address other than loopback. The demo's accounts have published passwords
(``<role>-demo-2026``), so such a start is refused until ``waypoint demo --remove`` has
closed them.
"""

from __future__ import annotations

import ipaddress

from .errors import DomainError
from .models import User

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback(host: str) -> bool:
    """Whether a bind address (``127.0.0.1``, ``::1``, ``[::1]``, ``localhost``) is on the
    loopback interface only. ``0.0.0.0``, ``::`` and every other address or name are not."""
    text = host.strip().lower()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if text in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def is_production(host: str, https: bool) -> bool:
    return https or not is_loopback(host)


def demo_accounts() -> list[str]:
    """The usernames of the demo organization's accounts that can still sign in."""
    return list(
        User.objects.filter(organization__is_demo=True, is_active=True)
        .order_by("username")
        .values_list("username", flat=True)
    )


def start_refusals(host: str, *, debug: bool, https: bool) -> list[DomainError]:
    """Every reason to refuse serving on ``host`` (empty: start). Reads the database only
    for a production start."""
    out: list[DomainError] = []
    if debug and not is_loopback(host):
        out.append(
            DomainError(
                "debug_not_loopback",
                f"WAYPOINT_DEBUG=1 shows patient data in error pages: it serves only on the "
                f"loopback interface (127.0.0.1), not on {host!r}. Unset WAYPOINT_DEBUG.",
            )
        )
    if is_production(host, https):
        names = demo_accounts()
        if names:
            shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
            out.append(
                DomainError(
                    "demo_accounts_present",
                    f"the demo's accounts ({shown}) have published passwords: a production "
                    "start (WAYPOINT_HTTPS=1 or a non-loopback --host) is refused while they "
                    "exist. Run `waypoint demo --remove`, or serve on 127.0.0.1 to evaluate.",
                )
            )
    return out
