"""Site probes against real local servers: the start page, its other-scheme URL and its
www/non-www counterpart. TLS is not needed: the "https" and "http" sites are two plain-HTTP
servers named explicitly, and the decision logic is the same."""

from __future__ import annotations

import asyncio

from aiohttp import web

from audits.engine.crawler import CrawlRun
from audits.engine.fetch import Fetcher
from audits.engine.probes import (
    HostVariants,
    ProbeOutcome,
    counterpart_host,
    probe_variants,
    swap_host,
    swap_scheme,
)
from tests.conftest import crawl_options
from tests.engine.aioserver import closed_port, options, serve, text
from tests.sites import Route, html
from tests.sites import serve as serve_site

PAGE = "<!doctype html><html><head><title>t</title></head><body>x</body></html>"


def redirect_to(target: str):
    async def handle(request: web.Request) -> web.StreamResponse:
        raise web.HTTPMovedPermanently(target + request.path.lstrip("/"))
    return handle


def page(**headers: str):
    return text(PAGE, content_type="text/html", **headers)


async def probe(secure_handler, plain_handler, *, counterpart_handler=None):
    """Start on the "plain" server (http), naming the "secure" one as the https URL and, when
    given, a third server (built from the plain server's base URL) as the counterpart host."""
    async with serve(secure_handler) as secure, serve(plain_handler) as plain:
        handler = counterpart_handler(plain) if counterpart_handler else text("unused")
        async with serve(handler) as other, Fetcher(options()) as fetcher:
            return await probe_variants(fetcher, plain + "/", https_url=secure + "/",
                                        counterpart_url=other + "/" if counterpart_handler
                                        else None)


def test_http_serving_content_without_redirect_is_detected():
    variants = asyncio.run(probe(page(), page()))
    assert variants.start is not None and variants.start.ok
    assert variants.http_not_redirected


def test_http_redirecting_to_https_is_fine():
    async def main():
        async with serve(page()) as secure:
            async with serve(redirect_to(secure + "/")) as plain, Fetcher(options()) as fetcher:
                return await probe_variants(fetcher, plain + "/", https_url=secure + "/")
    variants = asyncio.run(main())
    assert variants.start.redirect_hops == 1
    assert not variants.http_not_redirected


def test_broken_https_is_not_a_redirect_problem():
    async def main():
        async with serve(page()) as plain, Fetcher(options()) as fetcher:
            return await probe_variants(fetcher, plain + "/",
                                        https_url=f"http://127.0.0.1:{closed_port()}/")
    variants = asyncio.run(main())
    assert variants.https is not None and variants.https.error == "connection_refused"
    assert not variants.http_not_redirected


def test_counterpart_host_serving_200_or_redirecting():
    variants = asyncio.run(probe(page(), page(), counterpart_handler=lambda _base: page()))
    assert variants.counterpart_not_redirected
    variants = asyncio.run(probe(page(), page(),
                                 counterpart_handler=lambda base: redirect_to(base + "/")))
    assert not variants.counterpart_not_redirected


def test_start_page_headers_and_referrer_meta():
    meta = ('<!doctype html><html><head><meta name="referrer" content="origin"></head>'
            '<body><p>name="referrer" in the body does not count</p></body></html>')
    async def main(body):
        async with serve(text(body, content_type="text/html", **{
                "X-Content-Type-Options": "nosniff"})) as base, Fetcher(options()) as fetcher:
            return await probe_variants(fetcher, base + "/")
    variants = asyncio.run(main(meta))
    assert variants.referrer_meta
    assert variants.missing_security_headers() == ["Content-Security-Policy or X-Frame-Options"]
    variants = asyncio.run(main(PAGE.replace("x</body>", '<p>name="referrer"</p></body>')))
    assert not variants.referrer_meta
    # On a custom port and an IP address, no scheme or counterpart probe runs.
    assert variants.http is variants.start and variants.https is None
    assert variants.counterpart is None


