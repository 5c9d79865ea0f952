"""The crawl loop: robots.txt, sitemaps, frontier, fetch, analyze, site-wide checks, score.

`Crawler.crawl()` is an async generator of `PageResult`s. `CrawlRun` wraps it for
synchronous callers (the Django services, the CLI, Celery): the event loop runs in a thread of
its own and hands results over through a bounded queue, so a slow database writer slows the
crawl down (back-pressure) instead of letting memory grow.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import queue
import sys
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import structlog
from aiohttp.abc import AbstractResolver

from .ai_agents import site_matrix
from .analyze import analyze_page
from .checks.geo_llms import propose_llms_txt
from .checks.registry import GEO_COMPONENTS, REGISTRY, run_site_checks
from .fetch import Fetcher
from .frontier import CrawlFrontier, QueuedURL
from .geo_live import live_agent_check
from .lab import LabReport, lab_sample
from .llms_txt import fetch_llms_txt
from .netguard import AddressGuard
from .parse import resolved_canonical
from .pool import ParsePool
from .probes import PROBE_WAIT_FACTOR, HostVariants, probe_variants
from .render import render_sample, render_unmeasured_reason
from .resources import check_resources
from .robots import RobotsPolicy, fetch_robots
from .score import compute_geo_score_from_counts, compute_score_from_counts, counts_as_seo_error
from .site import PageRecord, SiteView
from .sitemaps import discover_sitemaps
from .types import (
    CrawlOptions,
    CrawlProgress,
    FetchResult,
    Finding,
    GeoScore,
    PageResult,
    ScoreBreakdown,
    Severity,
)
from .urls import InvalidURL, host_of, normalize_url, origin_of

log = structlog.get_logger(__name__)

#: Fetch errors on the start URL's host that mean there is no site to audit at all.
UNREACHABLE_ERRORS = frozenset({
    "ssrf_blocked", "dns", "connection_refused", "tls", "invalid_url", "unsupported_scheme",
})
#: Link kinds whose targets are crawled (the others are recorded as references only).
FOLLOWED_KINDS = frozenset({"a", "canonical", "hreflang"})
#: Link kinds whose external (other-host) targets are remembered for site checks.
EXTERNAL_KINDS = frozenset({"a", "img", "script", "css", "iframe"})


class CrawlError(Exception):
    """The audit cannot run at all (bad start URL, host unreachable or refused)."""


@dataclass(frozen=True, slots=True)
class CrawlSummary:
    start_url: str
    pages_crawled: int
    site_findings: tuple[Finding, ...]
    score: ScoreBreakdown
    robots_status: int | None
    robots_error: str | None
    sitemaps: tuple[Any, ...]
    rejected: dict[str, int]
    elapsed_s: float
    cancelled: bool = False
    findings_by_severity: dict[str, int] = field(default_factory=dict)
    #: robots.txt verdict per AI agent for the start page and key pages (ai_agents.AccessMatrix
    #: as a dict); None when robots.txt was not read.
    ai_access: dict[str, Any] | None = None
    #: An llms.txt drafted from the crawl (checks/geo_llms.propose_llms_txt), "" if no pages.
    llms_txt_proposal: str = ""
    #: The resource phase's figures (see SiteView.resource_stats); None when it did not run.
    resource_checks: dict[str, Any] | None = None
    #: GEO score and its components; None when no page was scored.
    geo: GeoScore | None = None
    #: The headless-Chromium render sample (render.RenderReport as a dict, with its own
    #: elapsed_s, not counted in `elapsed_s`); None when the sample was off.
    rendering: dict[str, Any] | None = None
    #: The page-speed lab (lab.LabReport, kept whole: its measurements are stored as rows;
    #: its elapsed_s is not counted in `elapsed_s` either); None when the lab was off.
    lab: LabReport | None = None


def default_parse_workers() -> int:
    cpus = os.cpu_count() or 1
    return max(0, min(cpus - 1, 4))


def _can_fork_workers() -> bool:
    # Celery's prefork children are daemonic and may not start processes of their own.
    return not multiprocessing.current_process().daemon


@dataclass(slots=True)
class PreparedSite:
    """What the crawl learns about the site before its first page (robots.txt, sitemaps,
    host probes, llms.txt): handed from a distributed crawl's coordinator to its finalizer."""

    robots: RobotsPolicy | None
    sitemaps: tuple[Any, ...]
    sitemap_url_cap_reached: bool
    sitemap_urls: set[str]
    sitemap_hreflangs: dict[str, tuple[tuple[str, str], ...]]
    variants: Any
    llms_txt: Any


