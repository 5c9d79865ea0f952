"""The client's address behind reverse proxies.

`X-Forwarded-For` (and `X-Forwarded-Proto` / `-Host`) can be written by anyone, so they are
believed only when the TCP peer is one of `SEOAUDIT_TRUSTED_PROXIES`. The list is read from the
right: each hop appended by a trusted proxy is skipped, and the first address that is not a
trusted proxy is the client. Rate limits and logs key on that address, so a client cannot pick
its own identity by sending the header."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Headers that only a trusted proxy may set; dropped from requests that come from elsewhere.
FORWARDED_META_KEYS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                       "HTTP_X_FORWARDED_PORT", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


@lru_cache(maxsize=32)
def parse_networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """`("10.0.0.0/8", "127.0.0.1")` → networks; a bare address is a /32 (/128)."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def networks_setting(name: str) -> tuple[IPNetwork, ...]:
    return parse_networks(tuple(getattr(settings, name, ()) or ()))


def parse_ip(value: str) -> IPAddress | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[::1]:443"
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # "1.2.3.4:5678"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def in_networks(address: IPAddress | None, networks: Iterable[IPNetwork]) -> bool:
    return address is not None and any(address in network for network in networks)


def resolve_client_ip(remote_addr: str, forwarded_for: str, proxies: tuple[IPNetwork, ...]) -> str:
    """The client address for a peer `remote_addr` that sent `forwarded_for` (pure function)."""
    peer = parse_ip(remote_addr)
    if peer is None:
        return remote_addr or "unknown"
    if not forwarded_for or not in_networks(peer, proxies):
        return str(peer)
    client = peer
    for hop in reversed(forwarded_for.split(",")):
        address = parse_ip(hop)
        if address is None:  # garbage in the chain: stop at the last address we could trust
            break
        client = address
        if not in_networks(address, proxies):
            break
    return str(client)


def client_ip(request: HttpRequest) -> str:
    """The client address of `request` (cached on it)."""
    cached = getattr(request, "client_ip", None)
    if cached is None:
        cached = resolve_client_ip(request.META.get("REMOTE_ADDR", ""),
                                   request.META.get("HTTP_X_FORWARDED_FOR", ""),
                                   networks_setting("SEOAUDIT_TRUSTED_PROXIES"))
        request.client_ip = cached  # type: ignore[attr-defined]
    return cached


def from_trusted_proxy(request: HttpRequest) -> bool:
    return in_networks(parse_ip(request.META.get("REMOTE_ADDR", "")),
                       networks_setting("SEOAUDIT_TRUSTED_PROXIES"))


def strip_untrusted_forwarded_headers(request: HttpRequest) -> None:
    """Drop forwarding headers that did not come from a trusted proxy, so that Django's
    `SECURE_PROXY_SSL_HEADER` and anything else reading them only ever sees a proxy's word."""
    if not from_trusted_proxy(request):
        for key in FORWARDED_META_KEYS:
            request.META.pop(key, None)
