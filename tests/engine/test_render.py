"""The headless-Chromium render sample against real pages served on 127.0.0.1.

Browser tests need Playwright and Chromium (/usr/bin/chromium or SEOAUDIT_CHROMIUM;
scripts/test.sh installs it). Without them they are skipped locally, and fail under CI=true,
where a skip would hide that the feature is untested.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import time

import pytest
from aiohttp import web

from audits.engine.checks.geo_render import links_only_after_js, main_content_only_after_js
from audits.engine.crawler import run_crawl
from audits.engine.fetch import Fetcher
from audits.engine.netguard import AddressGuard
from audits.engine.render import (
    RenderReport,
    render_candidates,
    render_sample,
)
from audits.engine.render_network import RequestGateway
from audits.engine.site import SiteView
from tests.browser import MISSING
from tests.conftest import crawl_options
from tests.engine.aioserver import options, serve
from tests.engine.checks.helpers import record

#: A "public" server on 127.0.0.1 (trusted), while 127.0.0.2 stays a refused loopback address:
#: the same arrangement as the fetcher's SSRF tests.
TEST_GUARD = AddressGuard(trusted_networks=(ipaddress.ip_network("127.0.0.1/32"),))

PROSE = " ".join(f"word{i}" for i in range(400))
NAV = "".join(f'<a href="/page-{i}">Page {i}</a>' for i in range(3))


def _html(body: str, head: str = "") -> str:
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>T</title>{head}"
            f"</head><body><nav>{NAV}</nav>{body}</body></html>")


SERVER_RENDERED = _html(f"<main><h1>Article</h1><p>{PROSE}</p></main>"
                        "<script>document.body.insertAdjacentHTML('beforeend',"
                        "'<div>Cookie banner: we use cookies</div>')</script>")
JS_CONTENT = _html("<main id=app><p>Loading...</p></main><script>"
                   "fetch('/api/article').then(r => r.text()).then(t => {"
                   "document.getElementById('app').innerHTML = '<h1>Article</h1><p>' + t + '</p>';"
                   "});</script>")
JS_LINKS = _html(f"<main><p>{PROSE}</p><ul id=more></ul></main><script>"
                 "const ul = document.getElementById('more');"
                 "for (let i = 0; i < 12; i++) ul.insertAdjacentHTML('beforeend',"
                 " `<li><a href=\"/products/${i}\">Product ${i}</a></li>`);</script>")


needs_browser = pytest.mark.skipif(bool(MISSING), reason=MISSING or "browser available")


def _site(base: str, *paths: str) -> SiteView:
    """A crawl index whose start page is paths[0]; every path an indexable 200 HTML page."""
    view = SiteView(base + paths[0], options(base + paths[0], js_render_sample=len(paths)))
    for path in paths:
        view.pages[base + path] = record(base + path)
    return view


def _render(view: SiteView, **kwargs) -> RenderReport:
    kwargs.setdefault("guard", TEST_GUARD)
    return asyncio.run(render_sample(view, view.options, **kwargs))


class Routes:
    """The test site; records which paths were requested."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        #: Base URL of the server that plays a private host (set once it runs).
        self.private = ""
        #: Set when the test is over: lets the never-ending responses end (server shutdown).
        self.done = asyncio.Event()

    async def _hang(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.done.wait(), 30)

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        self.hits.append(request.path)
        pages = {"/": SERVER_RENDERED, "/spa": JS_CONTENT, "/menu": JS_LINKS}
        if request.path in pages:
            return web.Response(text=pages[request.path], content_type="text/html")
        if request.path == "/api/article":
            return web.Response(text=PROSE, content_type="text/plain")
        if request.path == "/slow":
            # A page whose body never finishes: headers, then a trickle.
            response = web.StreamResponse(headers={"Content-Type": "text/html"})
            await response.prepare(request)
            await response.write(b"<!doctype html><html><body><p>Start")
            await self._hang()
            return response
        if request.path == "/ssrf":
            return web.Response(content_type="text/html", text=_html(
                f"<main><p>{PROSE}</p></main><iframe src='{self.private}/frame'></iframe>"
                f"<script>fetch('{self.private}/secret').catch(() => 0);"
                f"fetch('/redirect-to-private').catch(() => 0);"
                f"try {{ new WebSocket('{self.private.replace('http', 'ws')}/ws'); }}"
                f" catch (e) {{}}</script>"))
        if request.path == "/redirect-to-private":
            raise web.HTTPFound(self.private + "/via-redirect")
        return web.Response(status=404, text="not found")


