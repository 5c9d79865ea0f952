"""Links on one page: crawlable hrefs, internal nofollow, descriptive anchor text."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..types import Severity
from .common import REF_LINKS, examples, html_facts
from .registry import PageContext, page_check

#: Reasons that make an <a> a dead end for crawlers. mailto:, tel:, data: and app schemes
#: (sms:, whatsapp:, ...) are legitimate links that are simply not web pages.
UNCRAWLABLE_REASONS = frozenset({"javascript", "missing", "malformed"})
#: Lighthouse's list of non-descriptive link texts (link-text audit), English.
GENERIC_ANCHORS = frozenset({
    "click here", "click this", "go", "here", "information", "learn more", "more", "more info",
    "more information", "right here", "read more", "see more", "start", "this", "link",
    "continue", "continue reading", "details", "click", "see all",
})


@page_check(
    "seo.links.uncrawlable", category="links", severity=Severity.NOTICE,
    title="Links crawlers cannot follow",
    why="Google follows only <a> elements with an href that resolves to a URL. Links made of "
        "javascript: hrefs, click handlers without href or malformed URLs are invisible to it.",
    fix='Give every link a real URL in href (<a href="/page">), and keep JavaScript handlers '
        "as an addition, not a replacement.",
    reference=REF_LINKS)
def links_uncrawlable(page: PageContext) -> dict[str, Any] | None:
    """<a> elements whose href is javascript:, missing or malformed."""
    facts = html_facts(page)
    if facts is None:
        return None
    bad = [link for link in facts.links
           if link.kind == "a" and link.uncrawlable_reason in UNCRAWLABLE_REASONS]
    if not bad:
        return None
    return {"count": len(bad),
            "reasons": dict(Counter(link.uncrawlable_reason for link in bad)),
            "examples": examples({"href": link.raw_href[:200], "anchor": link.anchor[:100],
                                  "reason": link.uncrawlable_reason} for link in bad)}


@page_check(
    "seo.links.nofollow_internal", category="links", severity=Severity.NOTICE,
    title="Internal links marked nofollow",
    why="rel=nofollow on links to your own pages asks search engines not to follow them, "
        "which can keep those pages from being discovered and from receiving link signals.",
    fix="Remove rel=nofollow from internal links; keep it for untrusted external links.",
    reference="https://developers.google.com/search/docs/crawling-indexing/"
              "qualify-outbound-links")
def links_nofollow_internal(page: PageContext) -> dict[str, Any] | None:
    """<a> links to internal URLs carry rel=nofollow."""
    facts = html_facts(page)
    if facts is None:
        return None
    nofollowed = [link for link in facts.links
                  if link.kind == "a" and link.internal and "nofollow" in link.rel]
    if not nofollowed:
        return None
    return {"count": len(nofollowed),
            "examples": examples({"url": link.url, "anchor": link.anchor[:100]}
                                 for link in nofollowed)}


@page_check(
    "seo.links.generic_anchor", category="links", severity=Severity.NOTICE,
    title="Links with non-descriptive text",
    why='Anchor text such as "click here" or "read more" tells neither users nor search '
        "engines what the target page is about.",
    fix="Use link text that describes the destination (for example \"pricing plans\" instead "
        'of "click here").',
    reference=REF_LINKS + "#anchor-text-placement")
def links_generic_anchor(page: PageContext) -> dict[str, Any] | None:
    """Crawlable <a> links whose whole text is one of the generic phrases."""
    facts = html_facts(page)
    if facts is None:
        return None
    generic = [link for link in facts.links
               if link.kind == "a" and link.url and len(link.anchor) <= 20
               and link.anchor.lower().strip(" .:!>»→") in GENERIC_ANCHORS]
    if not generic:
        return None
    return {"count": len(generic),
            "examples": examples({"url": link.url, "anchor": link.anchor} for link in generic)}
