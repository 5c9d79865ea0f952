"""Small helpers the check modules share: which pages a check applies to, bounded evidence."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..types import PageFacts
from .registry import PageContext

#: Evidence lists (other URLs, example links) are cut to this many entries.
MAX_EXAMPLES = 10

# Reference pages, shared by several checks.
REF_HTTP_ERRORS = "https://developers.google.com/search/docs/crawling-indexing/http-network-errors"
REF_REDIRECTS = "https://developers.google.com/search/docs/crawling-indexing/301-redirects"
REF_TITLE = "https://developers.google.com/search/docs/appearance/title-link"
REF_SNIPPET = "https://developers.google.com/search/docs/appearance/snippet"
REF_HEADINGS = "https://developer.mozilla.org/en-US/docs/Web/HTML/Element/Heading_Elements"
REF_CANONICAL = ("https://developers.google.com/search/docs/crawling-indexing/"
                 "consolidate-duplicate-urls")
REF_ROBOTS_META = "https://developers.google.com/search/docs/crawling-indexing/robots-meta-tag"
REF_LINKS = "https://developers.google.com/search/docs/crawling-indexing/links-crawlable"
REF_ROBOTS_TXT = "https://developers.google.com/search/docs/crawling-indexing/robots/intro"
REF_SITEMAPS = "https://www.sitemaps.org/protocol.html"
REF_CHARSET = "https://developer.mozilla.org/en-US/docs/Web/HTML/Element/meta#charset"
REF_HREFLANG = ("https://developers.google.com/search/docs/specialty/international/"
                "localized-versions")


def html_facts(page: PageContext) -> PageFacts | None:
    """The facts of a page that was served as a parseable HTML document with status 200 and
    no redirect; None otherwise. On-page checks only judge such pages (no false alarms on
    error pages, redirects or binary bodies)."""
    facts = page.facts
    fetch = page.fetch
    if (facts is None or fetch.status != 200 or fetch.error is not None or fetch.redirect_chain
            or facts.unparseable is not None):
        return None
    return facts


def examples(items: Iterable[Any], limit: int = MAX_EXAMPLES) -> list[Any]:
    """The first `limit` items, for a finding's evidence."""
    out: list[Any] = []
    for item in items:
        if len(out) >= limit:
            break
        out.append(item)
    return out
