"""Compact, crawl-wide index that site checks read.

Per fetched URL the crawler keeps one small `PageRecord` (a few hundred bytes) and, per link
target, an inlink counter plus a bounded sample of source pages. Nothing here grows with the
number of links beyond those counters, so a 100,000-page crawl stays within memory bounds.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .types import CrawlOptions, PageResult
from .urls import InvalidURL, normalize_url

if TYPE_CHECKING:
    from .robots import RobotsPolicy
    from .sitemaps import SitemapInfo

#: How many (source, anchor) pairs are remembered per link target as evidence.
MAX_SOURCES_PER_TARGET = 5
#: Distinct external (other-host) link targets remembered; beyond this they are only counted.
MAX_EXTERNAL_TARGETS = 20_000
#: hreflang annotations kept per page record (a page with more is summarised by the first ones).
MAX_HREFLANGS_PER_PAGE = 50


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
    #: <html lang> as written (None when absent).
    lang: str | None = None
    #: (hreflang code, resolved URL) annotations from HTML and HTTP headers, capped.
    hreflangs: tuple[tuple[str, str], ...] = ()
    #: 64-bit SimHash of the visible text (0 when too little text), for near duplicates.
    simhash: int = 0
    word_count: int = 0
    #: Internal <a href> links on the page (crawlable ones), for link-count checks.
    internal_links: int = 0
    #: Organization markup on the page (citability.ORG | ORG_SAME_AS | ORG_LOGO | PERSON).
    organization: int = 0
    #: The names the page gives the site ("source\tname" lines: og:site_name, website,
    #: organization), interned: pages of one site share one string.
    site_names: str = ""

    @classmethod
    def from_result(cls, result: PageResult, canonical: str | None) -> PageRecord:
        facts = result.facts
        fetch = result.fetch
        url = sys.intern(result.url)
        # The same string object for the common "same URL" cases: a few hundred bytes per page
        # on a 100,000-page crawl.
        if canonical == url:
            canonical = url
        return cls(
            url=url,
            status=fetch.status,
            final_url=url if fetch.final_url == url else fetch.final_url,
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
            lang=facts.lang if facts else None,
            hreflangs=facts.hreflangs[:MAX_HREFLANGS_PER_PAGE] if facts else (),
            simhash=facts.simhash if facts else 0,
            word_count=facts.word_count if facts else 0,
            internal_links=(sum(1 for link in facts.links if link.kind == "a" and link.internal)
                            if facts else 0),
            organization=facts.content.organization if facts and facts.content else 0,
            site_names=sys.intern("\n".join(f"{source}\t{name}" for source, name
                                            in facts.content.site_names))
            if facts and facts.content and facts.content.site_names else "",
        )


    def as_row(self) -> list[Any]:
        """The record as a JSON-ready list (field order), for storage between processes."""
        return [getattr(self, name) for name in _RECORD_FIELDS]

    @classmethod
    def from_row(cls, row: list[Any]) -> PageRecord:
        """Inverse of `as_row` (JSON gives lists where the record holds tuples)."""
        record = cls(*row)
        record.url = sys.intern(record.url)
        record.hreflangs = tuple(tuple(pair) for pair in record.hreflangs)  # type: ignore[misc]
        if record.canonical == record.url:
            record.canonical = record.url
        if record.final_url == record.url:
            record.final_url = record.url
        record.site_names = sys.intern(record.site_names)
        return record


_RECORD_FIELDS = tuple(PageRecord.__dataclass_fields__)


def _healthy(record: PageRecord) -> bool:
    return (record.status == 200 and record.indexable and not record.redirect_hops
            and record.error is None)


@dataclass(slots=True)
class LinkTarget:
    #: References of any kind (a, img, canonical, hreflang...) from crawled pages, self included.
    inlinks: int = 0
    #: <a href> links from other pages: what "linked internally" means for the link graph
    #: (a page's canonical or hreflang pointing at itself is not an inlink).
    page_links: int = 0
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
    #: The parsed robots.txt (None before it was fetched).
    robots: RobotsPolicy | None = None
    #: Every sitemap fetched (index files included) and whether the URL cap cut the list short.
    sitemaps: list[SitemapInfo] = field(default_factory=list)
    sitemap_url_cap_reached: bool = False
    #: options.max_sitemap_seconds stopped the reading with sitemap files left unread.
    sitemap_time_budget_reached: bool = False
    #: External (other-host) link targets -> counters and evidence, at most
    #: MAX_EXTERNAL_TARGETS of them; `external_overflow` counts links to targets beyond that.
    external: dict[str, LinkTarget] = field(default_factory=dict)
    external_overflow: int = 0
    #: Status of non-page resources and external links checked after the crawl
    #: (resources.py): URL -> ResourceStatus.
    resources: dict[str, Any] = field(default_factory=dict)
    #: Site-level probes (HTTP->HTTPS redirect, www/non-www, HSTS), see probes.py.
    variants: Any = None
    #: What the resource phase did: planned/checked/unchecked URLs, requests, budget (None
    #: when it did not run).
    resource_stats: dict[str, Any] | None = None
    #: GEO live check results (geo_live.LiveProbe tuple); None when the check was off.
    live_probes: Any = None
    #: The headless-Chromium render sample (render.RenderReport); None when it was off.
    rendering: Any = None
    #: The page-speed lab (lab.LabReport); None when it was off.
    lab: Any = None
    #: hreflang annotations from sitemaps (<xhtml:link rel="alternate">): normalized page URL
    #: -> ((hreflang, normalized href), ...), bounded by sitemaps.MAX_HREFLANG_PAIRS.
    sitemap_hreflangs: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    #: /llms.txt and /llms-full.txt as fetched before the crawl (llms_txt.LlmsTxtInfo), None when
    #: not fetched.
    llms_txt: Any = None
    #: URLs the frontier refused as crawl traps: reason (frontier.TRAP_REASONS) -> (count,
    #: example URLs).
    crawl_traps: dict[str, tuple[int, tuple[str, ...]]] = field(default_factory=dict)
    #: Set when options.max_crawl_seconds stopped the crawl: budget_s, pages_crawled,
    #: urls_not_fetched.
    time_budget: dict[str, Any] | None = None

    def add_link(self, source: str, target: str, anchor: str, kind: str) -> None:
        entry = self.targets[target]
        entry.inlinks += 1
        if source == target:
            return
        if kind == "a":
            entry.page_links += 1
        sources = entry.sources
        if len(sources) < MAX_SOURCES_PER_TARGET:
            if sources:
                record = self.pages.get(target)
                if record is not None and _healthy(record):
                    return
            sources.append((source, anchor[:120], kind))

    def add_page(self, record: PageRecord) -> None:
        """Store a page's record. An indexable 200 page needs no more than one linking page
        as evidence (nothing about it is broken), so its samples are cut to one: most targets
        are such pages, and their samples were the largest per-URL cost of the index."""
        self.pages[record.url] = record
        if _healthy(record):
            entry = self.targets.get(record.url)
            if entry is not None and len(entry.sources) > 1:
                del entry.sources[1:]

    def add_external_link(self, source: str, target: str, anchor: str, kind: str) -> None:
        entry = self.external.get(target)
        if entry is None:
            if len(self.external) >= MAX_EXTERNAL_TARGETS:
                self.external_overflow += 1
                return
            entry = self.external[target] = LinkTarget()
        entry.inlinks += 1
        if len(entry.sources) < MAX_SOURCES_PER_TARGET:
            entry.sources.append((source, anchor[:120], kind))

    def inlinks(self, url: str) -> int:
        """<a href> links to `url` from other crawled pages."""
        entry = self.targets.get(url)
        return entry.page_links if entry else 0

    def link_sources(self, url: str) -> list[tuple[str, str, str]]:
        entry = self.targets.get(url)
        return list(entry.sources) if entry else []

    def record(self, url: str) -> PageRecord | None:
        return self.pages.get(url)

    def home_record(self) -> PageRecord | None:
        """The start page's record, followed through its redirect when it has one."""
        try:
            start = normalize_url(self.start_url)
        except InvalidURL:
            return None
        record = self.pages.get(start)
        if record is not None and record.redirect_hops:
            record = self.pages.get(record.final_url, record)
        return record
