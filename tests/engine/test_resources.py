"""The resource phase against real servers on loopback: HEAD then GET, budgets, caps,
per-host concurrency, robots, the SSRF guard, and a whole crawl reporting what it found."""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from aiohttp import web

from audits.engine.crawler import run_crawl
from audits.engine.fetch import Fetcher
from audits.engine.netguard import AddressGuard
from audits.engine.resources import (
    BROKEN,
    OK,
    SKIPPED,
    TIMEOUT,
    UNVERIFIED,
    check_resources,
)
from audits.engine.robots import parse_robots
from audits.engine.site import SiteView
from audits.exceptions import InvalidAuditOptions
from audits.options import clean_audit_options, crawl_options_for
from tests.conftest import crawl_options
from tests.engine.aioserver import options
from tests.sites import Route, html, serve

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Recorder:
    """Counts requests by (method, path) and the most requests in flight at once."""

    def __init__(self) -> None:
        self.hits: Counter[tuple[str, str]] = Counter()
        self.in_flight = 0
        self.max_in_flight = 0

    @property
    def total(self) -> int:
        return sum(self.hits.values())


@asynccontextmanager
async def server(handler: Handler) -> AsyncIterator[tuple[str, Recorder]]:
    """A loopback server answering every method through `handler`."""
    recorder = Recorder()

    async def dispatch(request: web.Request) -> web.StreamResponse:
        recorder.hits[request.method, request.path] += 1
        recorder.in_flight += 1
        recorder.max_in_flight = max(recorder.max_in_flight, recorder.in_flight)
        try:
            return await handler(request)
        finally:
            recorder.in_flight -= 1

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", dispatch)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}", recorder
    finally:
        await runner.cleanup()


def view(start: str, *, internal=(), external=(), **opts) -> SiteView:
    """A crawl index whose home page references `internal` (url, kind) and `external` ones."""
    site = SiteView(start + "/", options(start + "/", **opts))
    for url, kind in internal:
        site.add_link(start + "/", url, "", kind)
    for url, kind in external:
        site.add_external_link(start + "/", url, "anchor", kind)
    return site


async def check(site: SiteView, *, guard: AddressGuard | None = None) -> float:
    started = time.monotonic()
    async with Fetcher(site.options, guard=guard) as fetcher:
        await check_resources(fetcher, site, site.options)
    return time.monotonic() - started


def test_head_405_falls_back_to_get():
    async def handler(request: web.Request) -> web.StreamResponse:
        if request.method == "HEAD":
            return web.Response(status=405)
        if request.path == "/gone.png":
            return web.Response(status=404, text="no")
        return web.Response(body=b"x" * 200_000, content_type="image/png")

    async def main() -> None:
        async with server(handler) as (base, rec):
            site = view(base, internal=[(base + "/ok.png", "img"), (base + "/gone.png", "img")])
            await check(site)
            ok, gone = site.resources[base + "/ok.png"], site.resources[base + "/gone.png"]
            assert (ok.outcome, ok.status, ok.method) == (OK, 200, "GET")
            assert ok.size == 200_000 and ok.content_type == "image/png"
            assert (gone.outcome, gone.status) == (BROKEN, 404)
            assert rec.hits["GET", "/ok.png"] == 1 and rec.hits["HEAD", "/ok.png"] == 1

    asyncio.run(main())


def test_head_answer_is_enough_when_it_is_fine():
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"x" * 300_000, content_type="image/jpeg")

    async def main() -> None:
        async with server(handler) as (base, rec):
            site = view(base, internal=[(base + "/a.jpg", "img")])
            await check(site)
            status = site.resources[base + "/a.jpg"]
            assert (status.outcome, status.method, status.size) == (OK, "HEAD", 300_000)
            assert rec.hits == {("HEAD", "/a.jpg"): 1}

    asyncio.run(main())