class Crawler:
    """`guard` and `resolver` go to the Fetcher (tests: a fake DNS, a trusted test network)."""

    def __init__(self, options: CrawlOptions, *, cancel: threading.Event | None = None,
                 guard: AddressGuard | None = None, resolver: AbstractResolver | None = None
                 ) -> None:
        try:
            self.start_url = normalize_url(options.start_url)
        except InvalidURL as exc:
            raise CrawlError(f"invalid URL {options.start_url[:200]!r}: {exc}") from exc
        self.options = options
        self.cancel = cancel or threading.Event()
        self._network = {"guard": guard, "resolver": resolver}
        self.frontier = CrawlFrontier(options, self.start_url)
        self.site = SiteView(self.start_url, options)
        self.start_host = host_of(self.start_url)
        self.summary: CrawlSummary | None = None
        self.pages_crawled = 0
        self._code_pages: Counter[str] = Counter()
        # Fixed keys: progress() copies it from another thread while the crawl adds to it.
        self._severity_counts: dict[str, int] = dict.fromkeys(Severity.ALL, 0)
        self._error_pages: set[str] = set()
        self._in_flight = 0
        self._current = ""
        self._robots: RobotsPolicy | None = None
        self._sitemaps: tuple[Any, ...] = ()
        self._started = time.monotonic()

    # -- public ------------------------------------------------------------------------------
    def progress(self) -> CrawlProgress:
        return CrawlProgress(pages_crawled=self.pages_crawled,
                             pages_queued=self.frontier.pending + self._in_flight,
                             total_estimate=max(self.frontier.estimate, self.pages_crawled),
                             current_url=self._current,
                             findings_by_severity=dict(self._severity_counts))

    async def crawl(self) -> AsyncIterator[PageResult]:
        results: asyncio.Queue[PageResult | None] = asyncio.Queue(maxsize=256)
        executor = self._make_executor()
        try:
            async with Fetcher(self.options, **self._network) as fetcher:
                await self._prepare(fetcher)
                driver = asyncio.create_task(self._drive(fetcher, executor, results))
                try:
                    while True:
                        result = await results.get()
                        if result is None:
                            break
                        yield result
                    await driver  # re-raise anything the driver hit
                finally:
                    if not driver.done():
                        driver.cancel()
                await self.after_crawl(fetcher)
            self._finish()
        finally:
            if executor is not None:
                executor.shutdown(wait=False, cancel_futures=True)

    async def after_crawl(self, fetcher: Fetcher) -> None:
        """The phases that need the whole site: resources, GEO live check, render sample.
        The distributed finalizer calls it too, on a SiteView rebuilt from the database."""
        if not self.cancel.is_set():
            await check_resources(fetcher, self.site, self.options, cancel=self.cancel)
        if self.options.geo and self.options.geo_live_check and not self.cancel.is_set():
            self.site.live_probes = await live_agent_check(self.site, self.options)
        if self.options.geo and self.options.js_render_sample > 0 and not self.cancel.is_set():
            # Timed on its own: the crawl's elapsed_s leaves it out (see _finish).
            self.site.rendering = await render_sample(self.site, self.options,
                                                      fetcher=fetcher, cancel=self.cancel)
        if self.options.pagespeed_sample > 0 and not self.cancel.is_set():
            # Page-speed lab (lab.py), timed on its own like the render sample.
            self.site.lab = await lab_sample(self.site, self.options, fetcher=fetcher,
                                             cancel=self.cancel)

    def finish(self) -> CrawlSummary:
        """Run the site-wide checks and score on what `site` and the counters hold."""
        self._finish()
        assert self.summary is not None
        return self.summary

    # -- a crawl in parts (audits/distributed) -----------------------------------------------
    async def prepare(self, fetcher: Fetcher) -> PreparedSite:
        """Read robots.txt, the sitemaps, the host variants and llms.txt; queue the start URL
        and the sitemap URLs in this crawler's frontier. Raises CrawlError as `crawl` does."""
        await self._prepare(fetcher)
        site = self.site
        return PreparedSite(robots=self._robots, sitemaps=self._sitemaps,
                            sitemap_url_cap_reached=site.sitemap_url_cap_reached,
                            sitemap_urls=site.sitemap_urls, sitemap_hreflangs=site.sitemap_hreflangs,
                            variants=site.variants, llms_txt=site.llms_txt)

    def restore(self, prepared: PreparedSite, *, pages_crawled: int, code_pages: dict[str, int],
                error_pages: set[str], rejected: dict[str, int], elapsed_s: float) -> None:
        """Take up a crawl whose pages were fetched elsewhere: the prepared site facts and the
        counters the score needs. Pages and links are then added to `site` by the caller."""
        site = self.site
        self._robots = site.robots = prepared.robots
        if prepared.robots is not None:
            site.robots_status, site.robots_error = prepared.robots.status, prepared.robots.error
        self._sitemaps = prepared.sitemaps
        site.sitemaps = list(prepared.sitemaps)
        site.sitemap_url_cap_reached = prepared.sitemap_url_cap_reached
        site.sitemap_urls = prepared.sitemap_urls
        site.sitemap_hreflangs = prepared.sitemap_hreflangs
        site.variants = prepared.variants
        site.llms_txt = prepared.llms_txt
        self.pages_crawled = pages_crawled
        self._code_pages = Counter(code_pages)
        self._error_pages = set(error_pages)
        self.frontier.rejected = Counter(rejected)
        self._started = time.monotonic() - elapsed_s

    # -- setup -------------------------------------------------------------------------------
    def _make_executor(self) -> ParsePool | None:
        workers = self.options.parse_workers
        if workers is None:
            workers = default_parse_workers()
        if workers <= 0 or not _can_fork_workers():
            return None
        # Workers start now (spawned: forking a process that runs an event loop and threads is
        # unsafe) and import the engine while robots.txt and the sitemaps are fetched.
        return ParsePool(workers, self.options, self.start_host)

    async def _prepare(self, fetcher: Fetcher) -> None:
        opts = self.options
        origin = origin_of(self.start_url)
        robots = await fetch_robots(fetcher, origin, opts)
        self._robots = robots
        self.site.robots = robots
        self.site.robots_status = robots.status
        self.site.robots_error = robots.error
        if robots.error in UNREACHABLE_ERRORS:
            raise CrawlError(_unreachable_message(self.start_url, robots.error, robots))
        if robots.crawl_delay and opts.respect_robots:
            fetcher.set_crawl_delay(self.start_host, max(opts.crawl_delay, robots.crawl_delay))
        self.frontier.add(self.start_url, 0, "")
        # The scheme/host probes (a handful of requests) run while the sitemaps are read.
        probing = None
        if not opts.respect_robots or robots.allowed(self.start_url):
            probing = asyncio.create_task(probe_variants(fetcher, self.start_url))
        try:
            if opts.use_sitemaps:
                sitemaps = await discover_sitemaps(fetcher, origin, robots, opts)
                self._sitemaps = tuple(sitemaps.sitemaps)
                self.site.sitemaps = list(sitemaps.sitemaps)
                self.site.sitemap_url_cap_reached = sitemaps.url_cap_reached
                self.site.sitemap_time_budget_reached = sitemaps.time_budget_reached
                self.site.sitemap_urls = set(sitemaps.urls)
                self.site.sitemap_hreflangs = sitemaps.hreflangs
                for url in sitemaps.urls:
                    self.frontier.add_sitemap_url(url)
            if opts.geo:
                self.site.llms_txt = await fetch_llms_txt(fetcher, origin, opts, robots)
        except BaseException:
            if probing is not None:
                probing.cancel()
            raise
        if probing is not None:
            # Bounded: slow variant hosts must not hold the crawl back for long.
            try:
                self.site.variants = await asyncio.wait_for(probing, PROBE_WAIT_FACTOR
                                                            * max(opts.total_timeout, 1.0))
            except TimeoutError:
                self.site.variants = HostVariants(error="probes timed out")
        log.info("crawl.start", url=self.start_url, robots_status=robots.status,
                 sitemap_urls=len(self.site.sitemap_urls))

    # -- the loop ----------------------------------------------------------------------------
    async def _drive(self, fetcher: Fetcher, executor: ParsePool | None,
                     results: asyncio.Queue[PageResult | None]) -> None:
        wake = asyncio.Event()
        tasks: set[asyncio.Task[None]] = set()
        limit = max(1, self.options.global_concurrency)

        failures: list[BaseException] = []

        def done(task: asyncio.Task[None]) -> None:
            tasks.discard(task)
            self._in_flight -= 1
            if not task.cancelled() and task.exception() is not None:
                failures.append(task.exception())  # type: ignore[arg-type]
            wake.set()

        budget = self.options.max_crawl_seconds
        # Counted from the crawl's start: robots.txt and the sitemaps took their share.
        deadline = self._started + budget if budget > 0 else None
        out_of_time = False
        try:
            while not self.cancel.is_set():
                if deadline is not None and time.monotonic() >= deadline:
                    out_of_time = True
                    break
                while len(tasks) < limit:
                    item = self._next_item(links_exhausted=not tasks)
                    if item is None:
                        break
                    self._in_flight += 1
                    task = asyncio.create_task(self._process(item, fetcher, executor, results))
                    task.add_done_callback(done)
                    tasks.add(task)
                if not tasks:
                    break
                wake.clear()
                if deadline is None:
                    await wake.wait()
                else:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(wake.wait(), max(0.0, deadline - time.monotonic()))
                if failures:
                    raise failures[0]
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)
            if out_of_time and self.frontier.left_over():
                self._out_of_time()
        finally:
            for task in tasks:
                task.cancel()
            await results.put(None)

    def _out_of_time(self) -> None:
        """The crawl's time budget ran out with URLs left: say what was not fetched."""
        self.site.time_budget = {"budget_s": self.options.max_crawl_seconds,
                                 "pages_crawled": self.pages_crawled,
                                 "urls_not_fetched": self.frontier.left_over()}
        log.warning("crawl.time_budget", url=self.start_url, **self.site.time_budget)
    def _next_item(self, *, links_exhausted: bool) -> QueuedURL | None:
        return self.frontier.pop(links_exhausted=links_exhausted)

    def _admit_redirect_target(self, target: str) -> bool:
        """May the content of a redirect's target, which arrived with the redirect, be
        analysed as that URL's page now (it is new, in scope and under the page cap)?"""
        frontier = self.frontier
        if target in frontier.seen or not frontier.in_scope(target) \
                or frontier.enqueued >= self.options.max_pages:
            return False
        frontier.seen.add(target)
        frontier.enqueued += 1
        return True

    async def _process(self, item: QueuedURL, fetcher: Fetcher, executor: ParsePool | None,
                       results: asyncio.Queue[PageResult | None]) -> None:
        url = item.url
        self._current = url
        in_sitemap = url in self.site.sitemap_urls
        robots = self._robots
        if self.options.respect_robots and robots is not None and not robots.allowed(url):
            blocked = FetchResult(requested_url=url, final_url=url, status=0,
                                  error="robots_blocked",
                                  error_detail="disallowed by robots.txt for "
                                               f"{self.options.robots_token}")
            await self._emit(self._analyze_inline(blocked, item, in_sitemap, False), results)
            return
        fetch = await fetcher.fetch(url)
        if item.depth == 0 and fetch.error in UNREACHABLE_ERRORS:
            raise CrawlError(_unreachable_message(url, fetch.error, fetch))
        chain = fetch.redirect_chain
        target_result = None
        if chain and fetch.error is None and fetch.body is not None:
            # The redirect target's content arrived with this fetch: analyse it as its own URL
            # (once) instead of fetching it again, and keep only the chain on the source URL.
            target = fetch.final_url
            if self._admit_redirect_target(target):
                target_fetch = replace(fetch, requested_url=target, redirect_chain=())
                target_result = await self._analyze(
                    target_fetch, QueuedURL(target, item.depth, url),
                    target in self.site.sitemap_urls, executor)
            fetch = replace(fetch, body=None)
        result = await self._analyze(fetch, item, in_sitemap, executor)
        await self._emit(result, results)
        if target_result is not None:
            await self._emit(target_result, results)

    async def _analyze(self, fetch: FetchResult, item: QueuedURL, in_sitemap: bool,
                       executor: ParsePool | None) -> PageResult:
        if executor is None or fetch.body is None or not fetch.is_html:
            return self._analyze_inline(fetch, item, in_sitemap, True)
        return await executor.analyze(fetch, depth=item.depth, found_on=item.found_on,
                                      in_sitemap=in_sitemap)

    def _analyze_inline(self, fetch: FetchResult, item: QueuedURL, in_sitemap: bool,
                        robots_allowed: bool) -> PageResult:
        return analyze_page(fetch, depth=item.depth, found_on=item.found_on,
                            in_sitemap=in_sitemap, robots_allowed=robots_allowed,
                            options=self.options, start_host=self.start_host)

    async def _emit(self, result: PageResult, results: asyncio.Queue[PageResult | None]) -> None:
        self._record(result)
        await results.put(result)

    def _record(self, result: PageResult) -> None:
        """Fold one result into the compact site index and queue the links it found."""
        facts = result.facts
        canonical = resolved_canonical(facts) if facts is not None else None
        self.site.add_page(PageRecord.from_result(result, canonical))
        if result.fetch.error != "robots_blocked":
            self.pages_crawled += 1
        for finding in result.findings:
            self._count(finding)
            check = REGISTRY.get(finding.code)
            self._severity_counts[check.severity if check else Severity.NOTICE] += 1
        if facts is None:
            return
        source = sys.intern(result.url)
        next_depth = (result.depth if result.depth >= 0 else 0) + 1
        frontier_add = self.frontier.add
        is_trap = self.frontier.is_trap
        add_link = self.site.add_link
        add_external = self.site.add_external_link
        for link in facts.links:
            if not link.url:
                continue
            if not link.internal:
                if link.kind in EXTERNAL_KINDS:
                    add_external(source, link.url, link.anchor, link.kind)
                continue
            # One string object per URL across the frontier, the site index and its evidence:
            # results come back unpickled from the parse pool as fresh copies.
            target = sys.intern(link.url)
            if link.kind in FOLLOWED_KINDS and not frontier_add(target, next_depth, source) \
                    and is_trap(target):
                continue  # counted by the frontier; a link-graph entry per trap URL is unbounded
            add_link(source, target, link.anchor, link.kind)

    def _count(self, finding: Finding) -> None:
        if finding.url is not None:
            self._code_pages[finding.code] += 1
            if counts_as_seo_error(finding.code):
                self._error_pages.add(finding.url)

    def _finish(self) -> None:
        self.site.crawl_traps = self.frontier.traps()
        site_findings = tuple(run_site_checks(self.site, geo=self.options.geo))
        site_codes: list[str] = []
        for finding in site_findings:
            if finding.url is None or self._site_wide_geo(finding):
                site_codes.append(finding.code)
            else:
                self._count(finding)
        by_severity: Counter[str] = Counter()
        for code, count in self._code_pages.items():
            check = REGISTRY.get(code)
            by_severity[check.severity if check else Severity.NOTICE] += count
        for code in site_codes:
            check = REGISTRY.get(code)
            by_severity[check.severity if check else Severity.NOTICE] += 1
        score = compute_score_from_counts(
            pages_scored=self.pages_crawled, pages_with_error=len(self._error_pages),
            per_code_page_counts=dict(self._code_pages), site_codes=site_codes)
        geo = compute_geo_score_from_counts(
            self.pages_crawled, self._code_pages, site_codes,
            unmeasured=self._geo_unmeasured(),
            component_pages={"rendering": self.site.rendering.pages_rendered}
            if self.site.rendering is not None else None) if self.options.geo else None
        robots = self._robots
        rendering = self.site.rendering
        # The browser phases (render sample, page-speed lab) are timed on their own.
        browser_s = rendering.elapsed_s if rendering is not None else 0.0
        if self.site.lab is not None:
            browser_s += self.site.lab.elapsed_s
        self.summary = CrawlSummary(
            start_url=self.start_url, pages_crawled=self.pages_crawled,
            site_findings=site_findings, score=score,
            robots_status=robots.status if robots else None,
            robots_error=robots.error if robots else None,
            sitemaps=self._sitemaps, rejected=dict(self.frontier.rejected),
            elapsed_s=round(time.monotonic() - self._started - browser_s, 3),
            cancelled=self.cancel.is_set(), findings_by_severity=dict(by_severity),
            ai_access=matrix.as_dict() if (matrix := site_matrix(self.site)) else None,
            llms_txt_proposal=_llms_proposal(self.site) if self.options.geo else "",
            resource_checks=self.site.resource_stats, geo=geo,
            rendering=rendering.as_dict() if rendering is not None else None, lab=self.site.lab)
        log.info("crawl.finish", url=self.start_url, pages=self.pages_crawled,
                 seconds=self.summary.elapsed_s, score=score.score,
                 geo_score=geo.score if geo else None)

    def _site_wide_geo(self, finding: Finding) -> bool:
        """A GEO finding that names a file rather than a crawled page (/llms.txt) concerns the
        whole site, and is scored as site-wide."""
        check = REGISTRY.get(finding.code)
        return check is not None and check.category == "geo" and finding.url not in self.site.pages

    def _geo_unmeasured(self) -> dict[str, str]:
        """GEO components this audit could not measure, with the reason."""
        with_checks = {check.component for check in REGISTRY.values() if check.component}
        unmeasured = {component: "no checks for this component yet"
                      for component in GEO_COMPONENTS if component not in with_checks}
        reason = render_unmeasured_reason(self.site.rendering)
        if reason and "rendering" in GEO_COMPONENTS:
            unmeasured["rendering"] = reason
        return unmeasured


