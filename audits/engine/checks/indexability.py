"""Indexability: robots directives and canonical declarations on one page, and the canonical
graph across pages (chains, loops, canonicals to noindex pages or other domains, links to
canonicalised URLs). Site checks are one pass over the pages with dict lookups."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..parse import directive_sources
from ..site import PageRecord, SiteView
from ..types import Finding, Severity
from ..urls import host_of, registrable_suffix
from .common import REF_CANONICAL, REF_ROBOTS_META, examples, html_facts
from .registry import PageContext, page_check, site_check
from .site import canonical_targets, link_sources

#: Canonical hops followed from one page before giving up (a longer chain is reported as is).
MAX_CANONICAL_HOPS = 10


@page_check(
    "seo.indexability.noindex", category="indexability", severity=Severity.WARNING,
    title="Page is set to noindex",
    why="A noindex directive (meta robots or X-Robots-Tag) keeps the page out of search "
        "results. That is right for private or thin pages and a serious loss when it was left "
        "on by mistake (for example after a staging launch).",
    fix="Remove the noindex directive if the page should appear in search results; otherwise "
        "no action is needed.",
    reference="https://developers.google.com/search/docs/crawling-indexing/block-indexing")
def noindex(page: PageContext) -> dict[str, Any] | None:
    """noindex (or none) applies to us or Googlebot, from a meta tag or the HTTP header, or an
    unavailable_after date has passed."""
    fetch = page.fetch
    if fetch.status != 200 or fetch.error or fetch.redirect_chain:
        return None
    sources = directive_sources(fetch, page.facts, "noindex",
                                robots_token=page.options.robots_token)
    if sources:
        return {"sources": sources}
    if page.indexability_reason.startswith("unavailable_after"):
        # A past unavailable_after date removes the page from results like a noindex.
        return {"sources": [page.indexability_reason]}
    return None


@page_check(
    "seo.indexability.nofollow", category="indexability", severity=Severity.WARNING,
    title="Page is set to nofollow",
    why="A page-level nofollow tells search engines not to follow any link on the page, so "
        "pages linked only from here may not be discovered.",
    fix="Remove nofollow from the meta robots tag or X-Robots-Tag header; mark individual "
        "links with rel=nofollow instead when only some should not be followed.",
    reference=REF_ROBOTS_META)
def nofollow(page: PageContext) -> dict[str, Any] | None:
    """nofollow (or none) applies to us or Googlebot, from a meta tag or the HTTP header."""
    fetch = page.fetch
    if fetch.status != 200 or fetch.error or fetch.redirect_chain:
        return None
    sources = directive_sources(fetch, page.facts, "nofollow",
                                robots_token=page.options.robots_token)
    return {"sources": sources} if sources else None


@page_check(
    "seo.canonical.missing", category="indexability", severity=Severity.NOTICE,
    title="Canonical tag missing",
    why="Without a canonical URL, search engines pick one themselves among duplicates (with "
        "and without parameters, http and https, trailing slashes), which splits signals.",
    fix='Add <link rel="canonical" href="https://..."> with the absolute preferred URL (a '
        "self-referencing canonical is fine).",
    reference=REF_CANONICAL)
def canonical_missing(page: PageContext) -> dict[str, Any] | None:
    """Only on indexable HTML pages: a noindex or error page needs no canonical."""
    facts = html_facts(page)
    if facts is None or not page.indexable:
        return None
    return {} if not facts.canonical_urls else None


@page_check(
    "seo.canonical.invalid", category="indexability", severity=Severity.WARNING,
    title="Canonical URL is invalid",
    why="A canonical that is empty, malformed or not an http(s) URL is ignored by search "
        "engines, so the page behaves as if it had none.",
    fix="Set the canonical to the absolute https:// URL of the preferred page.",
    reference=REF_CANONICAL)
def canonical_invalid(page: PageContext) -> dict[str, Any] | None:
    """A canonical (tag or Link header) could not be resolved to an http(s) URL."""
    facts = html_facts(page)
    if facts is None or all(facts.canonical_urls):
        return None
    written = facts.canonical_tags + facts.canonical_headers
    bad = [raw[:300] for raw, url in zip(written, facts.canonical_urls, strict=False) if not url]
    return {"values": examples(bad)}


@page_check(
    "seo.canonical.relative", category="indexability", severity=Severity.NOTICE,
    title="Canonical URL is relative",
    why="Relative canonicals are resolved against the page URL; on a wrong host, protocol or "
        "a copied page they silently point to the wrong URL. Google recommends absolute URLs.",
    fix="Write the canonical as an absolute URL, including https:// and the host.",
    reference=REF_CANONICAL)
def canonical_relative(page: PageContext) -> dict[str, Any] | None:
    """A <link rel=canonical> href that resolved but was not written absolute."""
    facts = html_facts(page)
    if facts is None or not facts.canonical_tags:
        return None
    relative = [raw[:300] for raw, url in zip(facts.canonical_tags, facts.canonical_urls,
                                              strict=False)
                if url and not raw.strip().lower().startswith(("http://", "https://"))]
    return {"values": examples(relative)} if relative else None


@page_check(
    "seo.canonical.multiple", category="indexability", severity=Severity.WARNING,
    title="Conflicting canonical URLs",
    why="When a page declares several different canonical URLs (tags and/or HTTP headers), "
        "Google ignores all of them.",
    fix="Keep exactly one canonical declaration, or make them all name the same URL.",
    reference=REF_CANONICAL)
def canonical_multiple(page: PageContext) -> dict[str, Any] | None:
    """Two or more valid canonical declarations that name different URLs."""
    facts = html_facts(page)
    if facts is None or len(facts.canonical_urls) < 2:
        return None
    distinct = list(dict.fromkeys(url for url in facts.canonical_urls if url))
    return {"urls": examples(distinct)} if len(distinct) > 1 else None


# -- canonical graph (site-wide) -------------------------------------------------------------

def canonicalised(record: PageRecord) -> bool:
    """The page is a 200 HTML page whose one effective canonical names another URL (so search
    engines are asked to index that URL instead)."""
    return (record.indexability_reason.startswith("canonicalised to")
            and record.canonical is not None and record.canonical != record.url)


def _canonical_path(site: SiteView, start: PageRecord) -> list[str]:
    """URLs from `start` following effective canonicals of crawled pages: [start, B, C, ...].
    Ends at the first URL that is not a canonicalised crawled page, or repeats a URL (loop)."""
    pages = site.pages
    path = [start.url]
    following = start.canonical
    for _ in range(MAX_CANONICAL_HOPS):
        if following is None:
            break
        path.append(following)
        if following in path[:-1]:
            break
        record = pages.get(following)
        if record is None or not canonicalised(record):
            break
        following = record.canonical
    return path


@site_check(
    "seo.canonical.chain", category="indexability", severity=Severity.WARNING,
    title="Canonical chain",
    why="The page's canonical names a URL that itself canonicalises to another URL. Search "
        "engines may not follow the chain and can pick either URL, or ignore the canonical.",
    fix="Point the canonical straight at the final preferred URL (the end of the chain).",
    reference=REF_CANONICAL)
def canonical_chain(site: SiteView) -> Iterator[Finding]:
    """A page's canonical target is a crawled 200 HTML page whose own effective canonical
    names a third URL. Loops back to the page are seo.canonical.loop instead."""
    for record, target in canonical_targets(site):
        if not canonicalised(target) or target.canonical == record.url:
            continue
        path = _canonical_path(site, record)
        if path[-1] == record.url:
            continue  # a loop through this page
        yield Finding("seo.canonical.chain", record.url, {
            "canonical": target.url, "chain": path, "final": path[-1]})


@site_check(
    "seo.canonical.loop", category="indexability", severity=Severity.ERROR,
    title="Canonical loop",
    why="Following the canonical URLs leads back to this page (A names B, B names A), so no "
        "URL is declared preferred and search engines ignore the canonicals.",
    fix="Decide which URL is preferred and make every page of the loop name that one (the "
        "preferred page names itself).",
    reference=REF_CANONICAL)
def canonical_loop(site: SiteView) -> Iterator[Finding]:
    """Following effective canonicals of crawled pages from this canonicalised page returns to
    it within MAX_CANONICAL_HOPS hops."""
    for record in site.pages.values():
        if canonicalised(record):
            path = _canonical_path(site, record)
            if len(path) > 2 and path[-1] == record.url:
                yield Finding("seo.canonical.loop", record.url, {"loop": path})


@site_check(
    "seo.canonical.to_noindex", category="indexability", severity=Severity.ERROR,
    title="Canonical points to a noindex page",
    why="The canonical asks search engines to index another URL, which itself says noindex: "
        "contradictory signals that can leave neither page in the index.",
    fix="Point the canonical at an indexable page, or remove noindex from the target if it "
        "should be indexed.",
    reference=REF_CANONICAL)
def canonical_to_noindex(site: SiteView) -> Iterator[Finding]:
    """The crawled canonical target answered 200 with a noindex directive."""
    for record, target in canonical_targets(site):
        if (target.status == 200 and not target.redirect_hops and target.error is None
                and target.indexability_reason.startswith("noindex")):
            yield Finding("seo.canonical.to_noindex", record.url, {
                "canonical": target.url, "reason": target.indexability_reason})


@site_check(
    "seo.canonical.cross_domain", category="indexability", severity=Severity.NOTICE,
    title="Canonical points to another domain",
    why="The page asks search engines to index a URL on another domain instead. That is right "
        "for syndicated copies, and a costly mistake when it comes from a copied template or a "
        "staging/old domain: the page drops out of results in favour of the other site.",
    fix="If this page is the original, make the canonical name its own URL; keep a "
        "cross-domain canonical only on content republished from the other site.",
    reference=REF_CANONICAL)
def canonical_cross_domain(site: SiteView) -> Iterator[Finding]:
    """A 200 HTML page's canonical is on a different registrable domain (other subdomains,
    www and http/https variants of the same domain do not count)."""
    for record in site.pages.values():
        canonical = record.canonical
        if (not canonical or canonical == record.url or not record.is_html
                or record.status != 200 or record.redirect_hops or record.error is not None):
            continue
        host, target_host = host_of(record.url), host_of(canonical)
        if host != target_host and registrable_suffix(host) != registrable_suffix(target_host):
            yield Finding("seo.canonical.cross_domain", record.url, {
                "canonical": canonical, "canonical_host": target_host})


@site_check(
    "seo.canonical.linked_non_canonical", category="indexability", severity=Severity.NOTICE,
    title="Internal links point to a canonicalised URL",
    why="Pages of the site link to a URL that canonicalises elsewhere. Crawlers spend requests "
        "on the duplicate and the links' signals go to a URL you asked not to index.",
    fix="Link to the canonical URL directly from the listed pages.",
    reference=REF_CANONICAL)
def canonical_linked_non_canonical(site: SiteView) -> Iterator[Finding]:
    """A canonicalised page receives <a href> links from other crawled pages."""
    for url, record in site.pages.items():
        if canonicalised(record):
            inlinks = site.inlinks(url)
            if inlinks:
                yield Finding("seo.canonical.linked_non_canonical", url, {
                    "canonical": record.canonical, "inlinks": inlinks,
                    "sources": link_sources(site, url, kind="a")})
