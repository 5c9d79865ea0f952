"""Turn one fetched URL into a `PageResult`: parse, decide indexability, run page checks.

This is the CPU-heavy half of a crawl. It is a plain function of picklable inputs so the
crawler can run it in a process pool (the other core) while the event loop keeps fetching.
"""

from __future__ import annotations

import dataclasses

from . import checks  # noqa: F401 - importing fills the registry
from .checks.registry import PageContext, run_page_checks
from .parse import compute_indexability, parse_page
from .parse_limits import sniffs_as_html
from .types import CrawlOptions, FetchResult, PageFacts, PageResult


def analyze_page(fetch: FetchResult, *, depth: int, found_on: str, in_sitemap: bool,
                 robots_allowed: bool, options: CrawlOptions, start_host: str) -> PageResult:
    """Parse an HTML body (if any), then run every page check. The returned result never
    carries the body, so raw HTML is dropped as soon as it has been parsed."""
    facts = None
    if fetch.body is not None and fetch.status and fetch.is_html:
        facts = parse_page(fetch, fetch.body, start_host=start_host,
                           include_subdomains=options.include_subdomains, geo=options.geo)
    bare = dataclasses.replace(fetch, body=None) if fetch.body is not None else fetch
    indexable, reason = compute_indexability(bare, facts, robots_allowed=robots_allowed,
                                             robots_token=options.robots_token)
    context = PageContext(url=fetch.requested_url, depth=depth, fetch=bare, facts=facts,
                          options=options, indexable=indexable, indexability_reason=reason,
                          html_in_disguise=html_in_disguise(fetch, facts))
    return PageResult(url=fetch.requested_url, depth=depth, fetch=bare, facts=facts,
                      findings=run_page_checks(context), indexable=indexable,
                      indexability_reason=reason, in_sitemap=in_sitemap, found_on=found_on)


def html_in_disguise(fetch: FetchResult, facts: PageFacts | None) -> bool:
    """An HTML document answered (200) under a non-HTML Content-Type, so left unparsed."""
    return (facts is None and fetch.body is not None and fetch.status == 200
            and not fetch.is_html and sniffs_as_html(fetch.body))


def warm_up() -> None:
    """Process-pool initializer: imports happen once per worker, not on the first page."""