def test_hanging_server_is_cut_off_by_the_budget():
    release = asyncio.Event()

    async def handler(request: web.Request) -> web.StreamResponse:
        await release.wait()  # hangs until the test is over
        return web.Response(text="late")

    async def main() -> None:
        async with server(handler) as (base, _):
            links = [(f"{base}/{i}", "a") for i in range(20)]
            site = view(base, external=links, resource_budget_s=1.0, total_timeout=30.0,
                        read_timeout=30.0)
            elapsed = await check(site)
            release.set()
            assert elapsed < 2.5
            assert site.resources == {}  # unfinished checks are left out, not called broken

    asyncio.run(main())


def test_slow_server_times_out_and_says_so():
    release = asyncio.Event()

    async def handler(request: web.Request) -> web.StreamResponse:
        await release.wait()
        return web.Response(text="late")

    async def main() -> None:
        async with server(handler) as (base, rec):
            site = view(base, external=[(base + "/slow", "a")], total_timeout=0.5)
            await check(site)
            release.set()
            status = site.resources[base + "/slow"]
            assert (status.outcome, status.error) == (TIMEOUT, "timeout")
            assert rec.total == 1  # a timeout is not retried with GET

    asyncio.run(main())


def test_redirect_loop_is_broken():
    async def handler(request: web.Request) -> web.StreamResponse:
        target = "/b" if request.path == "/a" else "/a"
        return web.Response(status=301, headers={"Location": target})

    async def main() -> None:
        async with server(handler) as (base, rec):
            site = view(base, external=[(base + "/a", "a")])
            await check(site)
            status = site.resources[base + "/a"]
            assert (status.outcome, status.error) == (BROKEN, "redirect_loop")
            assert rec.total <= 6

    asyncio.run(main())


def test_request_cap_is_respected_and_resources_come_first():
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=404)  # every URL costs HEAD + GET

    async def main() -> None:
        async with server(handler) as (base, rec):
            links = [(f"{base}/link{i}", "a") for i in range(20)]
            site = view(base, internal=[(base + "/style.css", "css")], external=links,
                        max_resource_checks=5)
            await check(site)
            assert rec.total == 5
            assert rec.hits["HEAD", "/style.css"] == 1 and rec.hits["GET", "/style.css"] == 1
            assert len(site.resources) == 3  # css, 2 links; the 3rd's GET was over the cap

    asyncio.run(main())


def test_rate_limits_and_bot_walls_are_unverified_not_broken():
    async def handler(request: web.Request) -> web.StreamResponse:
        status = int(request.path.strip("/"))
        return web.Response(status=status, headers={"Retry-After": "120"})

    async def main() -> None:
        async with server(handler) as (base, _):
            site = view(base, external=[(f"{base}/{s}", "a") for s in (429, 999, 403, 401)])
            await check(site)
            assert {url.rsplit("/", 1)[1]: s.outcome for url, s in site.resources.items()} == {
                "429": UNVERIFIED, "999": UNVERIFIED, "403": UNVERIFIED, "401": UNVERIFIED}

    asyncio.run(main())


