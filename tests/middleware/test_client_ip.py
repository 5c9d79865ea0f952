"""Whose address is it: forwarded headers count only when a trusted proxy wrote them."""

from __future__ import annotations

import pytest

from seoaudit.client_ip import parse_networks, resolve_client_ip

PROXIES = parse_networks(("10.0.0.0/8", "2001:db8:ffff::/48"))


@pytest.mark.parametrize(("remote", "forwarded", "expected"), [
    ("203.0.113.5", "", "203.0.113.5"),
    ("203.0.113.5", "198.51.100.1", "203.0.113.5"),  # not from a proxy: ignored
    ("10.0.0.2", "198.51.100.1", "198.51.100.1"),
    ("10.0.0.2", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the client's own claim is left of it
    ("10.0.0.2", "198.51.100.1, 10.0.0.3", "198.51.100.1"),  # two proxies in a row
    ("10.0.0.2", "10.0.0.9, 10.0.0.3", "10.0.0.9"),  # all proxies: the farthest one
    ("10.0.0.2", "junk, 198.51.100.1", "198.51.100.1"),
    ("10.0.0.2", "198.51.100.1, junk", "10.0.0.2"),  # garbage from the proxy side: stop there
    ("10.0.0.2", "198.51.100.1:4711", "198.51.100.1"),
    ("10.0.0.2", "[2001:db8::7]:443", "2001:db8::7"),
    ("2001:db8:ffff::1", "2001:db8:1::5", "2001:db8:1::5"),
    ("::ffff:10.0.0.2", "198.51.100.1", "198.51.100.1"),  # IPv4-mapped peer
    ("", "198.51.100.1", "unknown"),
])
def test_resolve_client_ip(remote, forwarded, expected):
    assert resolve_client_ip(remote, forwarded, PROXIES) == expected


def test_no_proxies_configured_means_the_peer():
    assert resolve_client_ip("127.0.0.1", "198.51.100.1", ()) == "127.0.0.1"
