"""The client's address: the one function every part of Waypoint asks (audit events, the
public contact form's limits, django-axes' lockout by address).

Behind a reverse proxy the direct peer (``REMOTE_ADDR``) is the proxy, and the client's
address is in ``X-Forwarded-For``; but anyone can send that header, so it is believed only
when the direct peer is a proxy the operator named (``WAYPOINT_TRUSTED_PROXIES``: addresses
or CIDR networks, comma-separated; none by default). Then the address is the right-most hop
of the header that is not itself a trusted proxy (each proxy appends the address it was
reached from, so the hops left of the first untrusted one were written by the client and
prove nothing). Otherwise the header is ignored and the peer is the client.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_LENGTH = 64  # the audit event's column


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """``["10.0.0.1", "192.168.0.0/16", "::1"]`` as networks; raises ``ValueError`` naming
    the first entry that is neither an address nor a network."""
    out: list[Network] = []
    for entry in entries:
        text = entry.strip()
        if not text:
            continue
        try:
            out.append(ipaddress.ip_network(text, strict=False))
        except ValueError as exc:
            raise ValueError(f"{text!r} is not an IP address or network (CIDR)") from exc
    return tuple(out)


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(entries)


def _trusted() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "WAYPOINT_TRUSTED_PROXIES", ())))


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51000"
        text = text.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _is_trusted(
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: tuple[Network, ...]
) -> bool:
    return any(ip.version == net.version and ip in net for net in networks)


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent ``request`` (see the module's docstring)."""
    peer = str(request.META.get("REMOTE_ADDR", "") or "")
    networks = _trusted()
    peer_ip = _ip(peer)
    if not networks or peer_ip is None or not _is_trusted(peer_ip, networks):
        return peer[:MAX_LENGTH]
    header = str(request.META.get("HTTP_X_FORWARDED_FOR", "") or "")
    client = peer_ip
    for hop in reversed([h for h in header.split(",") if h.strip()]):
        ip = _ip(hop)
        if ip is None:  # garbage a proxy would not write: stop at the last good hop
            break
        client = ip
        if not _is_trusted(ip, networks):
            break
    return str(client)[:MAX_LENGTH]
