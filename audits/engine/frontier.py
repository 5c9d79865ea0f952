"""The crawl frontier: which URLs to fetch next, and which never to fetch.

Breadth-first by click depth, so `depth` is the shortest click path from the start page.
URLs seen only in sitemaps wait in a second queue and are fetched once links are exhausted,
which is how orphan pages (in the sitemap, linked from nowhere) are found without letting
a 50,000-URL sitemap crowd out the linked site under the page cap.

State per URL is one string in a set plus, per path, a counter of query variants, so a
100,000-page crawl keeps well under 1 KB per URL here.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass

from .types import CrawlOptions
from .urls import host_of, registrable_suffix

#: Depth given to pages reached only through the sitemap (no internal link seen first).
SITEMAP_ONLY_DEPTH = -1
#: Refusal reasons that mean "this URL looks like a crawl trap" (the others are caps).
TRAP_REASONS = ("url_too_long", "repeated_path_segments", "query_variants")
#: Distinct trap URLs remembered (so each is counted once); past this, repeats count again.
#: A page holds up to 10,000 links, so remembering every trap URL of a hostile site cost
#: hundreds of MB (500 pages x 10,000 unique calendar links).
MAX_TRAP_URLS_REMEMBERED = 10_000


@dataclass(frozen=True, slots=True)
class QueuedURL:
    url: str
    depth: int
    found_on: str


def _port_part(url: str, host: str) -> str:
    """":8080" for an explicit port, "" for the scheme's default (normalized URLs drop it)."""
    return url.split("/", 3)[2].rsplit("@", 1)[-1][len(host):]


class CrawlFrontier:
    def __init__(self, options: CrawlOptions, start_url: str) -> None:
        self.options = options
        self.start_host = host_of(start_url)
        self._start_port = _port_part(start_url, self.start_host)
        self._site_suffix = registrable_suffix(self.start_host)
        self._include = [re.compile(p) for p in options.include_patterns]
        self._exclude = [re.compile(p) for p in options.exclude_patterns]
        self._queue: deque[QueuedURL] = deque()
        self._sitemap_queue: deque[str] = deque()
        self.seen: set[str] = set()
        self._query_variants: Counter[str] = Counter()
        self._traps: set[str] = set()
        #: Why URLs were refused, for the crawl summary and trap findings.
        self.rejected: Counter[str] = Counter()
        #: A few example URLs per trap reason, as evidence.
        self.trap_examples: dict[str, list[str]] = {}
        self.enqueued = 0

    # -- scope -------------------------------------------------------------------------------
    def in_scope(self, url: str) -> bool:
        host = host_of(url)
        if self.options.include_subdomains:
            if host != self._site_suffix and not host.endswith("." + self._site_suffix):
                return False
        elif host != self.start_host or _port_part(url, host) != self._start_port:
            # Same host and port; http and https of the same host are both in scope so that
            # mixed-protocol sites are audited as one site.
            return False
        if self._include and not any(p.search(url) for p in self._include):
            return False
        return not any(p.search(url) for p in self._exclude)

    # -- trap guards -------------------------------------------------------------------------
    def trap_reason(self, url: str) -> str | None:
        """Why `url` is a crawl trap, or None; counts it as a query variant of its path."""
        reason = self._shape_trap(url)
        if reason is None and "?" in url:
            path = url.partition("?")[0]
            self._query_variants[path] += 1
            if self._query_variants[path] > self.options.max_query_variants_per_path:
                reason = "query_variants"
        return reason

    def _shape_trap(self, url: str) -> str | None:
        opts = self.options
        if len(url) > opts.max_url_length:
            return "url_too_long"
        path = url.partition("?")[0]
        segments = [s for s in path.split("/")[3:] if s]
        if segments:
            counts = Counter(segments)
            if counts.most_common(1)[0][1] > opts.max_repeated_segments:
                return "repeated_path_segments"
        return None

    def is_trap(self, url: str) -> bool:
        """Was (or would) `url` be refused as a crawl trap? No side effects; False for every
        URL the crawl has queued. The crawler keeps no link-graph entry for trap URLs."""
        if url in self._traps:
            return True
        if url in self.seen:
            return False
        if self._shape_trap(url) is not None:
            return True
        path, sep, _ = url.partition("?")
        return bool(sep) and self._query_variants[path] > self.options.max_query_variants_per_path

    def _reject(self, reason: str, url: str) -> None:
        self.rejected[reason] += 1
        examples = self.trap_examples.setdefault(reason, [])
        if len(examples) < 5:
            examples.append(url[:300])

    # -- queueing ----------------------------------------------------------------------------
    def add(self, url: str, depth: int, found_on: str) -> bool:
        """Queue a link target found at `depth`; False when refused or already known."""
        if url in self.seen or url in self._traps:
            return False
        if not self.in_scope(url):
            return False
        if depth > self.options.max_depth:
            self._reject("max_depth", url)
            return False
        trap = self.trap_reason(url)
        if trap:
            # Count each trap URL once, within a bound (over-long ones are not kept at all).
            if trap != "url_too_long" and len(self._traps) < MAX_TRAP_URLS_REMEMBERED:
                self._traps.add(url)
            self._reject(trap, url)
            return False
        if self.enqueued >= self.options.max_pages:
            self.rejected["max_pages"] += 1
            return False
        self.seen.add(url)
        self.enqueued += 1
        self._queue.append(QueuedURL(url, depth, found_on))
        return True

    def add_sitemap_url(self, url: str) -> None:
        if url not in self.seen and self.in_scope(url):
            self._sitemap_queue.append(url)

    def pop(self, *, links_exhausted: bool) -> QueuedURL | None:
        """Next URL to fetch. Sitemap-only URLs are handed out only when `links_exhausted`
        (no link queue left and nothing in flight that could add more)."""
        if self._queue:
            return self._queue.popleft()
        if not links_exhausted:
            return None
        while self.enqueued < self.options.max_pages:
            url = self._next_sitemap_url()
            if url is None:
                break
            self.enqueued += 1
            return QueuedURL(url, SITEMAP_ONLY_DEPTH, "")
        return None

    def take_sitemap_urls(self) -> list[str]:
        """Hand the whole sitemap-only queue over, trap guards applied (the distributed
        crawl keeps it in its shared frontier)."""
        urls: list[str] = []
        while (url := self._next_sitemap_url()) is not None:
            urls.append(url)
        return urls

    def _next_sitemap_url(self) -> str | None:
        while self._sitemap_queue:
            url = self._sitemap_queue.popleft()
            if url in self.seen:
                continue
            trap = self.trap_reason(url)
            self.seen.add(url)
            if trap:
                self._reject(trap, url)
                continue
            return url
        return None

    def traps(self) -> dict[str, tuple[int, tuple[str, ...]]]:
        """Crawl traps met: reason -> (URLs refused, a few of them as examples)."""
        return {reason: (self.rejected[reason], tuple(self.trap_examples.get(reason, ())))
                for reason in TRAP_REASONS if self.rejected[reason]}

    def left_over(self) -> int:
        """URLs queued (links, and sitemap URLs within the page cap) but never handed out."""
        sitemap = min(len(self._sitemap_queue), max(0, self.options.max_pages - self.enqueued))
        return len(self._queue) + sitemap

    @property
    def pending(self) -> int:
        return len(self._queue)

    @property
    def estimate(self) -> int:
        """Best estimate of the pages this crawl will fetch, for progress bars."""
        return min(self.options.max_pages, self.enqueued + len(self._sitemap_queue))
