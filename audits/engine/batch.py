"""One work unit of a distributed crawl: a fixed batch of frontier URLs, fetched and analysed
with the same pieces as a whole crawl (`Crawler._process`: robots.txt, redirects, the page
checks), but without a frontier or a site index of its own.

The caller (audits/distributed) owns everything shared between workers: which URLs the batch
holds, which discovered links are admitted, where results are stored, and the site-wide
checks at the end. `BatchCrawl.run()` only returns the batch's results and the links found,
and never touches a database, so it stays as pure as the rest of the engine.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, replace

from .crawler import FOLLOWED_KINDS, Crawler
from .fetch import Fetcher, HostGate
from .frontier import CrawlFrontier, QueuedURL
from .robots import RobotsPolicy
from .types import CrawlOptions, PageResult


@dataclass(frozen=True, slots=True)
class BatchItem:
    url: str
    depth: int
    found_on: str
    in_sitemap: bool = False


@dataclass(frozen=True, slots=True)
class Discovered:
    """A link target a batch found that the frontier may admit."""

    url: str
    depth: int
    found_on: str


@dataclass(slots=True)
class BatchOutcome:
    #: One result per URL fetched: the batch's URLs, then any redirect targets analysed from
    #: the redirect's response (`redirect_targets`; the caller keeps them only if it admits them).
    results: list[PageResult]
    redirect_targets: set[str]
    #: Followed links in scope that passed the depth and per-URL trap guards, first sight each.
    discovered: list[Discovered]
    #: Why links were refused here (max_depth, url_too_long, repeated_path_segments).
    rejected: dict[str, int]
    #: Calls the host gate made (filled in by the caller that owns the gate).
    gate_calls: int = 0


class BatchCrawl(Crawler):
    """Fetch and analyse exactly the given URLs (plus redirect targets that arrived with them).

    Parsing happens in the event loop's thread (no parse pool: a pool's start-up would cost
    more than a batch), so a unit uses one core; workers scale by processes.
    """

    def __init__(self, options: CrawlOptions, items: Iterable[BatchItem], *,
                 robots: RobotsPolicy | None, host_gate: HostGate | None = None,
                 cancel: threading.Event | None = None) -> None:
        super().__init__(options, cancel=cancel)
        items = list(items)
        self._robots = robots
        self.site.robots = robots
        self._items = deque(QueuedURL(i.url, i.depth, i.found_on) for i in items)
        self._batch_urls = {item.url for item in self._items}
        self.site.sitemap_urls = {i.url for i in items if i.in_sitemap}
        self._host_gate = host_gate
        self._results: list[PageResult] = []
        self._redirect_targets: set[str] = set()

    async def run(self) -> BatchOutcome:
        queue: asyncio.Queue[PageResult | None] = asyncio.Queue()
        async with Fetcher(self.options, host_gate=self._host_gate) as fetcher:
            robots = self._robots
            if robots is not None and robots.crawl_delay and self.options.respect_robots:
                fetcher.set_crawl_delay(self.start_host, max(self.options.crawl_delay,
                                                             robots.crawl_delay))
            driver = asyncio.create_task(self._drive(fetcher, None, queue))
            try:
                while (result := await queue.get()) is not None:
                    self._results.append(result)
                await driver
            finally:
                if not driver.done():
                    driver.cancel()
        return BatchOutcome(results=self._results, redirect_targets=self._redirect_targets,
                            discovered=self._discovered(), rejected=dict(self.frontier.rejected))

    # -- Crawler hooks -----------------------------------------------------------------------
    def _next_item(self, *, links_exhausted: bool) -> QueuedURL | None:
        return self._items.popleft() if self._items else None

    def _admit_redirect_target(self, target: str) -> bool:
        # Analysed now, kept only if the shared frontier admits it (the caller decides).
        if target in self._batch_urls or target in self._redirect_targets \
                or not self.frontier.in_scope(target):
            return False
        self._redirect_targets.add(target)
        return True

    def _record(self, result: PageResult) -> None:
        if result.fetch.error != "robots_blocked":
            self.pages_crawled += 1
        self._current = result.url

    # -- links -------------------------------------------------------------------------------
    def _discovered(self) -> list[Discovered]:
        """Followed internal links, through this batch's own frontier: scope, depth and the
        per-URL trap guards (the query-variant guard and the page cap need the whole crawl,
        so the shared frontier applies them)."""
        frontier = CrawlFrontier(_unbounded(self.options), self.start_url)
        found: list[Discovered] = []
        for result in self._results:
            facts = result.facts
            if facts is None:
                continue
            next_depth = (result.depth if result.depth >= 0 else 0) + 1
            for link in facts.links:
                if link.url and link.internal and link.kind in FOLLOWED_KINDS \
                        and frontier.add(link.url, next_depth, result.url):
                    found.append(Discovered(link.url, next_depth, result.url))
        self.frontier.rejected.update(frontier.rejected)
        return found


def _unbounded(options: CrawlOptions) -> CrawlOptions:
    return replace(options, max_pages=2**31 - 1, max_query_variants_per_path=2**31 - 1)