async def _with_servers(test):
    """Run `test(base, routes, private_routes)` with the site on 127.0.0.1 and a "private"
    server on 127.0.0.2 that must never be reached."""
    private_hits: list[str] = []

    async def private(request: web.Request) -> web.StreamResponse:
        private_hits.append(request.path)
        return web.Response(text="internal secret")

    routes = Routes()
    async with serve(private, host="127.0.0.2") as private_base:
        routes.private = private_base
        async with serve(routes) as base:
            try:
                return await asyncio.get_running_loop().run_in_executor(
                    None, test, base, routes, private_hits)
            finally:
                routes.done.set()


@pytest.fixture(scope="module")
def rendered_site():
    """One browser run over the ordinary pages (keeps the module fast)."""
    if MISSING:
        pytest.skip(MISSING)

    def test(base, routes, private_hits):
        view = _site(base, "/", "/spa", "/menu", "/ssrf")
        return base, _render(view), routes.hits, list(private_hits)

    return asyncio.run(_with_servers(test))


@needs_browser
def test_server_rendered_page_is_not_flagged(rendered_site):
    base, report, _, _ = rendered_site
    assert report.status == "ok", report
    page = next(p for p in report.pages if p.url == base + "/")
    assert page.error is None
    assert page.raw_main_words == page.rendered_main_words >= 400
    assert page.rendered_words - page.raw_words == 5  # the cookie banner, nothing more
    assert page.raw_links == page.rendered_links == 3 and page.js_only_count == 0
    assert not main_content_only_after_js(page) and not links_only_after_js(page)


@needs_browser
def test_content_loaded_by_javascript_is_flagged(rendered_site):
    base, report, _, _ = rendered_site
    page = next(p for p in report.pages if p.url == base + "/spa")
    assert page.error is None and page.main_element == "main"
    assert page.raw_main_words == 1  # "Loading..."
    assert page.rendered_main_words >= 400
    assert main_content_only_after_js(page)


@needs_browser
def test_links_added_by_javascript_are_flagged(rendered_site):
    base, report, _, _ = rendered_site
    page = next(p for p in report.pages if p.url == base + "/menu")
    assert page.raw_links == 3 and page.rendered_links == 15
    assert page.js_only_count == 12
    assert page.js_only_links[:2] == (base + "/products/0", base + "/products/1")
    assert links_only_after_js(page) and not main_content_only_after_js(page)


@needs_browser
def test_requests_to_private_hosts_are_refused(rendered_site):
    base, report, hits, private_hits = rendered_site
    # Neither the fetch, the redirect, the iframe nor the WebSocket reached it.
    assert private_hits == []
    assert "/redirect-to-private" in hits  # the public hop was fetched, its target refused
    assert report.blocked_requests >= 3  # fetch, redirect target, iframe
    assert any("127.0.0.2" in example and "loopback" in example
               for example in report.blocked_examples)
    page = next(p for p in report.pages if p.url == base + "/ssrf")
    assert page.error is None  # the page itself still renders
    assert report.as_dict()["pages_rendered"] == 4


@needs_browser
def test_a_page_that_never_finishes_is_bounded_by_the_timeout():
    def test(base, routes, private_hits):
        view = _site(base, "/slow", "/")
        started = time.monotonic()
        report = _render(view, page_timeout_s=2.0)
        return base, report, time.monotonic() - started

    base, report, elapsed = asyncio.run(_with_servers(test))
    assert report.status == "ok"
    slow, fine = report.pages
    assert slow.url == base + "/slow" and slow.error and "timeout" in slow.error
    assert slow.ms < 8000
    assert fine.error is None and fine.rendered_main_words >= 400
    assert elapsed < 15


