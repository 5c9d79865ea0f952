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
        opts = self.options
        if len(url) > opts.max_url_length:
            return "url_too_long"
        path, _, query = url.partition("?")
        segments = [s for s in path.split("/")[3:] if s]
        if segments:
            counts = Counter(segments)
            if counts.most_common(1)[0][1] > opts.max_repeated_segments:
                return "repeated_path_segments"
        if query:
            self._query_variants[path] += 1
            if self._query_variants[path] > opts.max_query_variants_per_path:
                return "query_variants"
        return None

    def _reject(self, reason: str, url: str) -> None:
        self.rejected[reason] += 1
        examples = self.trap_examples.setdefault(reason, [])
        if len(examples) < 5:
            examples.append(url[:300])

    # -- queueing ----------------------------------------------------------------------------
    def add(self, url: str, depth: int, found_on: str) -> bool:
        """Queue a link target found at `depth`; False when refused or already known."""
        if url in self.seen:
            return False
        if not self.in_scope(url):
            return False
        if depth > self.options.max_depth:
            self._reject("max_depth", url)
            return False
        trap = self.trap_reason(url)
        if trap:
            self.seen.add(url)  # count each trap URL once
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

    @property
    def pending(self) -> int:
        return len(self._queue)

    @property
    def estimate(self) -> int:
        """Best estimate of the pages this crawl will fetch, for progress bars."""
        return min(self.options.max_pages, self.enqueued + len(self._sitemap_queue))
