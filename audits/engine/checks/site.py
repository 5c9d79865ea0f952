"""Site-wide checks over the crawl index (`SiteView`): duplicates, broken links, orphans,
canonical targets, sitemap and robots.txt consistency.

Every check here is one pass over the pages (or link targets), grouping with dicts; none
compares pages pairwise. Evidence lists are bounded (MAX_EXAMPLES).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator

from ..site import PageRecord, SiteView
from ..types import Finding, Severity
from .common import (
    MAX_EXAMPLES,
    REF_CANONICAL,
    REF_LINKS,
    REF_REDIRECTS,
    REF_ROBOTS_TXT,
    REF_SITEMAPS,
    REF_SNIPPET,
    REF_TITLE,
)
from .registry import site_check

#: Fetch errors that do not mean the target is broken (the URL was skipped, or was too big).
_NOT_BROKEN_ERRORS = frozenset({"robots_blocked", "too_large"})


def _indexable_html(record: PageRecord) -> bool:
    return (record.is_html and record.indexable and record.status == 200
            and record.error is None and not record.redirect_hops)


def _duplicates(site: SiteView, code: str, attr: str,
                normalize: Callable[[str], str]) -> Iterator[Finding]:
    """One finding per page of each group of indexable pages sharing `normalize(attr)`,
    naming up to MAX_EXAMPLES other members of the group."""
    groups: defaultdict[str, list[PageRecord]] = defaultdict(list)
    for record in site.pages.values():
        value = getattr(record, attr)
        if value and _indexable_html(record):
            groups[normalize(value)].append(record)
    for members in groups.values():
        if len(members) < 2:
            continue
        sample = [m.url for m in members[:MAX_EXAMPLES + 1]]
        for record in members:
            others = [url for url in sample if url != record.url][:MAX_EXAMPLES]
            yield Finding(code, record.url, {attr: getattr(record, attr), "pages": len(members),
                                             "duplicates": others})


def _text_key(value: str) -> str:
    return " ".join(value.split()).casefold()


def link_sources(site: SiteView, url: str, *, kind: str | None = None) -> list[dict[str, str]]:
    """The remembered pages referencing `url` (at most MAX_SOURCES_PER_TARGET), as evidence;
    only references of `kind` ("a" for links) when given."""
    return [{"url": source, "anchor": anchor, "kind": found_kind}
            for source, anchor, found_kind in site.link_sources(url)
            if kind is None or found_kind == kind]


def _live_html(record: PageRecord) -> bool:
    return (record.is_html and record.status == 200 and record.error is None
            and not record.redirect_hops)


# -- duplicates ------------------------------------------------------------------------------

@site_check(
    "seo.title.duplicate", category="on_page", severity=Severity.WARNING,
    title="Duplicate title",
    why="Several indexable pages share the same title, so search results cannot tell them "
        "apart and search engines may treat them as duplicates.",
    fix="Give every indexable page a unique title, or consolidate pages that really are the "
        "same (canonical or redirect).",
    reference=REF_TITLE)
def title_duplicate(site: SiteView) -> Iterator[Finding]:
    """Indexable 200 HTML pages grouped by case-insensitive, whitespace-normalized title."""
    return _duplicates(site, "seo.title.duplicate", "title", _text_key)


@site_check(
    "seo.description.duplicate", category="on_page", severity=Severity.WARNING,
    title="Duplicate meta description",
    why="Identical descriptions on different pages make their snippets look the same and "
        "suggest template defaults were never replaced.",
    fix="Write a unique description for each indexable page.",
    reference=REF_SNIPPET)
def description_duplicate(site: SiteView) -> Iterator[Finding]:
    """Indexable 200 HTML pages grouped by normalized meta description."""
    return _duplicates(site, "seo.description.duplicate", "description", _text_key)


@site_check(
    "seo.content.duplicate", category="content", severity=Severity.WARNING,
    title="Duplicate content",
    why="Pages with the same visible text compete with each other; search engines pick one "
        "and may show the one you did not want.",
    fix="Consolidate the duplicates with a canonical tag or a 301 redirect to one URL, or "
        "make each page's content distinct.",
    reference=REF_CANONICAL)
def content_duplicate(site: SiteView) -> Iterator[Finding]:
    """Indexable 200 HTML pages grouped by the hash of their normalized visible text."""
    return _duplicates(site, "seo.content.duplicate", "content_hash", str)


# -- links -----------------------------------------------------------------------------------

@site_check(
    "seo.links.broken_internal", category="links", severity=Severity.ERROR,
    title="Broken internal link",
    why="Internal links lead visitors and crawlers to an error page, wasting crawl budget and "
        "the link's value.",
    fix="Update or remove the links on the listed pages, or restore/redirect the target URL.",
    reference=REF_LINKS)
def broken_internal_links(site: SiteView) -> Iterator[Finding]:
    """One finding per crawled URL that answered 4xx/5xx or failed to fetch and that other
    crawled pages link to with <a href>. Canonicals, hreflang, images, CSS and scripts naming
    a broken URL have their own checks; an error page naming itself is not a link."""
    pages = site.pages
    for url, target in site.targets.items():
        if not target.page_links:
            continue
        record = pages.get(url)
        if record is None:
            continue
        failed = record.error is not None and record.error not in _NOT_BROKEN_ERRORS
        if record.status >= 400 or failed:
            yield Finding("seo.links.broken_internal", url, {
                "status": record.status, "error": record.error, "inlinks": target.page_links,
                "sources": link_sources(site, url, kind="a")})


@site_check(
    "seo.links.orphan", category="links", severity=Severity.WARNING,
    title="Orphan page (in the sitemap, not linked)",
    why="The page is listed in the sitemap but no crawled page links to it, so visitors "
        "cannot reach it and search engines see it as unimportant.",
    fix="Link to the page from relevant pages (navigation, categories, related content), or "
        "remove it from the sitemap if it is obsolete.",
    reference=REF_LINKS)
def orphan_pages(site: SiteView) -> Iterator[Finding]:
    """200 HTML pages reached only through the sitemap and with no internal inlink."""
    for url, record in site.pages.items():
        if (record.depth < 0 and record.is_html and record.status == 200
                and record.error is None and not record.redirect_hops
                and site.inlinks(url) == 0):
            yield Finding("seo.links.orphan", url, {"in_sitemap": record.in_sitemap})


@site_check(
    "seo.robots.blocked_linked", category="crawlability", severity=Severity.NOTICE,
    title="Linked page blocked by robots.txt",
    why="Internal links point to a URL that robots.txt forbids crawling. Search engines can "
        "still index the bare URL (without content) from those links.",
    fix="If the page should rank, allow it in robots.txt; if not, stop linking to it or use "
        "noindex (which needs crawling to be seen) instead of a robots.txt block.",
    reference=REF_ROBOTS_TXT)
def robots_blocked_linked(site: SiteView) -> Iterator[Finding]:
    """URLs skipped because of robots.txt that have at least one internal inlink."""
    for url, record in site.pages.items():
        if record.error == "robots_blocked" and site.inlinks(url) > 0:
            yield Finding("seo.robots.blocked_linked", url, {
                "inlinks": site.inlinks(url), "sources": link_sources(site, url)})


#: Pages more clicks than this from the start page are "deep" (the threshold common audit
#: tools apply: important pages should be within three clicks of the home page).
MAX_CLICK_DEPTH = 3


@site_check(
    "seo.links.to_redirect", category="links", severity=Severity.NOTICE,
    title="Internal links point to a redirect",
    why="Pages of the site link to a URL that redirects. Every visit and every crawl pays an "
        "extra request, and search engines may keep the old URL around.",
    fix="Update the listed links to point straight at the redirect's destination.",
    reference=REF_REDIRECTS)
def links_to_redirect(site: SiteView) -> Iterator[Finding]:
    """One finding per redirecting URL that other crawled pages link to with <a href>, naming
    the destination and the linking pages. Redirects ending in an error are broken links."""
    pages = site.pages
    for url, target in site.targets.items():
        if not target.page_links:
            continue
        record = pages.get(url)
        if (record is not None and record.redirect_hops and record.error is None
                and record.status < 400):
            yield Finding("seo.links.to_redirect", url, {
                "redirects_to": record.final_url, "hops": record.redirect_hops,
                "inlinks": target.page_links, "sources": link_sources(site, url, kind="a")})


def _crawl_complete(site: SiteView) -> bool:
    """False when the page cap stopped the crawl: inlink counts are then incomplete."""
    return len(site.pages) < site.options.max_pages


@site_check(
    "seo.links.single_inlink", category="links", severity=Severity.NOTICE,
    title="Page has only one internal link pointing to it",
    why="Only one page of the site links here. Pages with few internal links are found late, "
        "crawled rarely and look unimportant to search engines; if that one link goes, the "
        "page is orphaned.",
    fix="Link to the page from other relevant pages (categories, related content, hubs).",
    reference=REF_LINKS)
def single_inlink(site: SiteView) -> Iterator[Finding]:
    """Indexable 200 HTML pages (not the start page) with exactly one <a href> from another
    crawled page, counting links to URLs that redirect to them. Skipped when the page cap cut
    the crawl short (links from uncrawled pages are unknown)."""
    if not _crawl_complete(site):
        return
    pages = site.pages
    via_redirect: defaultdict[str, int] = defaultdict(int)
    for url, record in pages.items():
        if record.redirect_hops and record.final_url != url:
            via_redirect[record.final_url] += site.inlinks(url)
    for url, record in pages.items():
        if (record.depth == 0 or url == site.start_url or not record.indexable
                or not _live_html(record)):
            continue
        if site.inlinks(url) + via_redirect.get(url, 0) == 1:
            yield Finding("seo.links.single_inlink", url, {
                "inlinks": 1, "sources": link_sources(site, url, kind="a")})


@site_check(
    "seo.links.deep", category="links", severity=Severity.NOTICE,
    title=f"Page is more than {MAX_CLICK_DEPTH} clicks from the start page",
    why="Pages many clicks away from the home page get less crawl attention and internal "
        "link value, and visitors rarely reach them.",
    fix="Flatten the structure: link important pages from the home page, category hubs or "
        "navigation, and add pagination shortcuts or related links.",
    reference=REF_LINKS)
def deep_pages(site: SiteView) -> Iterator[Finding]:
    """Indexable 200 HTML pages whose click depth from the start URL exceeds MAX_CLICK_DEPTH
    (pages known only from sitemaps have no depth: they are orphans)."""
    for url, record in site.pages.items():
        if record.depth > MAX_CLICK_DEPTH and record.indexable and _live_html(record):
            yield Finding("seo.links.deep", url, {
                "depth": record.depth, "sources": link_sources(site, url, kind="a")})


# -- canonical targets -----------------------------------------------------------------------

def canonical_targets(site: SiteView) -> Iterator[tuple[PageRecord, PageRecord]]:
    """(page, crawled target) for pages whose canonical names another crawled URL."""
    pages = site.pages
    for record in pages.values():
        canonical = record.canonical
        if (not canonical or canonical == record.url or not record.is_html
                or record.status != 200 or record.redirect_hops):
            continue
        target = pages.get(canonical)
        if target is not None and target.error != "robots_blocked":
            yield record, target


@site_check(
    "seo.canonical.to_redirect", category="indexability", severity=Severity.WARNING,
    title="Canonical points to a redirect",
    why="The canonical URL redirects elsewhere, which sends mixed signals; search engines may "
        "ignore the canonical.",
    fix="Point the canonical at the redirect's final URL.",
    reference=REF_CANONICAL)
def canonical_to_redirect(site: SiteView) -> Iterator[Finding]:
    """The crawled canonical target answered with a redirect."""
    for record, target in canonical_targets(site):
        if target.redirect_hops and target.error is None:
            yield Finding("seo.canonical.to_redirect", record.url, {
                "canonical": target.url, "redirects_to": target.final_url})


@site_check(
    "seo.canonical.to_error", category="indexability", severity=Severity.ERROR,
    title="Canonical points to a non-200 URL",
    why="The canonical names a URL that returns an error (or no page at all); search engines "
        "ignore such a canonical or, worse, drop both URLs.",
    fix="Point the canonical at a live, indexable URL (usually the page itself).",
    reference=REF_CANONICAL)
def canonical_to_error(site: SiteView) -> Iterator[Finding]:
    """The crawled canonical target failed or answered something other than 200."""
    for record, target in canonical_targets(site):
        if target.error is not None or (not target.redirect_hops and target.status != 200):
            yield Finding("seo.canonical.to_error", record.url, {
                "canonical": target.url, "status": target.status, "error": target.error})


# -- sitemaps --------------------------------------------------------------------------------

@site_check(
    "seo.sitemap.non_indexable", category="sitemaps", severity=Severity.WARNING,
    title="Non-indexable URL in sitemap",
    why="Sitemaps should list only canonical, indexable URLs that answer 200; redirects, "
        "errors, noindex and canonicalised pages in them waste crawl budget and send "
        "conflicting signals.",
    fix="Remove the URL from the sitemap, or list its final canonical URL instead.",
    reference=REF_SITEMAPS)
def sitemap_non_indexable(site: SiteView) -> Iterator[Finding]:
    """Sitemap URLs that were crawled and found not indexable. Robots blocks have their own
    check; non-HTML files (PDFs, images) answering 200 may belong in a sitemap."""
    for url, record in site.pages.items():
        if not record.in_sitemap or record.indexable or record.error == "robots_blocked":
            continue
        if (not record.is_html and record.status == 200 and record.error is None
                and not record.redirect_hops):
            continue
        yield Finding("seo.sitemap.non_indexable", url, {
            "reason": record.indexability_reason, "status": record.status})


@site_check(
    "seo.sitemap.blocked_by_robots", category="sitemaps", severity=Severity.WARNING,
    title="Sitemap URL blocked by robots.txt",
    why="The sitemap asks search engines to crawl a URL that robots.txt forbids them to crawl.",
    fix="Either allow the URL in robots.txt or remove it from the sitemap.",
    reference="https://developers.google.com/search/docs/crawling-indexing/sitemaps/"
              "build-sitemap")
def sitemap_blocked_by_robots(site: SiteView) -> Iterator[Finding]:
    """Sitemap URLs skipped because robots.txt disallows them."""
    for url, record in site.pages.items():
        if record.in_sitemap and record.error == "robots_blocked":
            yield Finding("seo.sitemap.blocked_by_robots", url, {})


#: What each trap guard means, in words, and the option that sets its limit.
_TRAP_WORDS = {
    "url_too_long": ("URLs longer than the limit", "max_url_length"),
    "repeated_path_segments": ("paths repeating one segment more often than the limit "
                               "(/a/b/a/b/a/b/...)", "max_repeated_segments"),
    "query_variants": ("more query-string variants of one path than the limit (calendars, "
                       "filters, session ids)", "max_query_variants_per_path"),
}


@site_check(
    "seo.crawl.trap", category="crawlability", severity=Severity.WARNING,
    title="Crawl trap: endless generated URLs",
    why="The site generates URLs without end: ever longer paths, repeating path segments, or "
        "unbounded query parameters (calendars, faceted filters, session ids). Crawlers "
        "spend their budget on these near-copies instead of your real pages, and the audit "
        "skipped the URLs beyond its trap limits.",
    fix="Stop linking to the generated variants (nofollow is not enough): bound calendars and "
        "filters, fix relative links that stack path segments, keep session ids out of URLs, "
        "and disallow the patterns in robots.txt or point variants to a canonical URL.",
    reference="https://developers.google.com/search/docs/crawling-indexing/"
              "crawling-managing-faceted-navigation")
def crawl_trap(site: SiteView) -> Iterator[Finding]:
    """One site-wide finding per trap guard of the frontier that refused URLs, with the
    number refused, the limit and example URLs."""
    for reason, (count, examples) in site.crawl_traps.items():
        words, option = _TRAP_WORDS.get(reason, (reason, ""))
        yield Finding("seo.crawl.trap", None, {
            "reason": reason, "description": words, "urls_refused": count,
            "limit": getattr(site.options, option, None) if option else None,
            "examples": list(examples[:MAX_EXAMPLES])})


@site_check(
    "seo.crawl.time_budget", category="crawlability", severity=Severity.WARNING,
    title="Audit stopped at its time budget",
    why="The crawl ran out of its time budget before it had fetched every page it found, "
        "usually because pages answer very slowly or not at all (each waits for its "
        "timeout). Pages not fetched are missing from every other check of this audit; "
        "search engine crawlers also fetch less of a slow site.",
    fix="Find out why pages are slow (see the timeout and slow-page findings), fix the "
        "server, then audit again; or audit a smaller part of the site (include patterns).",
    reference="https://developers.google.com/search/docs/crawling-indexing/"
              "large-site-managing-crawl-budget")
def crawl_time_budget(site: SiteView) -> Iterator[Finding]:
    """The crawl loop stopped at options.max_crawl_seconds with URLs still queued."""
    if site.time_budget is not None:
        yield Finding("seo.crawl.time_budget", None, dict(site.time_budget))
