"""The page-speed lab: load a sample of pages in headless Chromium, mobile and desktop, and
measure TTFB, FCP, LCP, CLS, total blocking time, page weight by type, requests,
render-blocking resources and unused large images (docs/pagespeed.md).

Every load gets a fresh browser context (cold cache, no cookies) with its device profile
(lab_network.PROFILES), an init script that records PerformanceObserver entries from the first
byte of the page on (lab_observe.js), and a `LabGateway` that answers every request through the
crawl's guarded Fetcher and applies the profile's network throttling. After `load` the lab
waits for the network to go quiet (capped) plus a quiet window for late layout shifts and long
tasks, then reads the figures (lab_read.js); lab_metrics.py does the arithmetic.

Bounds: one browser for all loads (browser.launch_browser, always closed), a per-load timeout, a
total budget, loads one after the other (CPU figures of parallel loads would disturb each
other). A failing page is that measurement's error; missing Playwright/Chromium gives a report
with status "skipped" and a reason that says how to enable the lab.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import structlog

from .browser import browser_missing, launch_browser, navigate
from .cwv import LAB_METRICS, performance_score, rate
from .fetch import Fetcher
from .lab_metrics import (
    RenderBlocking,
    UnusedImage,
    cumulative_layout_shift,
    render_blocking,
    total_blocking_time,
    unused_large_images,
)
from .lab_network import PROFILES, LabGateway, Profile
from .render import render_candidates
from .urls import host_of

if TYPE_CHECKING:
    from aiohttp.abc import AbstractResolver

    from .netguard import AddressGuard
    from .site import SiteView
    from .types import CrawlOptions

log = structlog.get_logger(__name__)

FORM_FACTORS = ("mobile", "desktop")
#: Upper bound for one load (navigation, quiet window, reading the figures).
LOAD_TIMEOUT_S = 30.0
#: Wall-clock budget for all loads of a sample (browser start excluded).
BUDGET_S = 180.0
#: After `load`, wait at most this long for the network to go idle (late requests) ...
NETWORK_IDLE_CAP_S = 5.0
#: ... then this long for late layout shifts and long tasks (the TBT and CLS window).
QUIET_WINDOW_S = 1.5
#: <img> elements read per page.
MAX_IMAGES = 300
#: Candidates looked at to find one page per URL template.
MAX_CANDIDATES = 2000
_OBSERVE_JS = (Path(__file__).with_name("lab_observe.js")).read_text(encoding="utf-8")
_READ_JS = (Path(__file__).with_name("lab_read.js")).read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class LabMeasurement:
    """One page in one profile. Metrics are None when not measured (error, no paint)."""

    url: str
    form_factor: str
    ttfb_ms: float | None = None
    fcp_ms: float | None = None
    lcp_ms: float | None = None
    cls: float | None = None
    tbt_ms: float | None = None
    page_weight_bytes: int | None = None
    request_count: int | None = None
    weight_by_type: dict[str, int] = field(default_factory=dict)
    render_blocking: tuple[RenderBlocking, ...] = ()
    unused_large_images: tuple[UnusedImage, ...] = ()
    #: The LCP element ({element, url, size}) as the browser reported it.
    lcp_element: dict[str, Any] | None = None
    #: Requests the gateway could not answer (network error, over the size cap).
    failed_requests: int = 0
    #: Why the load failed (timeout, HTTP status, browser error); None when measured.
    error: str | None = None
    ms: float = 0.0

    @property
    def metrics(self) -> dict[str, float | None]:
        return {metric: getattr(self, metric) for metric in LAB_METRICS}

    @property
    def ratings(self) -> dict[str, str]:
        """metric -> "good" | "needs-improvement" | "poor" for the measured metrics."""
        return {metric: rating for metric, value in self.metrics.items()
                if (rating := rate(metric, value)) is not None}

    @property
    def score(self) -> int | None:
        return None if self.error else performance_score(self.metrics, self.form_factor)

    def details(self) -> dict[str, Any]:
        """The `details` JSON of a pagespeed Measurement (keys documented in
        docs/pagespeed.md)."""
        return {"weight_by_type": dict(self.weight_by_type),
                "render_blocking": [item.as_dict() for item in self.render_blocking],
                "unused_large_images": [item.as_dict() for item in self.unused_large_images],
                "throttling": PROFILES[self.form_factor].describe(),
                "ratings": self.ratings, "lcp_element": self.lcp_element,
                "failed_requests": self.failed_requests, "load_ms": round(self.ms, 1)}


@dataclass(frozen=True, slots=True)
class LabReport:
    """What the lab did. `status` is "measured" (the browser ran; see `measurements`) or
    "skipped" (it could not run: `reason` says why and how to enable it)."""

    status: str
    reason: str = ""
    measurements: tuple[LabMeasurement, ...] = ()
    #: The URLs that were (or would have been) measured, in sample order.
    urls: tuple[str, ...] = ()
    form_factors: tuple[str, ...] = FORM_FACTORS
    #: Wall-clock seconds of the whole phase, browser start included.
    elapsed_s: float = 0.0
    blocked_requests: int = 0
    blocked_examples: tuple[str, ...] = ()

    def summary(self) -> dict[str, Any]:
        """The compact form kept in the audit's summary JSON (rows hold the figures)."""
        failed = sum(1 for m in self.measurements if m.error is not None)
        return {"status": self.status, "reason": self.reason, "pages": len(self.urls),
                "form_factors": list(self.form_factors),
                "measured": len(self.measurements) - failed, "failed": failed,
                "elapsed_s": self.elapsed_s, "blocked_requests": self.blocked_requests,
                "blocked_examples": list(self.blocked_examples)}


