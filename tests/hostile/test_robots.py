"""Hostile robots.txt: several megabytes, endless redirects, served slowly."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import crawl_options

from . import routes as R
from .conftest import crawl, crawl_in_subprocess, hang_guard
from .server import Conn, Request, head

KIB = 1024
PAGES = {
    "/": R.html(R.page("Robots home", "links", links=("/private/x", "/late/y", "/open/z"))),
    "/private/": R.html(R.page("Private", "should not be crawled")),
    "/late/": R.html(R.page("Late", "its rule came after the cap")),
    "/open/": R.html(R.page("Open", "allowed")),
    "/sitemap.xml": R.html("", status=404),
}


def huge_robots(size: int) -> bytes:
    """A valid group first, then `size` bytes of comment lines, then a rule past any cap."""
    head = b"User-agent: *\nDisallow: /private/\n"
    filler = b"# " + b"padding " * 15 + b"\n"
    body = head + filler * (size // len(filler))
    return body + b"Disallow: /late/\n"


def test_several_megabyte_robots_is_cut_at_500_kib_and_its_prefix_obeyed(serve):
    server = serve({**PAGES, "/robots.txt": R.html(huge_robots(8 * 1024 * KIB),
                                                   content_type="text/plain")})
    crawled = crawl(server.base_url + "/")
    robots = crawled.run.crawler.site.robots
    assert robots.truncated and robots.size > 8 * 1024 * KIB
    assert crawled.pages["/private/x"].fetch.error == "robots_blocked"
    assert crawled.pages["/late/y"].fetch.status == 200  # its rule lay beyond the cap
    assert crawled.pages["/open/z"].fetch.status == 200
    assert "seo.robots.too_large" in crawled.site_codes()


def test_several_megabyte_robots_costs_little_memory(serve):
    """Streamed 50 MB robots.txt: read up to the cap and dropped, in a fresh process."""
    server = serve({**PAGES, "/robots.txt": R.gigabyte(announce=False, size=50 * 1024 * KIB)})
    out = crawl_in_subprocess(server.base_url + "/", geo=False)
    assert "seo.robots.too_large" in out["summary"]["site_codes"]
    assert out["rss_growth_mb"] < 60, {k: v for k, v in out.items() if k != "pages"}
    assert server.bytes_sent < 10 * 1024 * KIB  # the crawler hung up after the cap


def test_robots_redirecting_six_times_counts_as_unavailable(serve):
    """RFC 9309: follow at least five redirects; past that, robots.txt is unavailable and
    everything may be crawled."""
    server = serve({**PAGES, "/robots.txt": R.redirect("/robots/1"),
                    "/robots/": R.endless_redirects("/robots/")})
    crawled = crawl(server.base_url + "/")
    assert crawled.summary.robots_error == "too_many_redirects"
    assert sum(n for p, n in server.hits.items() if p.startswith("/robots")) == 6
    assert crawled.pages["/private/x"].fetch.status == 200


@pytest.mark.parametrize("interval", [0.01])
def test_robots_served_slowly_but_within_the_timeout_is_obeyed(serve, interval):
    data = b"User-agent: *\nDisallow: /private/\n"

    async def slow(request: Request, conn: Conn) -> None:
        await conn.send(head(200, {"Content-Type": "text/plain",
                                     "Content-Length": str(len(data))}))
        for i in range(len(data)):
            await conn.send(data[i:i + 1])
            await asyncio.sleep(interval)

    server = serve({**PAGES, "/robots.txt": slow})
    crawled = crawl(server.base_url + "/")
    assert crawled.summary.robots_error is None
    assert crawled.pages["/private/x"].fetch.error == "robots_blocked"


def test_robots_too_slow_stops_at_the_timeout_and_blocks_the_crawl(serve):
    """Dribbled one byte a second: cut at the total timeout. An unreachable robots.txt means
    "crawl nothing" (RFC 9309 2.3.1.4); the audit says so instead of hanging."""
    server = serve({**PAGES, "/robots.txt": R.slow_body(interval=1.0, length=100)})
    crawled = crawl(server.base_url + "/")
    assert crawled.seconds < hang_guard(crawl_options(server.base_url), pages=2)
    assert crawled.summary.robots_error == "timeout"
    assert "seo.robots.unreachable" in crawled.site_codes()
    assert crawled.pages["/"].fetch.error == "robots_blocked"