@needs_browser
def test_the_budget_bounds_the_pages_and_stops_the_sample():
    def test(base, routes, private_hits):
        return _render(_site(base, "/slow", "/"), page_timeout_s=15.0, budget_s=1.5)

    report = asyncio.run(_with_servers(test))
    [slow] = report.pages  # cut at the budget's 1.5 s, not the page timeout's 15 s
    assert slow.url.endswith("/slow") and "timeout" in slow.error and slow.ms < 6000
    assert "time budget of 1.5 s used up after 1 of 2 pages" in report.reason


def test_missing_chromium_is_reported_as_skipped(monkeypatch):
    monkeypatch.setenv("SEOAUDIT_CHROMIUM", "/nonexistent/chromium")
    view = _site("http://127.0.0.1:9", "/")
    report = _render(view)
    assert report.status == "skipped"
    assert "/nonexistent/chromium" in report.reason and "SEOAUDIT_CHROMIUM" in report.reason
    assert report.pages == ()


def test_a_file_that_is_not_chromium_fails_to_launch_and_is_skipped(tmp_path):
    if MISSING.startswith("Playwright"):
        pytest.skip(MISSING)
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    report = _render(_site("http://127.0.0.1:9", "/"), executable=str(fake))
    assert report.status == "skipped" and report.reason.startswith("Chromium failed to start")


def test_candidates_start_page_then_most_linked_indexable_pages():
    base = "https://example.com"
    view = SiteView(base + "/", options(base + "/"))
    for path, kwargs in [("/", {}), ("/a", {}), ("/b", {}), ("/noindex", {"indexable": False}),
                         ("/gone", {"status": 404}), ("/pdf", {"is_html": False})]:
        view.pages[base + path] = record(base + path, **kwargs)
    for source in ("/", "/a", "/noindex"):
        view.add_link(base + source, base + "/b", "b", "a")
        view.add_link(base + source, base + "/noindex", "n", "a")
    assert render_candidates(view, 10) == [base + "/", base + "/b", base + "/a"]
    assert render_candidates(view, 2) == [base + "/", base + "/b"]
    assert render_candidates(view, 0) == []


def test_sample_of_zero_does_nothing():
    view = _site("http://127.0.0.1:9", "/")
    report = asyncio.run(render_sample(view, options(view.start_url, js_render_sample=0)))
    assert report.status == "skipped" and report.pages == () and "off" in report.reason


@needs_browser
def test_a_crawl_runs_the_sample_and_reports_it_apart_from_crawl_time():
    def test(base, routes, private_hits):
        return run_crawl(crawl_options(base + "/spa", js_render_sample=1), on_page=lambda r: None)

    summary = asyncio.run(_with_servers(test))
    rendering = summary.rendering
    assert rendering["status"] == "ok" and rendering["pages_rendered"] == 1
    assert rendering["pages"][0]["url"].endswith("/spa")
    assert rendering["elapsed_s"] > 0
    codes = [f.code for f in summary.site_findings]
    assert "seo.geo.content_needs_js" in codes and "seo.geo.render_skipped" not in codes
    [component] = [c for c in summary.geo.components if c.component == "rendering"]
    assert component.score is not None and component.score < 100 and not component.reason


def test_crawl_reports_a_skipped_sample(monkeypatch):
    monkeypatch.setenv("SEOAUDIT_CHROMIUM", "/nonexistent/chromium")

    def test(base, routes, private_hits):
        return run_crawl(crawl_options(base + "/", js_render_sample=3), on_page=lambda r: None)

    summary = asyncio.run(_with_servers(test))
    assert summary.rendering["status"] == "skipped"
    [finding] = [f for f in summary.site_findings if f.code == "seo.geo.render_skipped"]
    assert "/nonexistent/chromium" in finding.details["reason"]
    # The GEO score leaves the rendering component out, saying why (neither reward nor penalty).
    [component] = [c for c in summary.geo.components if c.component == "rendering"]
    assert component.score is None and "/nonexistent/chromium" in component.reason


def test_crawl_without_the_sample_has_no_rendering():
    def test(base, routes, private_hits):
        return run_crawl(crawl_options(base + "/"), on_page=lambda r: None)

    summary = asyncio.run(_with_servers(test))
    assert summary.rendering is None
    assert not [f for f in summary.site_findings if f.code.startswith("seo.geo.render")]