def test_failed_start_page_is_recorded_not_raised():
    async def main():
        async with Fetcher(options()) as fetcher:
            return await probe_variants(fetcher, f"http://127.0.0.1:{closed_port()}/")
    variants = asyncio.run(main())
    assert variants.error and not variants.start_served
    assert variants.missing_security_headers() == [] and not variants.hsts_missing


def test_probe_errors_never_escape():
    class Broken:
        async def fetch(self, *args, **kwargs):
            raise RuntimeError("boom")
    variants = asyncio.run(probe_variants(Broken(), "https://example.com/"))  # type: ignore[arg-type]
    assert variants.error.startswith("probe failed: RuntimeError")


def test_variant_urls():
    assert swap_scheme("https://example.com/a?b=1") == "http://example.com/a?b=1"
    assert swap_scheme("http://example.com:8080/") is None
    assert counterpart_host("example.com") == "www.example.com"
    assert counterpart_host("www.example.co.uk") == "example.co.uk"
    assert counterpart_host("www.example.com") == "example.com"
    for host in ("127.0.0.1", "[::1]", "localhost", "app.localhost", "intranet", "www.com",
                 "blog.example.com", "www.blog.example.com"):
        assert counterpart_host(host) is None, host
    assert swap_host("https://example.com/a", "www.example.com") == "https://www.example.com/a"
    assert swap_host("http://example.com:8080/a", "www.example.com") == \
        "http://www.example.com:8080/a"


def test_decisions_on_the_dataclass():
    secure, plain = "https://example.com/", "http://example.com/"
    base = HostVariants(start=ProbeOutcome(secure, secure, 200),
                        https=ProbeOutcome(secure, secure, 200))
    served = HostVariants(start=base.start, https=base.https,
                          http=ProbeOutcome(plain, plain, 200))
    assert served.http_not_redirected and not base.http_not_redirected
    moved = HostVariants(start=base.start, https=base.https,
                         http=ProbeOutcome(plain, "https://www.example.com/", 200, redirect_hops=1))
    assert not moved.http_not_redirected  # redirected to HTTPS (another host is not this check)
    assert base.hsts_missing
    assert not HostVariants(start=base.start,
                            start_headers=(("strict-transport-security", "max-age=600"),)).hsts_missing
    assert HostVariants(start=base.start,
                        start_headers=(("strict-transport-security", "includeSubDomains"),)
                        ).hsts_missing


def test_crawl_stores_probe_results_and_reports_missing_headers():
    site = {"/": Route(html("Home page of the probe test site"),
                       headers={"Content-Type": "text/html; charset=utf-8",
                                "Referrer-Policy": "no-referrer"})}
    with serve_site(site) as base:
        run = CrawlRun(crawl_options(base + "/"))
        list(run)
    variants = run.crawler.site.variants
    assert isinstance(variants, HostVariants) and variants.start_served
    assert variants.counterpart is None and variants.https is None  # IP address, custom port
    [finding] = [f for f in run.summary.site_findings
                 if f.code == "seo.https.security_headers_missing"]
    assert finding.details["missing"] == ["X-Content-Type-Options",
                                          "Content-Security-Policy or X-Frame-Options"]
    codes = {f.code for f in run.summary.site_findings}
    assert not codes & {"seo.https.http_not_redirected", "seo.https.host_variant_not_redirected",
                        "seo.https.hsts_missing"}


def test_probes_skip_a_start_url_disallowed_by_robots():
    site = {"/": Route(html("Home page")),
            "/robots.txt": Route("User-agent: *\nDisallow: /\n",
                                 headers={"Content-Type": "text/plain"})}
    with serve_site(site) as base:
        run = CrawlRun(crawl_options(base + "/"))
        list(run)
    assert run.crawler.site.variants is None
    assert "seo.robots.disallow_all" in {f.code for f in run.summary.site_findings}
