"""The render sample's network: Chromium reaches nothing except through the crawl's Fetcher.

Chromium is launched with `CHROMIUM_ARGS` (a dead proxy on the loopback discard port, loopback
not bypassed, WebRTC limited to proxied traffic, no DNS prefetch or background networking), so
a request that escaped interception would fail. Every request of its contexts is intercepted
and answered by `RequestGateway.handle`: fetched with the crawl's `Fetcher` (the same SSRF guard,
resolver, redirect checks, size cap, timeouts and politeness as the crawl) and fulfilled.
See docs/geo-rendering.md.
"""

from __future__ import annotations

import contextlib
from typing import Any

import aiohttp
import structlog

from .fetch import Fetcher
from .hrefs import is_internal_url
from .types import FetchResult

log = structlog.get_logger(__name__)

#: Resource types never fetched: they cannot add text or links, and cost most of the bytes.
SKIPPED_RESOURCE_TYPES = frozenset({"image", "media", "font"})
FORWARDED_METHODS = frozenset({"GET", "HEAD"})
#: Blocked requests remembered as evidence.
MAX_BLOCKED_EXAMPLES = 5
#: The discard port on loopback: any traffic that escaped interception would die here.
DEAD_PROXY = "http://127.0.0.1:9"
CHROMIUM_ARGS = (
    f"--proxy-server={DEAD_PROXY}", "--proxy-bypass-list=<-loopback>",
    # WebRTC may send UDP (STUN) around the proxy: allow only proxied traffic, i.e. none.
    "--force-webrtc-ip-handling-policy", "--webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--dns-prefetch-disable", "--disable-background-networking", "--disable-component-update",
    "--disable-dev-shm-usage",
)
_NOT_FORWARDED = frozenset({
    "host", "connection", "content-length", "accept-encoding", "transfer-encoding", "keep-alive",
    "te", "upgrade", "proxy-authorization", "proxy-connection", "trailer",
})
_NOT_RETURNED = frozenset({
    "content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive",
})


class RequestGateway:
    """Answers every browser request from Python, through the crawl's guarded Fetcher."""

    def __init__(self, fetcher: Fetcher, timeout_s: float, *,
                 site_hosts: tuple[str, bool] | None = None,
                 skipped_types: frozenset[str] = SKIPPED_RESOURCE_TYPES) -> None:
        """`site_hosts` = (start host, include subdomains) limits requests to the audited
        site's hosts (the audit's "no external requests" option); None allows any public host
        (CDN scripts, APIs), as a browser would. `skipped_types`: resource types answered
        with an abort instead of a fetch (the page-speed lab fetches everything)."""
        self.fetcher = fetcher
        self.site_hosts = site_hosts
        self.skipped_types = skipped_types
        self.timeout = aiohttp.ClientTimeout(total=timeout_s, sock_connect=min(10.0, timeout_s),
                                             sock_read=timeout_s)
        self.blocked = 0
        self.examples: list[str] = []

    def _refuse(self, url: str, why: str) -> None:
        self.blocked += 1
        if len(self.examples) < MAX_BLOCKED_EXAMPLES:
            self.examples.append(f"{url[:200]}: {why[:200]}")

    def max_bytes(self, resource_type: str) -> int | None:
        """Body cap for one request (None: the fetcher's, i.e. the crawl's max_body_bytes)."""
        return None

    async def failed(self, request: Any, result: FetchResult) -> None:
        """Hook: a fetch failed (network error, over the size cap); the request is aborted."""

    async def deliver(self, route: Any, request: Any, result: FetchResult) -> None:
        """Hand a fetched response to the browser (the lab delays it here: throttling)."""
        await route.fulfill(status=result.status, headers=_response_headers(result.headers),
                            body=result.body or b"")

    async def handle(self, route: Any) -> None:
        request = route.request
        try:
            url = request.url
            if request.resource_type in self.skipped_types:
                await route.abort("blockedbyclient")
                return
            if not url.startswith(("http://", "https://")):
                self._refuse(url, "only http and https are fetched")
                await route.abort("blockedbyclient")
                return
            if self.site_hosts is not None and not is_internal_url(url, *self.site_hosts):
                self._refuse(url, "another host (external requests are off for this audit)")
                await route.abort("blockedbyclient")
                return
            if request.method not in FORWARDED_METHODS:
                self._refuse(url, f"{request.method} not sent (only GET and HEAD)")
                await route.abort("blockedbyclient")
                return
            headers = {name: value for name, value in (await request.all_headers()).items()
                       if name.lower() not in _NOT_FORWARDED and not name.startswith(":")}
            # Redirects are followed here, each hop checked by the guard: a redirect handed to
            # the browser would be followed by Chromium without interception (into the dead
            # proxy). The browser gets the final answer under the URL it asked for.
            result = await self.fetcher.fetch(url, method=request.method, max_retries=0,
                                              client_timeout=self.timeout, headers=headers,
                                              max_bytes=self.max_bytes(request.resource_type))
            if result.error == "ssrf_blocked":
                self._refuse(result.final_url, result.error_detail)
                await route.abort("blockedbyclient")
            elif result.error is not None or result.body is None:
                await self.failed(request, result)
                await route.abort("failed")
            else:
                await self.deliver(route, request, result)
        except Exception as exc:  # noqa: BLE001 - the page may be gone; never leak a request
            log.debug("render.route_failed", url=request.url[:200], error=repr(exc)[:200])
            with contextlib.suppress(Exception):
                await route.abort("failed")


def _response_headers(headers: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Headers for the browser: the body is already decompressed and complete, and repeated
    headers are joined (Set-Cookie by newlines, as Playwright expects)."""
    joined: dict[str, str] = {}
    for name, value in headers:
        if name in _NOT_RETURNED:
            continue
        if name in joined:
            joined[name] += ("\n" if name == "set-cookie" else ", ") + value
        else:
            joined[name] = value
    return joined
