"""SSRF guard: the crawler only talks to public addresses unless told otherwise.

Two doors lead to a socket in aiohttp, and both are guarded here:

* host names go through the connector's resolver. `GuardedResolver` wraps aiohttp's default
  resolver and checks every A/AAAA record it returns; aiohttp then connects to exactly those
  addresses (and caches exactly those), so there is no second lookup a DNS-rebinding server
  could answer differently.
* IP-literal hosts (`http://127.0.0.1/`, `http://[::1]/`) never reach the resolver, so the
  fetcher calls `AddressGuard.check_target` before every request, redirect hops included.

Ports: without `allow_private` only 80, 443 and 1024-65535 are allowed. Public sites do serve
pages on high ports (8080, 8443, 3000), while the well-known ports below 1024 belong to other
protocols (SMTP 25, memcached-style text protocols, ...) that cross-protocol attacks aim at.
With `allow_private` any port is allowed: the operator has said the network is theirs.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_SCHEMES = frozenset({"http", "https"})
#: Hint appended to every refusal so the operator knows how to audit a staging site.
ALLOW_PRIVATE_HINT = "use --allow-private to audit private networks"

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network

# (network, why it is refused). Order matters only for the wording of the message.
_BLOCKED_V4: tuple[tuple[ipaddress.IPv4Network, str], ...] = (
    (_V4("0.0.0.0/8"), "an unspecified ('this network') address"),
    (_V4("10.0.0.0/8"), "a private address"),
    (_V4("100.64.0.0/10"), "a carrier-grade NAT (shared) address"),
    (_V4("127.0.0.0/8"), "a loopback address"),
    (_V4("169.254.169.254/32"), "the cloud metadata address"),
    (_V4("169.254.0.0/16"), "a link-local address"),
    (_V4("172.16.0.0/12"), "a private address"),
    (_V4("192.0.0.0/24"), "an IETF protocol assignment (reserved) address"),
    (_V4("192.0.2.0/24"), "a documentation address"),
    (_V4("192.88.99.0/24"), "a 6to4 relay anycast (reserved) address"),
    (_V4("192.168.0.0/16"), "a private address"),
    (_V4("198.18.0.0/15"), "a benchmarking address"),
    (_V4("198.51.100.0/24"), "a documentation address"),
    (_V4("203.0.113.0/24"), "a documentation address"),
    (_V4("224.0.0.0/4"), "a multicast address"),
    (_V4("240.0.0.0/4"), "a reserved address"),  # includes 255.255.255.255 broadcast
)
_BLOCKED_V6: tuple[tuple[ipaddress.IPv6Network, str], ...] = (
    (_V6("::/128"), "an unspecified address"),
    (_V6("::1/128"), "a loopback address"),
    (_V6("64:ff9b:1::/48"), "a local-use NAT64 address"),
    (_V6("100::/64"), "a discard-only (reserved) address"),
    (_V6("2001:db8::/32"), "a documentation address"),
    (_V6("2001::/23"), "an IETF protocol assignment (reserved) address"),
    (_V6("3fff::/20"), "a documentation address"),
    (_V6("fc00::/7"), "a private (unique local) address"),
    (_V6("fe80::/10"), "a link-local address"),
    (_V6("fec0::/10"), "a site-local (deprecated, private) address"),
    (_V6("ff00::/8"), "a multicast address"),
)
_NAT64 = _V6("64:ff9b::/96")
_TEREDO = _V6("2001::/32")
_GLOBAL_UNICAST_V6 = _V6("2000::/3")


def blocked_reason(ip: IPAddress) -> str | None:
    """Why `ip` must not be fetched without --allow-private, or None when it is public.

    IPv6 forms that embed an IPv4 address (IPv4-mapped, 6to4, NAT64, Teredo) are judged by
    the embedded address, because that is where the packets end up.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_v4(ip)
        if embedded is not None:
            inner, form = embedded
            reason = blocked_reason(inner)
            return f"{form} of {inner}, {reason}" if reason else None
        for network, reason in _BLOCKED_V6:
            if ip in network:
                return reason
        if ip not in _GLOBAL_UNICAST_V6:  # everything outside 2000::/3 is unassigned/reserved
            return "a reserved address"
        return None
    for network, reason in _BLOCKED_V4:
        if ip in network:
            return reason
    return None


def is_public_ip(ip: IPAddress) -> bool:
    """True when `ip` is a public unicast address a crawler may connect to."""
    return blocked_reason(ip) is None


