"""The page-speed lab's device profiles and its throttled, guarded network.

Chromium never opens a connection itself (render_network.py: dead proxy, every request
intercepted and answered from Python through the crawl's `Fetcher`, i.e. the SSRF guard, size
caps and timeouts). Because responses are handed over by Python, the browser's own network
throttling (CDP `Network.emulateNetworkConditions`) would not apply to them, so the lab
throttles in the gateway itself (`LabGateway.deliver`):

* latency: every response is held back one round trip (`rtt_ms`) after it was fetched, plus
  one more for the first request to an origin (TCP connect) and one more when that origin is
  https (TLS handshake) — the emulated link comes on top of the real one;
* bandwidth: responses then cross one shared downlink of `down_kbps`, one after the other
  (a response occupies the link for bytes x 8 / kbps ms), so parallel downloads share it as
  they would on a real phone connection.

The CPU slowdown is Chromium's own (CDP `Emulation.setCPUThrottlingRate`), set on the tab
before navigation. Unlike the render sample, the lab fetches images, media and fonts (they
are page weight and often the LCP element), each capped at `MAX_RESOURCE_BYTES`.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .fetch import Fetcher
from .render_network import RequestGateway
from .types import FetchResult

#: Largest response body the lab fetches (an image or video over it is aborted and recorded).
MAX_RESOURCE_BYTES = 8 * 1024 * 1024
#: Weight buckets: Playwright resource types folded into what a report shows.
WEIGHT_TYPES = {
    "document": "document", "stylesheet": "stylesheet", "script": "script", "image": "image",
    "font": "font", "media": "media", "xhr": "xhr", "fetch": "xhr",
}


@dataclass(frozen=True, slots=True)
class Profile:
    """One device profile: what the browser context emulates and how the network is slowed."""

    name: str
    width: int
    height: int
    device_scale_factor: float
    is_mobile: bool
    user_agent: str
    #: Chromium CPU throttling rate (1 = none, 4 = four times slower).
    cpu_slowdown: float
    rtt_ms: float
    down_kbps: float

    def describe(self) -> dict[str, Any]:
        """The profile as stored with each measurement (details["throttling"])."""
        return {
            "form_factor": self.name, "viewport": f"{self.width}x{self.height}",
            "device_scale_factor": self.device_scale_factor, "mobile": self.is_mobile,
            "touch": self.is_mobile, "cpu_slowdown": self.cpu_slowdown,
            "rtt_ms": self.rtt_ms, "down_kbps": self.down_kbps,
            "method": "latency and shared-downlink bandwidth applied in the request gateway; "
                      "CPU via CDP Emulation.setCPUThrottlingRate",
        }


#: Lighthouse's mobile defaults (moto g power class device on "slow 4G").
MOBILE = Profile(
    "mobile", 412, 823, 2.625, True,
    "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/124.0.0.0 Mobile Safari/537.36 SEOAuditLab/1.0",
    cpu_slowdown=4.0, rtt_ms=150.0, down_kbps=1600.0)
#: Lighthouse's desktop defaults (cable-like network, no CPU slowdown).
DESKTOP = Profile(
    "desktop", 1350, 940, 1.0, False,
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36 SEOAuditLab/1.0",
    cpu_slowdown=1.0, rtt_ms=40.0, down_kbps=10240.0)
PROFILES = {profile.name: profile for profile in (MOBILE, DESKTOP)}


@dataclass(frozen=True, slots=True)
class Transfer:
    """One response handed to the browser: what it cost on the emulated network."""

    url: str
    resource_type: str
    bytes: int


def transfer_bytes(result: FetchResult) -> int:
    """Bytes on the wire: Content-Length when the server compressed the body (the fetcher
    keeps the decompressed body), else the body size."""
    if result.header("content-encoding"):
        length = result.header("content-length") or ""
        if length.isdigit():
            return int(length)
    return len(result.body) if result.body is not None else result.size


class LabGateway(RequestGateway):
    """The render gateway for one lab load: fetches every resource type (capped), records
    what crossed the network and throttles each response to the load's `Profile`."""

    def __init__(self, fetcher: Fetcher, timeout_s: float, profile: Profile, *,
                 site_hosts: tuple[str, bool] | None = None) -> None:
        super().__init__(fetcher, timeout_s, site_hosts=site_hosts, skipped_types=frozenset())
        self.profile = profile
        self.transfers: list[Transfer] = []
        self.failed_requests = 0
        self.oversized: list[str] = []
        self._origins: set[str] = set()
        self._link_free = 0.0
        #: Time to first byte of the page's document: the server's (as the fetcher saw it)
        #: plus the emulated round trips (connection setup and request); None until known.
        self.document_ttfb_ms: float | None = None

    def max_bytes(self, resource_type: str) -> int | None:
        return MAX_RESOURCE_BYTES

    async def failed(self, request: Any, result: FetchResult) -> None:
        self.failed_requests += 1
        if result.truncated and len(self.oversized) < 5:
            self.oversized.append(request.url[:300])

    def round_trips(self, url: str) -> int:
        """Emulated round trips before a response to `url` starts: the request's, plus the
        connection setup (TCP, and TLS for https) on the first request to its origin."""
        rtts = 1
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._origins:
            self._origins.add(origin)
            rtts += 2 if parts.scheme == "https" else 1
        return rtts

    def delay_s(self, rtts: int, size: int, now: float) -> float:
        """Seconds to hold a response fetched at `now` (monotonic): `rtts` round trips, then
        its turn on the shared downlink. Updates the link's state."""
        arrives = now + rtts * self.profile.rtt_ms / 1000
        start = max(arrives, self._link_free)
        self._link_free = start + size * 8 / (self.profile.down_kbps * 1000)
        return self._link_free - now

    async def deliver(self, route: Any, request: Any, result: FetchResult) -> None:
        size = transfer_bytes(result)
        self.transfers.append(Transfer(request.url, request.resource_type, size))
        rtts = self.round_trips(request.url)
        if self.document_ttfb_ms is None and request.resource_type == "document":
            self.document_ttfb_ms = result.ttfb_ms + rtts * self.profile.rtt_ms
        await asyncio.sleep(self.delay_s(rtts, size, time.monotonic()))
        await super().deliver(route, request, result)

    def bytes_by_url(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for transfer in self.transfers:
            found[transfer.url] = found.get(transfer.url, 0) + transfer.bytes
        return found

    def weight_by_type(self) -> dict[str, int]:
        weights: Counter[str] = Counter()
        for transfer in self.transfers:
            weights[WEIGHT_TYPES.get(transfer.resource_type, "other")] += transfer.bytes
        return dict(weights)