def test_audit_option_validated_and_passed_to_the_engine(settings):
    from audits.exceptions import InvalidAuditOptions
    from audits.options import clean_audit_options, crawl_options_for

    assert crawl_options_for("https://example.com/", clean_audit_options(
        {"js_render_sample": 3})).js_render_sample == 3
    settings.SEOAUDIT_JS_RENDER_SAMPLE = 10
    assert crawl_options_for("https://example.com/", {}).js_render_sample == 10
    for bad in (-1, 101, "5", True):
        with pytest.raises(InvalidAuditOptions, match="js_render_sample"):
            clean_audit_options({"js_render_sample": bad})


def test_cli_flag_sets_the_sample(settings):
    from audits.management.commands.audit import Command

    command = Command()
    parser = command.create_parser("manage.py", "audit")
    opts = vars(parser.parse_args(["https://example.com/", "--js-render-sample", "0"]))
    assert command._audit_options(opts)["js_render_sample"] == 0


class FakeRequest:
    def __init__(self, url: str, method: str = "GET", resource_type: str = "fetch") -> None:
        self.url, self.method, self.resource_type = url, method, resource_type

    async def all_headers(self) -> dict[str, str]:
        return {"accept": "*/*", "host": "ignored", "x-requested-with": "test"}


class FakeRoute:
    """What RequestGateway.handle sees of a Playwright route, recording the answer."""

    def __init__(self, url: str, **kwargs) -> None:
        self.request = FakeRequest(url, **kwargs)
        self.answer: tuple = ()

    async def abort(self, code: str = "failed") -> None:
        self.answer = ("abort", code)

    async def fulfill(self, *, status: int, headers: dict[str, str], body: bytes) -> None:
        self.answer = ("fulfill", status, headers, body)


def test_gateway_answers_through_the_guarded_fetcher():
    """The gateway's decisions without a browser: what is fetched, refused or skipped."""
    seen_headers: list[str] = []

    async def public(request: web.Request) -> web.StreamResponse:
        seen_headers.append(request.headers.get("X-Requested-With", ""))
        if request.path == "/moved":
            raise web.HTTPFound("/data")
        return web.Response(text='{"ok": true}', content_type="application/json",
                            headers={"Set-Cookie": "a=1"})

    async def private(request: web.Request) -> web.StreamResponse:
        raise AssertionError("the private server was reached")

    async def main():
        async with serve(private, host="127.0.0.2") as private_base, serve(public) as base:
            port = base.rsplit(":", 1)[1]
            async with Fetcher(options(base + "/"), guard=TEST_GUARD) as fetcher:
                gateway = RequestGateway(fetcher, 5.0)
                scoped = RequestGateway(fetcher, 5.0, site_hosts=("127.0.0.1", False))
                routes = {
                    "ok": (gateway, FakeRoute(base + "/moved")),
                    "private": (gateway, FakeRoute(private_base + "/secret")),
                    "post": (gateway, FakeRoute(base + "/api", method="POST")),
                    "image": (gateway, FakeRoute(base + "/a.png", resource_type="image")),
                    "ftp": (gateway, FakeRoute("ftp://127.0.0.1/file")),
                    "other_host": (scoped, FakeRoute(f"http://localhost:{port}/data")),
                    "same_host": (scoped, FakeRoute(base + "/data")),
                }
                for handler, route in routes.values():
                    await handler.handle(route)
                return gateway, scoped, {name: route.answer for name, (_, route) in routes.items()}

    gateway, scoped, answers = asyncio.run(main())
    kind, status, headers, body = answers["ok"]
    assert (kind, status, body) == ("fulfill", 200, b'{"ok": true}')  # redirect followed in Python
    assert headers["set-cookie"] == "a=1" and "content-length" not in headers
    assert answers["private"] == ("abort", "blockedbyclient")
    assert answers["post"] == answers["ftp"] == answers["image"] == ("abort", "blockedbyclient")
    assert answers["other_host"] == ("abort", "blockedbyclient")
    assert answers["same_host"][:2] == ("fulfill", 200)
    assert gateway.blocked == 3  # private, POST, ftp (skipped images are not "blocked")
    assert "127.0.0.2 is a loopback address" in gateway.examples[0]
    assert scoped.blocked == 1 and "another host" in scoped.examples[0]
    assert set(seen_headers) == {"test"}  # the browser's request headers were forwarded