def _embedded_v4(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, str] | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped, "an IPv4-mapped form"
    if ip.sixtofour is not None:
        return ip.sixtofour, "a 6to4 form"
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), "a NAT64 form"
    if ip in _TEREDO and ip.teredo is not None:
        server, client = ip.teredo
        # Both ends of a Teredo address are IPv4 hosts on the path; a refused one decides.
        return (server if blocked_reason(server) else client), "a Teredo form"
    return None


class BlockedAddress(OSError):
    """A host resolved to (or is) an address the guard refuses, or uses a refused port.

    Subclassing OSError lets it travel through aiohttp's resolver path: the connector wraps
    it in `ClientConnectorDNSError` whose `os_error` is this exception.
    """

    def __init__(self, host: str, ip: str | None, reason: str, *, literal: bool = False) -> None:
        self.host = host
        self.ip = ip
        self.reason = reason
        if ip is None:
            message = reason
        elif literal:
            message = f"{host} is {reason}"
        else:
            message = f"{host} resolves to {ip}, {reason}"
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0])


@lru_cache(maxsize=4096)
def _literal_ip(host: str) -> IPAddress | None:
    """The address an IP-literal host denotes, or None for a host name.

    Mirrors aiohttp's own test (a colon, or only digits and dots) so that every host aiohttp
    would connect to without resolving is checked here. Legacy forms such as `127.1` or
    `2130706433` are read the way the C library would read them.
    """
    host = host.strip("[]")
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host)
        except ValueError:
            return None
    if host.replace(".", "").isdigit():
        try:
            return ipaddress.IPv4Address(host)
        except ValueError:
            pass
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


@dataclass(frozen=True, slots=True)
class AddressGuard:
    """The SSRF policy for one crawl.

    `trusted_networks` are accepted although not public; production leaves it empty. It
    exists so tests can play a "public" server on 127.0.0.1 and still prove that a redirect
    to 127.0.0.2 or to a name resolving to ::1 is refused.
    """

    allow_private: bool = False
    trusted_networks: tuple[IPNetwork, ...] = ()

    def check_ip(self, host: str, ip: str | IPAddress, *, literal: bool = False) -> None:
        """Raise BlockedAddress when `host`'s address `ip` may not be contacted."""
        if self.allow_private:
            return
        addr = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
        reason = blocked_reason(addr)
        if reason is None or any(addr in net for net in self.trusted_networks):
            return
        if literal and str(addr) != host:  # 127.1, 2130706433: say what the text stands for
            reason = f"{addr}, {reason}" if addr.version == 4 else reason
        raise BlockedAddress(host, str(addr), reason, literal=literal)

    def check_target(self, host: str, port: int | None) -> None:
        """Check a URL's host and port before a request: IP literals and the port rule.

        Host names are checked later, by `GuardedResolver`, on the addresses they resolve to.
        """
        if self.allow_private:
            return
        if port is not None and port not in (80, 443) and not 1024 <= port <= 65535:
            raise BlockedAddress(host, None, f"port {port} is not allowed "
                                             "(only 80, 443 and 1024-65535)")
        ip = _literal_ip(host)
        if ip is not None:
            self.check_ip(host, ip, literal=True)


def refusal_message(url: str, exc: BlockedAddress) -> str:
    """The operator-facing explanation of a refused fetch."""
    return f"refused to fetch {url}: {exc} ({ALLOW_PRIVATE_HINT})"


class GuardedResolver(AbstractResolver):
    """An aiohttp resolver that refuses host names resolving to non-public addresses.

    Every returned record is checked: one private record among public ones is enough to
    refuse, since the connector may pick any of them (happy eyeballs, retries).
    """

    def __init__(self, guard: AddressGuard, inner: AbstractResolver | None = None) -> None:
        self._guard = guard
        # Created here, inside the running loop the connector belongs to.
        self._inner = inner if inner is not None else DefaultResolver()

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        """Resolve `host` with the wrapped resolver and check every address it returns."""
        if _is_special_invalid(host):
            # RFC 6761 section 6.4: APIs should answer .invalid names negatively at once.
            raise socket.gaierror(socket.EAI_NONAME,
                                  f"{host}: name does not resolve (.invalid is reserved, RFC 6761)")
        results = await self._inner.resolve(host, port, family)
        self.check_all(host, (r["host"] for r in results))
        return results

    def check_all(self, host: str, addresses: Iterable[str]) -> None:
        for address in addresses:
            self._guard.check_ip(host, address)

    async def close(self) -> None:
        await self._inner.close()


def _is_special_invalid(host: str) -> bool:
    host = host.rstrip(".").lower()
    return host == "invalid" or host.endswith(".invalid")