# --- the sample ------------------------------------------------------------------------------
_ID_SEGMENT = re.compile(r"\d|^[0-9a-f]{12,}$|^[0-9a-f-]{32,36}$", re.IGNORECASE)


def url_template(url: str) -> str:
    """The URL's path pattern: segments holding digits, hashes or slugs (three or more words,
    or 25+ characters) become `*`, file extensions are dropped; "/blog/my-first-post" and
    "/blog/another-long-post" share "/blog/*"."""
    segments = []
    for segment in urlsplit(url).path.split("/"):
        stem = segment.rsplit(".", 1)[0] if "." in segment else segment
        slug_words = len(re.split(r"[-_+]", stem)) if stem else 0
        if stem and (_ID_SEGMENT.search(stem) or slug_words >= 3 or len(stem) >= 25):
            stem = "*"
        segments.append(stem)
    return "/".join(segments) or "/"


def lab_candidates(site: SiteView, limit: int) -> list[str]:
    """Up to `limit` pages to measure: the start page first, then the indexable HTML 200 pages
    most linked from other pages, one per URL template before any template repeats."""
    if limit <= 0:
        return []
    ranked = render_candidates(site, MAX_CANDIDATES)
    if not ranked:
        return []
    chosen = [ranked[0]]
    seen = {url_template(ranked[0])}
    repeats = []
    for url in ranked[1:]:
        template = url_template(url)
        if template in seen:
            repeats.append(url)
        else:
            seen.add(template)
            chosen.append(url)
    return (chosen + repeats)[:limit]


# --- measuring -------------------------------------------------------------------------------
async def lab_sample(site: SiteView, options: CrawlOptions, *, fetcher: Fetcher | None = None,
                     cancel: threading.Event | None = None, **kwargs: Any) -> LabReport:
    """Measure the audit's sample (options.pagespeed_sample pages, both profiles) with the
    crawl's `fetcher`; never raises."""
    urls = lab_candidates(site, options.pagespeed_sample)
    if not urls:
        return LabReport("skipped", "no indexable HTML 200 page to measure")
    site_hosts = None if options.check_external_links else (host_of(site.start_url),
                                                            options.include_subdomains)
    return await measure_urls(urls, options, fetcher=fetcher, cancel=cancel,
                              site_hosts=site_hosts, **kwargs)


async def measure_urls(urls: Sequence[str], options: CrawlOptions, *,
                       form_factors: Sequence[str] = FORM_FACTORS, fetcher: Fetcher | None = None,
                       guard: AddressGuard | None = None, resolver: AbstractResolver | None = None,
                       executable: str | None = None, load_timeout_s: float = LOAD_TIMEOUT_S,
                       budget_s: float = BUDGET_S, site_hosts: tuple[str, bool] | None = None,
                       cancel: threading.Event | None = None) -> LabReport:
    """Load each URL in each profile and measure it; never raises (no browser -> a skipped
    report; a failing load -> that measurement's error). Requests go through `fetcher` (one
    is opened from `options` when None: `guard`/`resolver` as for `Fetcher`)."""
    started = time.monotonic()
    urls = tuple(urls)
    form_factors = tuple(f for f in FORM_FACTORS if f in form_factors)
    missing = browser_missing(executable)
    if missing:
        return LabReport("skipped", missing, urls=urls, form_factors=form_factors)
    gateways: list[LabGateway] = []
    async with contextlib.AsyncExitStack() as stack:
        if fetcher is None:
            fetcher = await stack.enter_async_context(Fetcher(options, guard=guard,
                                                              resolver=resolver))
        browser, failure = await launch_browser(stack, executable)
        if browser is None:
            return LabReport("skipped", failure, urls=urls, form_factors=form_factors,
                             elapsed_s=round(time.monotonic() - started, 3))
        deadline = time.monotonic() + budget_s
        measurements: list[LabMeasurement] = []
        reason = ""
        for url in urls:
            for form_factor in form_factors:
                left = deadline - time.monotonic()
                if cancel is not None and cancel.is_set():
                    reason = "cancelled"
                elif left < 2.0:
                    reason = f"time budget of {budget_s:g} s used up"
                if reason:
                    measurements.append(LabMeasurement(url, form_factor, error=reason))
                    continue
                gateway = LabGateway(fetcher, load_timeout_s, PROFILES[form_factor],
                                     site_hosts=site_hosts)
                gateways.append(gateway)
                measurements.append(await _measure(browser, gateway, url,
                                                   min(load_timeout_s, left)))
    blocked = [example for gateway in gateways for example in gateway.examples]
    report = LabReport("measured", reason, tuple(measurements), urls, form_factors,
                       round(time.monotonic() - started, 3),
                       sum(gateway.blocked for gateway in gateways), tuple(blocked[:5]))
    log.info("lab.finish", pages=len(urls), loads=len(measurements),
             failed=report.summary()["failed"], seconds=report.elapsed_s, stopped=reason or None)
    return report