def test_at_most_two_requests_at_a_time_per_external_host():
    async def handler(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(0.05)
        return web.Response(text="ok")

    async def main() -> None:
        async with server(handler) as (base, rec):
            site = view(base, external=[(f"{base}/{i}", "a") for i in range(12)])
            await check(site)
            assert len(site.resources) == 12
            assert rec.max_in_flight == 2

    asyncio.run(main())


def test_our_robots_rules_apply_to_internal_resources():
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(text="ok")

    async def main() -> None:
        async with server(handler) as (base, rec):
            site = view(base, internal=[(base + "/private/a.css", "css"), (base + "/b.css", "css")])
            site.robots = parse_robots(base + "/robots.txt", b"User-agent: *\nDisallow: /private/\n",
                                       token=site.options.robots_token)
            await check(site)
            assert site.resources[base + "/private/a.css"].outcome == SKIPPED
            assert site.resources[base + "/b.css"].outcome == OK
            assert ("HEAD", "/private/a.css") not in rec.hits

    asyncio.run(main())


def test_private_addresses_stay_refused_without_opt_in():
    guard = AddressGuard(trusted_networks=(ipaddress.ip_network("127.0.0.1/32"),))

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(text="ok")

    async def main() -> None:
        async with server(handler) as (base, rec):
            port = base.rsplit(":", 1)[1]
            target = f"http://127.0.0.2:{port}/x"
            site = view(base, external=[(target, "a")], allow_private=False)
            await check(site, guard=guard)
            status = site.resources[target]
            assert (status.outcome, status.error) == (SKIPPED, "ssrf_blocked")
            assert rec.total == 0

    asyncio.run(main())


def test_external_checks_can_be_switched_off():
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(text="ok")

    async def main() -> None:
        async with server(handler) as (base, rec):
            site = view(base, internal=[(base + "/a.css", "css")],
                        external=[(base + "/out", "a")], check_external_links=False)
            await check(site)
            assert set(site.resources) == {base + "/a.css"}
            site = view(base, internal=[(base + "/a.css", "css")], check_resources=False)
            await check(site)
            assert site.resources == {}
            assert rec.total == 1

    asyncio.run(main())


# -- a whole crawl ---------------------------------------------------------------------------

def test_crawl_reports_broken_resources_with_their_pages():
    body = ('<img src="/img/ok.png" alt="fine" width="1" height="1">'
            '<img src="/img/missing.png" alt="gone" width="1" height="1">'
            '<img src="/img/huge.jpg" alt="big" width="1" height="1">'
            '<a href="{ext}/dead">Dead reference</a> <a href="{ext}/alive">Live reference</a>'
            '<a href="{ext}/busy">Busy reference</a> <a href="/b">Page B</a>')
    head = '<link rel="stylesheet" href="/css/gone.css"><script src="/js/app.js"></script>'
    external = {"/alive": Route("fine"), "/busy": Route("slow down", status=429),
                "/dead": Route("no", status=404)}
    with serve(external) as ext_base:
        ext = ext_base.replace("127.0.0.1", "localhost")  # another host for the crawl
        site = {
            "/": Route(html("Home page of the resource test site", body.format(ext=ext),
                            head=head)),
            "/b": Route(html("Second page of the resource test site", body.format(ext=ext),
                             head=head)),
            "/img/ok.png": Route(b"png", headers={"Content-Type": "image/png"}),
            "/img/huge.jpg": Route(b"j" * 400_000, headers={"Content-Type": "image/jpeg"}),
            "/js/app.js": Route("1", headers={"Content-Type": "text/javascript"}),
        }
        with serve(site) as base:
            summary = run_crawl(crawl_options(base + "/"), on_page=lambda result: None)
    found = {(f.code, f.details.get("target")): f for f in summary.site_findings}
    css = found["seo.resources.broken_internal_css_js", base + "/css/gone.css"]
    assert css.url == base + "/"
    assert [s["page"] for s in css.details["sources"]] == [base + "/", base + "/b"]
    assert css.details["status"] == 404 and css.details["inlinks"] == 2
    image = found["seo.images.broken_internal", base + "/img/missing.png"]
    assert image.details["sources"][0]["kind"] == "img"
    dead = found["seo.links.broken_external", ext + "/dead"]
    assert dead.details["sources"][0] == {"page": base + "/", "anchor": "Dead reference",
                                          "kind": "a"}
    assert found["seo.images.too_large", base + "/img/huge.jpg"].details["bytes"] == 400_000
    reported = {target for _, target in found}
    assert ext + "/busy" not in reported and ext + "/alive" not in reported
    assert base + "/img/ok.png" not in reported and base + "/js/app.js" not in reported


# -- audit options ---------------------------------------------------------------------------

def test_audit_options_reach_the_engine_and_are_validated():
    cleaned = clean_audit_options({"check_external_links": False, "max_resource_checks": 50,
                                   "resource_budget_s": 30})
    engine = crawl_options_for("https://example.com/", cleaned)
    assert (engine.check_resources, engine.check_external_links) == (True, False)
    assert (engine.max_resource_checks, engine.resource_budget_s) == (50, 30.0)
    defaults = crawl_options_for("https://example.com/", {})
    assert (defaults.max_resource_checks, defaults.resource_budget_s) == (1000, 60.0)
    for bad in ({"check_resources": "no"}, {"max_resource_checks": -1},
                {"max_resource_checks": 10**6}, {"resource_budget_s": 0}):
        with pytest.raises(InvalidAuditOptions):
            clean_audit_options(bad)
