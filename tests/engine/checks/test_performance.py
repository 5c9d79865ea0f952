"""Performance checks: large HTML, slow responses."""

from __future__ import annotations

from audits.engine.types import CrawlOptions
from tests.engine.checks.helpers import Case, doc, page, run

SMALL_LIMIT = CrawlOptions(start_url="https://example.com/", large_page_bytes=2000)

CASES = [
    Case("seo.performance.large_page",
         fails=[lambda: page(doc(body="<p>" + "word " * 1000 + "</p>"), options=SMALL_LIMIT),
                lambda: page(None, truncated=True, size=50_000_000)],
         passes=[lambda: page(doc(), options=SMALL_LIMIT),
                 lambda: page(doc(body="<p>" + "word " * 1000 + "</p>"))]),
    Case("seo.performance.slow_page",
         fails=[lambda: page(doc(), elapsed_ms=4500.0, ttfb_ms=4000.0)],
         passes=[lambda: page(doc(), elapsed_ms=300.0),
                 lambda: page(None, status=0, error="timeout", elapsed_ms=30_000.0)]),
]



def test_slow_page_threshold_comes_from_options():
    options = CrawlOptions(start_url="https://example.com/", slow_page_ms=100)
    [finding] = run("seo.performance.slow_page", page(doc(), elapsed_ms=150.0, options=options))
    assert finding.details["limit_ms"] == 100
