"""Crawlability & status checks: each one flags its failing pages and nothing else."""

from __future__ import annotations

import dataclasses

from audits.engine.analyze import html_in_disguise
from audits.engine.checks.registry import PageContext, page_check, run_page_checks, unregister
from audits.engine.types import CrawlOptions, Severity
from tests.engine.checks.helpers import URL, Case, doc, fires, page, redirected, run

OLD = "https://example.com/old"


def failed(error: str) -> PageContext:
    return page(None, status=0, error=error, error_detail=f"{error} happened")


CASES = [
    Case("seo.http.4xx",
         fails=[lambda: page(doc(), status=404), lambda: page("gone", status=410,
                                                              content_type="text/plain")],
         passes=[lambda: page(doc()), lambda: page(doc(), status=429),
                 lambda: redirected((OLD, 301), final_status=404)]),
    Case("seo.http.429",
         fails=[lambda: page("slow down", status=429, content_type="text/plain")],
         passes=[lambda: page(doc()), lambda: page(doc(), status=404)]),
    Case("seo.http.5xx",
         fails=[lambda: page(doc(), status=500), lambda: page(None, status=503)],
         passes=[lambda: page(doc()), lambda: page(doc(), status=404)]),
    Case("seo.redirect.internal",
         fails=[lambda: redirected((OLD, 301))],
         passes=[lambda: page(doc()),
                 lambda: redirected((OLD, 302), (URL, 302), final_status=0,
                                    error="redirect_loop")]),
    Case("seo.redirect.temporary",
         fails=[lambda: redirected((OLD, 302)),
                lambda: redirected((OLD, 301), ("https://example.com/mid", 307))],
         passes=[lambda: redirected((OLD, 301)), lambda: redirected((OLD, 308)),
                 lambda: page(doc())]),
    Case("seo.redirect.chain",
         fails=[lambda: redirected((OLD, 301), ("https://example.com/mid", 301))],
         passes=[lambda: redirected((OLD, 301)),
                 lambda: redirected((OLD, 301), ("https://example.com/mid", 301),
                                    final_status=0, error="too_many_redirects")]),
    Case("seo.redirect.loop",
         fails=[lambda: redirected((OLD, 302), ("https://example.com/b", 302), final_status=0,
                                   error="redirect_loop", final_url=OLD)],
         passes=[lambda: redirected((OLD, 301)), lambda: page(doc())]),
    Case("seo.redirect.too_many",
         fails=[lambda: redirected(*[(f"https://example.com/{i}", 301) for i in range(10)],
                                   final_status=0, error="too_many_redirects")],
         passes=[lambda: redirected((OLD, 301), ("https://example.com/mid", 301))]),
    Case("seo.redirect.broken_target",
         fails=[lambda: redirected((OLD, 301), final_status=404),
                lambda: redirected((OLD, 302), final_status=500)],
         passes=[lambda: redirected((OLD, 301)), lambda: page(doc(), status=404)]),
    Case("seo.redirect.meta_refresh",
         fails=[lambda: page(doc(extra_head='<meta http-equiv="refresh" '
                                            'content="0; url=https://example.com/new">')),
                lambda: page(doc(extra_head="<meta http-equiv=Refresh content=\"5;URL='/x'\">"))],
         passes=[lambda: page(doc()),
                 lambda: page(doc(extra_head='<meta http-equiv="refresh" content="30">')),
                 lambda: page(doc(extra_head='<meta http-equiv="refresh" content="0; url=/n">'),
                              status=404)]),
    Case("seo.fetch.timeout",
         fails=[lambda: failed("timeout")],
         passes=[lambda: page(doc()), lambda: failed("dns")]),
    Case("seo.fetch.dns",
         fails=[lambda: failed("dns")],
         passes=[lambda: page(doc()), lambda: failed("timeout")]),
    Case("seo.fetch.connection",
         fails=[lambda: failed("connection_refused"), lambda: failed("connection_error")],
         passes=[lambda: page(doc()), lambda: failed("tls")]),
    Case("seo.fetch.tls",
         fails=[lambda: failed("tls")],
         passes=[lambda: page(doc()), lambda: failed("connection_refused")]),
    Case("seo.fetch.failed",
         fails=[lambda: failed("ssrf_blocked"), lambda: failed("unsupported_scheme")],
         passes=[lambda: page(doc()), lambda: failed("timeout"), lambda: failed("robots_blocked"),
                 lambda: failed("redirect_loop")]),
    Case("seo.page.truncated",
         fails=[lambda: page(None, truncated=True, size=12_000_000),
                lambda: page(None, error="too_large", size=12_000_000)],
         passes=[lambda: page(doc())]),
    Case("seo.content.not_html",
         fails=[lambda: page(bytes(range(256)) * 40), lambda: page(b""),
                lambda: page(b"just some plain text, no markup at all")],
         passes=[lambda: page(doc()), lambda: page(bytes(range(256)) * 40, status=404)]),
    Case("seo.content.type_mismatch",
         fails=[lambda: served_as(doc().encode(), "image/png"),
                lambda: served_as(b"\xef\xbb\xbf\n  <HTML><body>x</body></HTML>", "text/plain"),
                lambda: served_as(b"<html>hi</html>", "application/octet-stream")],
         passes=[lambda: page(doc()), lambda: served_as(b"\x89PNG\r\n\x1a\n", "image/png"),
                 lambda: served_as(b'<?xml version="1.0"?><svg></svg>', "image/svg+xml"),
                 lambda: served_as(b"<html>moved</html>", "text/plain", status=404),
                 lambda: served_as(b"see <html> tags", "text/plain")]),
]


def served_as(body: bytes, content_type: str, status: int = 200) -> PageContext:
    """A non-HTML response as analyze_page sees it (not parsed, body sniffed)."""
    context = page(None, content_type=content_type, status=status)
    fetch = dataclasses.replace(context.fetch, body=body)
    return dataclasses.replace(context, html_in_disguise=html_in_disguise(fetch, None))



def test_redirect_chain_details_list_every_hop():
    context = redirected((OLD, 301), ("https://example.com/mid", 302))
    [finding] = run("seo.redirect.chain", context)
    assert [hop["url"] for hop in finding.details["chain"]] == [
        OLD, "https://example.com/mid", "https://example.com/final"]
    assert [hop["status"] for hop in finding.details["chain"]] == [301, 302, 200]


def test_fetch_error_details_carry_the_cause():
    [finding] = run("seo.fetch.timeout", failed("timeout"))
    assert finding.details["detail"] == "timeout happened"


def test_truncated_page_is_also_flagged_as_large():
    options = CrawlOptions(start_url="https://example.com/", max_body_bytes=1000)
    context = page(None, truncated=True, size=5000, options=options)
    assert run("seo.page.truncated", context)[0].details["limit"] == 1000
    assert fires("seo.performance.large_page", context)


def test_check_error_recorded_when_a_check_raises():
    @page_check("test.explodes", category="crawlability", severity=Severity.ERROR,
                title="t", why="w", fix="f", reference="r")
    def explodes(page_context):
        """Always raises."""
        raise RuntimeError("boom")

    try:
        findings = run_page_checks(page(doc()))
    finally:
        unregister("test.explodes")
    [error] = [f for f in findings if f.code == "engine.check_error"]
    assert error.details["check"] == "test.explodes" and "boom" in error.details["error"]
    assert not fires("engine.check_error", page(doc()))
