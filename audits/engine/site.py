"""Compact, crawl-wide index that site checks read.

Per fetched URL the crawler keeps one small `PageRecord` (a few hundred bytes) and, per link
target, an inlink counter plus a bounded sample of source pages. Nothing here grows with the
number of links beyond those counters, so a 100,000-page crawl stays within memory bounds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .types import CrawlOptions, PageResult

#: How many (source, anchor) pairs are remembered per link target as evidence.
MAX_SOURCES_PER_TARGET = 5


@dataclass(slots=True)
class PageRecord:
    url: str
    status: int
    final_url: str
    depth: int
    is_html: bool
    indexable: bool
    title: str | None
    description: str | None
    content_hash: str
    #: Resolved absolute canonical URL (first tag or header), None when absent.
    canonical: str | None
    redirect_hops: int
    error: str | None
    in_sitemap: bool
    #: Why the page is not indexable ("" when it is), from parse.compute_indexability.
    indexability_reason: str = ""

    @classmethod
    def from_result(cls, result: PageResult, canonical: str | None) -> PageRecord:
        facts = result.facts
        fetch = result.fetch
        return cls(
            url=result.url,
            status=fetch.status,
            final_url=fetch.final_url,
            depth=result.depth,
            is_html=facts is not None,
            indexable=result.indexable,
            title=facts.titles[0].strip() if facts and facts.titles else None,
            description=(facts.meta_descriptions[0].strip()
                         if facts and facts.meta_descriptions else None),
            content_hash=facts.content_hash if facts else "",
            canonical=canonical,
            redirect_hops=len(fetch.redirect_chain),
            error=fetch.error,
            in_sitemap=result.in_sitemap,
            indexability_reason=result.indexability_reason,
        )


@dataclass(slots=True)
class LinkTarget:
    inlinks: int = 0
    #: (source url, anchor text, link kind) — first MAX_SOURCES_PER_TARGET only.
    sources: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class SiteView:
    start_url: str
    options: CrawlOptions
    #: Fetched URLs by normalized requested URL.
    pages: dict[str, PageRecord] = field(default_factory=dict)
    #: Internal link targets (normalized URL) -> counters and evidence.
    targets: defaultdict[str, LinkTarget] = field(default_factory=lambda: defaultdict(LinkTarget))
    sitemap_urls: set[str] = field(default_factory=set)
    #: robots.txt fetch outcome: status (0 when unreachable) and error, for site checks.
    robots_status: int | None = None
    robots_error: str | None = None

    def add_link(self, source: str, target: str, anchor: str, kind: str) -> None:
        entry = self.targets[target]
        entry.inlinks += 1
        if len(entry.sources) < MAX_SOURCES_PER_TARGET:
            entry.sources.append((source, anchor[:120], kind))

    def inlinks(self, url: str) -> int:
        entry = self.targets.get(url)
        return entry.inlinks if entry else 0

    def link_sources(self, url: str) -> list[tuple[str, str, str]]:
        entry = self.targets.get(url)
        return list(entry.sources) if entry else []

    def record(self, url: str) -> PageRecord | None:
        return self.pages.get(url)