async def _measure(browser: Any, gateway: LabGateway, url: str,
                   timeout_s: float) -> LabMeasurement:
    started = time.monotonic()
    profile = gateway.profile
    try:
        raw = await asyncio.wait_for(_load(browser, gateway, url, started + timeout_s),
                                     timeout_s + 5)
    except (RuntimeError, TimeoutError) as exc:
        error = str(exc) or f"timeout: the page did not finish loading within {timeout_s:g} s"
        return LabMeasurement(url, profile.name, error=error[:300],
                              ms=(time.monotonic() - started) * 1000)
    except Exception as exc:  # noqa: BLE001 - a browser error on one page is that page's error
        text = (str(exc).strip() or type(exc).__name__).splitlines()[0]
        return LabMeasurement(url, profile.name, error=f"browser error: {text}"[:300],
                              ms=(time.monotonic() - started) * 1000)
    return _measurement(url, profile, gateway, raw, (time.monotonic() - started) * 1000)


async def _load(browser: Any, gateway: LabGateway, url: str, deadline: float) -> dict[str, Any]:
    """One cold load of `url` in a fresh context; the raw figures of lab_read.js."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    def left_ms() -> float:
        return max(1.0, (deadline - time.monotonic()) * 1000)

    profile = gateway.profile
    context = await browser.new_context(
        viewport={"width": profile.width, "height": profile.height},
        device_scale_factor=profile.device_scale_factor, is_mobile=profile.is_mobile,
        has_touch=profile.is_mobile, user_agent=profile.user_agent, service_workers="block",
        accept_downloads=False)
    try:
        await context.route("**/*", gateway.handle)
        await context.add_init_script(_OBSERVE_JS)
        page = await context.new_page()
        if profile.cpu_slowdown > 1:
            cdp = await context.new_cdp_session(page)
            await cdp.send("Emulation.setCPUThrottlingRate", {"rate": profile.cpu_slowdown})
        await navigate(page, url, wait_until="load", timeout_ms=left_ms(),
                       when="loaded in the lab")
        with contextlib.suppress(PlaywrightTimeout):
            await page.wait_for_load_state(
                "networkidle", timeout=min(NETWORK_IDLE_CAP_S * 1000, left_ms()))
        await asyncio.sleep(min(QUIET_WINDOW_S, max(0.0, deadline - time.monotonic() - 1)))
        raw = await page.evaluate(_READ_JS, MAX_IMAGES)
        if not isinstance(raw, dict):
            raise RuntimeError("the page replaced the measuring script (no figures)")
        return raw
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(context.close(), 10)


def _ms(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return round(float(value), 1)
    return None


def _measurement(url: str, profile: Profile, gateway: LabGateway, raw: dict[str, Any],
                 ms: float) -> LabMeasurement:
    fcp = _ms(raw.get("fcp"))
    lcp = _ms(raw.get("lcp"))
    sizes = gateway.bytes_by_url()
    weights = gateway.weight_by_type()
    ttfb = gateway.document_ttfb_ms
    return LabMeasurement(
        url=url, form_factor=profile.name,
        ttfb_ms=round(ttfb, 1) if ttfb is not None else _ms(raw.get("ttfb")),
        fcp_ms=fcp, lcp_ms=lcp,
        cls=cumulative_layout_shift((float(s), float(v)) for s, v in raw.get("shifts") or ()),
        tbt_ms=total_blocking_time(((float(s), float(d)) for s, d in raw.get("longtasks") or ()),
                                   fcp),
        page_weight_bytes=sum(weights.values()), request_count=len(gateway.transfers),
        weight_by_type=weights,
        render_blocking=tuple(render_blocking(raw.get("renderBlocking") or (), sizes)),
        unused_large_images=tuple(unused_large_images(
            raw.get("images") or (), sizes, float(raw.get("dpr") or profile.device_scale_factor))),
        lcp_element=raw.get("lcpEntry"), failed_requests=gateway.failed_requests, ms=ms)
