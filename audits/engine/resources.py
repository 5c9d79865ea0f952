"""After the pages: do the images, CSS and JS they reference, and their links to other hosts,
still answer?

The crawl fetches HTML pages only. This phase asks each referenced URL once, HEAD first (the
headers tell status, type and size without the body), and confirms anything that looks wrong
with a GET whose body is cut at 64 KiB: many servers answer HEAD with 405/501/403/400 or even
404 while GET works, so nothing is called broken on the word of a HEAD alone.

What it costs is bounded four ways: at most `options.max_resource_checks` requests (a redirect
chain followed inside one request counts once), a wall-clock budget
(`options.resource_budget_s`; whatever is still unchecked then is left out, not reported),
short timeouts per request (connect 5 s, whole request 10 s, at most 5 redirects, no retries:
the GET confirmation is the second chance) and concurrency (a global worker pool, and 2 at a
time per external host so one popular domain is not hammered).

Order of work: the site's own images/CSS/JS first, then other hosts' images/CSS/JS, then
links to other hosts, each by how many references they have. A free worker takes the first
URL in that order whose host has a free slot, so while our host is at its concurrency limit
other hosts' URLs move forward (and share the request cap).

Rules followed:

* The same SSRF guard as the crawl (the `Fetcher` checks every address and redirect hop;
  private addresses only with `options.allow_private`).
* Our own robots.txt is respected for the start host's resources (a disallowed one is
  recorded as skipped). Other hosts' robots.txt files are not consulted: one HEAD/GET per URL
  a page links to is what a visitor following the link causes, not crawling; link checkers
  behave the same way.
* Answers that say "not to you" rather than "gone" are `unverified`, never `broken`: 429,
  LinkedIn's 999, 401/403 from other hosts (login walls, bot protection, and a HEAD from a
  data centre is often refused) and 401/403/503 carrying a bot-protection service's marks on
  our own host. Timeouts are kept apart (`timeout`) so reports can say so.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog

from .site import PageRecord, SiteView
from .types import CrawlOptions, FetchResult
from .urls import host_of

if TYPE_CHECKING:
    from .fetch import Fetcher

log = structlog.get_logger(__name__)

#: Reference kinds that are page resources (the rest of EXTERNAL_KINDS are links/embeds).
RESOURCE_KINDS = frozenset({"img", "script", "css"})
LINK_KINDS = frozenset({"a", "iframe"})
#: Requests in flight per other host.
EXTERNAL_HOST_CONCURRENCY = 2
#: Requests in flight in all (further bounded by options.global_concurrency).
MAX_WORKERS = 16
CONNECT_TIMEOUT = 5.0
TOTAL_TIMEOUT = 10.0
MAX_REDIRECTS = 5
#: The GET confirmation reads at most this much body, then drops the connection.
GET_BODY_LIMIT = 64 * 1024

OK = "ok"
BROKEN = "broken"
TIMEOUT = "timeout"
UNVERIFIED = "unverified"
SKIPPED = "skipped"

#: "Too many requests" and LinkedIn's "request denied" say nothing about the URL itself.
UNVERIFIED_STATUSES = frozenset({429, 999})
#: Payment and legal walls: the URL exists for some visitors.
_WALL_STATUSES = frozenset({402, 451})
#: Errors meaning we did not (or may not) ask: not a verdict on the URL.
SKIPPED_ERRORS = frozenset({"ssrf_blocked", "invalid_url", "unsupported_scheme",
                            "robots_blocked"})
#: HEAD failures worth a second try with GET (a broken connection can be a server that
#: mishandles HEAD). Timeouts, DNS, refusals and TLS errors would fail the same way again.
_RETRY_WITH_GET_ERRORS = frozenset({"connection_error"})
#: Response headers that only bot-protection / WAF services set.
_BOT_HEADERS = ("cf-mitigated", "x-datadome", "x-datadome-cid", "x-amzn-waf-action",
                "x-sucuri-id", "x-sucuri-block", "x-iinfo", "x-px-block", "x-kpsdk-ct")
_BOT_SERVERS = ("cloudflare", "akamaighost", "ddos-guard", "sucuri", "incapsula", "imperva",
                "awselb", "stackpath")


@dataclass(frozen=True, slots=True)
class ResourceStatus:
    """How one referenced URL answered. `status` 0 means no response (see `error`)."""

    status: int
    error: str | None = None
    content_type: str = ""
    #: Content-Length of the final response in bytes; None when not announced.
    size: int | None = None
    elapsed_ms: float = 0.0
    final_url: str = ""
    redirected: bool = False
    #: ok, broken, timeout, unverified or skipped (see the module docstring).
    outcome: str = OK
    detail: str = ""
    #: The request the verdict rests on: HEAD, GET, or "crawl" (fetched as a page).
    method: str = "HEAD"

    @property
    def failed(self) -> bool:
        """Broken or timed out: what the checks report."""
        return self.outcome in (BROKEN, TIMEOUT)


def bot_protected(headers: Iterable[tuple[str, str]]) -> bool:
    """Does the response carry the marks of a bot-protection / WAF service?"""
    for name, value in headers:
        if name in _BOT_HEADERS:
            return True
        if name == "server" and any(mark in value.lower() for mark in _BOT_SERVERS):
            return True
    return False


def classify(status: int, error: str | None, headers: Iterable[tuple[str, str]] = (), *,
             external: bool) -> str:
    """The outcome of one answer (see the module docstring for the rules)."""
    if error is not None:
        if error == "timeout":
            return TIMEOUT
        if error in SKIPPED_ERRORS:
            return SKIPPED
        return BROKEN  # dns, connection_refused, tls, redirect loops, broken connections
    if status in UNVERIFIED_STATUSES or status in _WALL_STATUSES:
        return UNVERIFIED
    if status in (401, 403):
        return UNVERIFIED if external or bot_protected(headers) else BROKEN
    if status == 503 and bot_protected(headers):
        return UNVERIFIED
    if status >= 400:
        return BROKEN
    if 200 <= status < 300:
        return OK
    return UNVERIFIED  # 1xx, 304, a 3xx without Location: nothing to judge


def _content_length(result: FetchResult) -> int | None:
    value = result.header("content-length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


def status_from_fetch(result: FetchResult, *, external: bool, method: str) -> ResourceStatus:
    return ResourceStatus(
        status=result.status, error=result.error, content_type=result.content_type,
        size=_content_length(result), elapsed_ms=round(result.elapsed_ms, 1),
        final_url=result.final_url, redirected=bool(result.redirect_chain),
        outcome=classify(result.status, result.error, result.headers, external=external),
        detail=result.error_detail[:300], method=method)


def status_from_page(record: PageRecord) -> ResourceStatus:
    """A resource that was also linked with <a> and so fetched as a page during the crawl."""
    return ResourceStatus(
        status=record.status, error=record.error, final_url=record.final_url,
        redirected=record.redirect_hops > 0,
        outcome=classify(record.status, record.error, external=False), method="crawl")


@dataclass(slots=True)
class _Job:
    url: str
    host: str
    external: bool
    host_limit: int


def plan(site: SiteView, options: CrawlOptions) -> tuple[dict[str, ResourceStatus], list[_Job]]:
    """Statuses already known (pages, robots-blocked) and the URLs to request, in order."""
    known: dict[str, ResourceStatus] = {}
    ranked: list[tuple[int, int, str, _Job]] = []
    robots = site.robots if options.respect_robots else None
    start_host = host_of(site.start_url)
    internal_limit = max(1, options.per_host_concurrency)
    for url, target in site.targets.items():
        if not any(kind in RESOURCE_KINDS for _, _, kind in target.sources):
            continue
        record = site.pages.get(url)
        if record is not None:
            known[url] = status_from_page(record)
            continue
        host = host_of(url)
        if robots is not None and host == start_host and not robots.allowed(url):
            known[url] = ResourceStatus(0, "robots_blocked", outcome=SKIPPED, method="",
                                        detail="disallowed by our robots.txt rules")
            continue
        ranked.append((0, -target.inlinks, url, _Job(url, host, False, internal_limit)))
    if options.check_external_links:
        for url, target in site.external.items():
            kinds = {kind for _, _, kind in target.sources}
            if kinds & RESOURCE_KINDS:
                rank = 1
            elif kinds & LINK_KINDS:
                rank = 2
            else:
                continue
            ranked.append((rank, -target.inlinks, url,
                           _Job(url, host_of(url), True, EXTERNAL_HOST_CONCURRENCY)))
    ranked.sort(key=lambda item: item[:3])
    # Every URL costs at least one request: more than the cap could never be checked (and a
    # short list keeps the scheduler's scan for a free host cheap).
    return known, [job for *_, job in ranked[:max(0, options.max_resource_checks)]]


class _Runner:
    """Workers pulling jobs in order, skipping past hosts that are at their limit."""

    def __init__(self, fetcher: Fetcher, options: CrawlOptions, jobs: list[_Job],
                 results: dict[str, ResourceStatus], cancel: threading.Event | None) -> None:
        self.fetcher = fetcher
        self.cap = max(0, options.max_resource_checks)
        self.pending = jobs
        self.results = results
        self.cancel = cancel
        self.requests = 0
        self.checked = 0
        self.busy: Counter[str] = Counter()
        self.changed = asyncio.Event()
        # Imported here: the checks import this module in parse workers, which need no aiohttp.
        import aiohttp

        self.timeout = aiohttp.ClientTimeout(
            total=min(TOTAL_TIMEOUT, options.total_timeout),
            sock_connect=min(CONNECT_TIMEOUT, options.connect_timeout),
            sock_read=min(TOTAL_TIMEOUT, options.read_timeout))
        self.workers = max(1, min(MAX_WORKERS, options.global_concurrency, len(jobs)))

    async def run(self) -> None:
        async with asyncio.TaskGroup() as group:
            for _ in range(self.workers):
                group.create_task(self._work())

    def _stopped(self) -> bool:
        return self.requests >= self.cap or (self.cancel is not None and self.cancel.is_set())

    async def _next(self) -> _Job | None:
        while self.pending and not self._stopped():
            for index, job in enumerate(self.pending):
                if self.busy[job.host] < job.host_limit:
                    del self.pending[index]
                    self.busy[job.host] += 1
                    return job
            self.changed.clear()
            await self.changed.wait()
        return None

    def _take_request(self) -> bool:
        if self._stopped():
            return False
        self.requests += 1
        return True

    async def _work(self) -> None:
        while (job := await self._next()) is not None:
            try:
                status = await self._check(job)
                if status is not None:
                    self.results[job.url] = status
                    self.checked += 1
            finally:
                self.busy[job.host] -= 1
                self.changed.set()

    async def _check(self, job: _Job) -> ResourceStatus | None:
        if not self._take_request():
            return None
        head = await self.fetcher.fetch(job.url, method="HEAD", max_retries=0,
                                        max_redirects=MAX_REDIRECTS, client_timeout=self.timeout)
        status = status_from_fetch(head, external=job.external, method="HEAD")
        doubtful = (head.error in _RETRY_WITH_GET_ERRORS
                    or (head.error is None and head.status >= 400
                        and head.status not in UNVERIFIED_STATUSES))
        if not doubtful or not self._take_request():
            return status
        got = await self.fetcher.fetch(job.url, max_bytes=GET_BODY_LIMIT, max_retries=0,
                                       max_redirects=MAX_REDIRECTS, client_timeout=self.timeout)
        return status_from_fetch(got, external=job.external, method="GET")


async def check_resources(fetcher: Fetcher, site: SiteView, options: CrawlOptions, *,
                          cancel: threading.Event | None = None) -> None:
    """Fill `site.resources` (URL -> ResourceStatus) for the site's images/CSS/JS and, when
    `options.check_external_links`, for every other-host URL the pages reference.

    Other hosts' robots.txt is not consulted (see the module docstring); ours is. Returns
    within about `options.resource_budget_s` seconds, leaving unchecked URLs out.
    """
    if not options.check_resources:
        return
    started = time.monotonic()
    known, jobs = plan(site, options)
    site.resources.update(known)
    if not jobs or options.max_resource_checks <= 0:
        return
    runner = _Runner(fetcher, options, jobs, site.resources, cancel)
    planned = len(jobs)
    budget_spent = False
    try:
        async with asyncio.timeout(max(0.0, options.resource_budget_s)):
            await runner.run()
    except TimeoutError:
        budget_spent = True
    except Exception:  # a bug here must cost the resource report, not the audit
        log.exception("resources.failed")
    outcomes = Counter(status.outcome for status in site.resources.values())
    site.resource_stats = {"planned": planned, "checked": runner.checked,
                           "unchecked": planned - runner.checked, "requests": runner.requests,
                           "budget_spent": budget_spent, "outcomes": dict(outcomes),
                           "max_requests": options.max_resource_checks,
                           "budget_s": options.resource_budget_s}
    log.info("resources.checked", urls=runner.checked, requests=runner.requests,
             unchecked=planned - runner.checked, budget_spent=budget_spent,
             seconds=round(time.monotonic() - started, 2), outcomes=dict(outcomes))
