"""Performance signals measured by the crawl itself: HTML size and response time."""

from __future__ import annotations

from typing import Any

from ..types import Severity
from .registry import PageContext, page_check


@page_check(
    "seo.performance.large_page", category="performance", severity=Severity.WARNING,
    title="Large HTML page",
    why="Heavy HTML takes longer to download and parse, delays rendering on mobile networks "
        "and uses more crawl budget.",
    fix="Trim inline scripts, styles, SVGs and data blobs; paginate very long lists.",
    reference="https://web.dev/articles/dom-size-and-interactivity")
def large_page(page: PageContext) -> dict[str, Any] | None:
    """HTML over `options.large_page_bytes`, or a body so large it was cut off."""
    fetch = page.fetch
    if fetch.status != 200 or fetch.redirect_chain:
        return None
    limit = page.options.large_page_bytes
    if fetch.truncated:
        return {"bytes": fetch.size, "limit": limit, "truncated": True}
    facts = page.facts
    if facts is not None and facts.html_bytes > limit:
        return {"bytes": facts.html_bytes, "limit": limit}
    return None


@page_check(
    "seo.performance.slow_page", category="performance", severity=Severity.WARNING,
    title="Slow page response",
    why="Slow responses hurt visitors (Largest Contentful Paint cannot start before the HTML "
        "arrives) and make search engines crawl the site less.",
    fix="Profile the server side of this URL: caching, database queries, upstream calls; "
        "serve static or cached HTML where possible.",
    reference="https://web.dev/articles/ttfb")
def slow_page(page: PageContext) -> dict[str, Any] | None:
    """The full response took longer than `options.slow_page_ms` (redirected URLs are judged
    on their target page, which carries the same timing)."""
    fetch = page.fetch
    if fetch.error is not None or fetch.status == 0 or fetch.redirect_chain:
        return None
    if fetch.elapsed_ms > page.options.slow_page_ms:
        return {"elapsed_ms": round(fetch.elapsed_ms), "ttfb_ms": round(fetch.ttfb_ms),
                "limit_ms": page.options.slow_page_ms}
    return None
