"""The client's address (core/netaddr.py): X-Forwarded-For believed only from a trusted
proxy, the right-most untrusted hop; the audit trail, the sign-in lockout (django-axes) and
the public contact form all ask the same function."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from waypoint.core.netaddr import client_address, parse_networks

rf = RequestFactory()


def _request(peer: str, forwarded: str | None = None):
    request = rf.get("/", REMOTE_ADDR=peer)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return request


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.WAYPOINT_TRUSTED_PROXIES = []
    assert client_address(_request("10.0.0.2", "203.0.113.9")) == "10.0.0.2"
    assert client_address(_request("198.51.100.4")) == "198.51.100.4"


def test_a_header_from_an_untrusted_peer_is_ignored(settings):
    settings.WAYPOINT_TRUSTED_PROXIES = ["10.0.0.1"]
    # a client connecting directly, writing the header itself
    assert client_address(_request("198.51.100.4", "1.2.3.4")) == "198.51.100.4"
    # a peer next to the proxy but not it
    assert client_address(_request("10.0.0.2", "1.2.3.4")) == "10.0.0.2"


def test_a_trusted_proxy_gives_the_right_most_untrusted_hop(settings):
    settings.WAYPOINT_TRUSTED_PROXIES = ["10.0.0.0/24", "192.168.1.5"]
    assert client_address(_request("10.0.0.1", "203.0.113.9")) == "203.0.113.9"
    # the client wrote a fake first hop; the proxies appended what they saw: the right-most
    # hop that is not a trusted proxy is the client's
    hops = "6.6.6.6, 203.0.113.9, 192.168.1.5"
    assert client_address(_request("10.0.0.1", hops)) == "203.0.113.9"
    # spaces, ports, IPv6 in brackets, IPv4-mapped IPv6
    assert client_address(_request("10.0.0.1", " 203.0.113.9:5100 ")) == "203.0.113.9"
    assert client_address(_request("10.0.0.1", "[2001:db8::7]:443")) == "2001:db8::7"
    assert client_address(_request("::ffff:10.0.0.1", "203.0.113.9")) == "203.0.113.9"
    # no header, or garbage: the proxy (or the last good hop) is all we know
    assert client_address(_request("10.0.0.1")) == "10.0.0.1"
    assert client_address(_request("10.0.0.1", "not-an-ip")) == "10.0.0.1"
    assert client_address(_request("10.0.0.1", "203.0.113.9, junk")) == "10.0.0.1"
    # every hop trusted: the left-most
    assert client_address(_request("10.0.0.1", "10.0.0.7, 10.0.0.8")) == "10.0.0.7"


def test_trusted_proxies_are_addresses_or_networks():
    assert [str(n) for n in parse_networks(["10.0.0.1", " 10.1.0.0/16", "::1", ""])] == [
        "10.0.0.1/32",
        "10.1.0.0/16",
        "::1/128",
    ]
    with pytest.raises(ValueError, match="'example.com'"):
        parse_networks(["example.com"])


def test_a_bad_trusted_proxy_setting_stops_the_start(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "WAYPOINT_TRUSTED_PROXIES": "10.0.0.1,proxy.internal",
        "DATABASE_URL": f"sqlite:///{tmp_path}/w.sqlite3",
        "WAYPOINT_SECRET_KEY": "test-only",
    }
    r = subprocess.run(
        [sys.executable, "-m", "waypoint.cli", "roles"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2 and "'proxy.internal' is not an IP address" in r.stderr


@pytest.mark.django_db
def test_audit_events_record_the_client_behind_a_trusted_proxy(api, make_patient, settings):
    from waypoint.audit.models import AuditEvent

    p = make_patient()
    auth = {"HTTP_AUTHORIZATION": "Bearer " + api.tokens["nurse"]}
    url = f"/api/v1/patients/{p.pk}"
    # an untrusted peer's header: ignored, the peer is recorded
    api.client.get(url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9", **auth)
    assert AuditEvent.objects.order_by("-pk").first().client_address == "10.0.0.1"
    settings.WAYPOINT_TRUSTED_PROXIES = ["10.0.0.1"]
    api.client.get(url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9", **auth)
    assert AuditEvent.objects.order_by("-pk").first().client_address == "203.0.113.9"


def test_the_sign_in_lockout_asks_the_same_function(settings):
    from axes.helpers import get_client_ip_address

    settings.WAYPOINT_TRUSTED_PROXIES = ["10.0.0.1"]
    assert get_client_ip_address(_request("10.0.0.1", "203.0.113.9")) == "203.0.113.9"
    assert get_client_ip_address(_request("10.0.0.2", "203.0.113.9")) == "10.0.0.2"