def _llms_proposal(site: SiteView) -> str:
    try:
        return propose_llms_txt(site) if site.pages else ""
    except Exception:
        log.exception("crawl.llms_txt_proposal_failed")
        return ""


def _unreachable_message(url: str, error: str | None, source: Any) -> str:
    detail = getattr(source, "error_detail", "") or getattr(source, "error", "") or ""
    return f"cannot audit {url}: {error}: {detail}".rstrip(": ")[:500]


_DONE = object()
#: Results cross from the event loop's thread to the consuming one in lists of up to this many:
#: one hand-off per result cost both threads a wake-up and a GIL exchange (~0.1 ms a page).
HANDOFF_BATCH = 32
#: A partial batch waits at most this long (seconds) before it is handed over anyway.
HANDOFF_DELAY_S = 0.01
#: Batches waiting for the consumer: with HANDOFF_BATCH, at most 512 results (back-pressure).
HANDOFF_QUEUE = 16


class CrawlRun:
    """Synchronous iteration over a crawl: `for result in run: ...; run.summary`.

    The event loop lives in a background thread; results cross over through a bounded queue,
    in small batches (HANDOFF_BATCH results, or whatever arrived within HANDOFF_DELAY_S).
    """

    def __init__(self, options: CrawlOptions, *, cancel: threading.Event | None = None,
                 guard: AddressGuard | None = None, resolver: AbstractResolver | None = None
                 ) -> None:
        self.crawler = Crawler(options, cancel=cancel, guard=guard, resolver=resolver)
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=HANDOFF_QUEUE)
        self._thread: threading.Thread | None = None
        self._batch: list[PageResult] = []
        self._timer: asyncio.TimerHandle | None = None

    @property
    def summary(self) -> CrawlSummary | None:
        return self.crawler.summary

    def progress(self) -> CrawlProgress:
        return self.crawler.progress()

    def cancel(self) -> None:
        self.crawler.cancel.set()

    async def _pump(self) -> None:
        try:
            async for result in self.crawler.crawl():
                self._batch.append(result)
                if len(self._batch) >= HANDOFF_BATCH:
                    await self._put_batch()
                elif self._timer is None:
                    self._timer = asyncio.get_running_loop().call_later(
                        HANDOFF_DELAY_S, self._flush_soon)
        except BaseException as exc:  # noqa: BLE001 - handed to the consuming thread
            await self._put_batch()
            await self._put(exc)
        else:
            await self._put_batch()
            await self._put(_DONE)

    def _flush_soon(self) -> None:
        """Timer: hand a partial batch over; if the consumer is behind, try again later."""
        self._timer = None
        if not self._batch:
            return
        try:
            self._queue.put_nowait(self._batch)
        except queue.Full:
            self._timer = asyncio.get_running_loop().call_later(HANDOFF_DELAY_S,
                                                                self._flush_soon)
        else:
            self._batch = []

    async def _put_batch(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._batch:
            batch, self._batch = self._batch, []
            await self._put(batch)

    async def _put(self, item: Any) -> None:
        while True:
            try:
                self._queue.put_nowait(item)
                return
            except queue.Full:
                await asyncio.sleep(0.005)

    def __iter__(self) -> Iterator[PageResult]:
        self._thread = threading.Thread(target=asyncio.run, args=(self._pump(),),
                                        name="crawl-loop", daemon=True)
        self._thread.start()
        try:
            while True:
                item = self._queue.get()
                if item is _DONE:
                    break
                if isinstance(item, BaseException):
                    raise item
                yield from item
        finally:
            if self._thread.is_alive():
                self.cancel()
                while self._thread.is_alive():  # drain so the loop can finish its puts
                    with contextlib.suppress(queue.Empty):
                        self._queue.get(timeout=0.05)
            self._thread.join()


def run_crawl(options: CrawlOptions, *, on_page: Callable[[PageResult], None],
              on_progress: Callable[[CrawlProgress], None] | None = None,
              cancel: threading.Event | None = None) -> CrawlSummary:
    """Crawl synchronously, calling `on_page` for every result (in the calling thread)."""
    run = CrawlRun(options, cancel=cancel)
    for result in run:
        on_page(result)
        if on_progress is not None:
            on_progress(run.progress())
    assert run.summary is not None
    return run.summary
