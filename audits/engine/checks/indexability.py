"""Indexability: robots directives and canonical declarations on one page."""

from __future__ import annotations

from typing import Any

from ..parse import directive_sources
from ..types import Severity
from .common import REF_CANONICAL, REF_ROBOTS_META, examples, html_facts
from .registry import PageContext, page_check


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
    """noindex (or none) applies to us or Googlebot, from a meta tag or the HTTP header."""
    fetch = page.fetch
    if fetch.status != 200 or fetch.error or fetch.redirect_chain:
        return None
    sources = directive_sources(fetch, page.facts, "noindex",
                                robots_token=page.options.robots_token)
    return {"sources": sources} if sources else None


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
