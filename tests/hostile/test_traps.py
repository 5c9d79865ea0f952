"""Infinite sites: link mazes, calendars, a million sitemap URLs. The crawl ends at its page,
depth and sitemap caps, and the frontier (what the crawler remembers about URLs it has
not fetched) stays bounded: measured in entries and bytes, not only in pages."""

from __future__ import annotations

import asyncio
import sys

from audits.engine.fetch import Fetcher
from audits.engine.robots import fetch_robots
from audits.engine.sitemaps import discover_sitemaps
from tests.conftest import crawl_options

from . import routes as R
from .conftest import crawl
from .site import billion_url_routes, tarpit_routes

#: Bytes a frontier may hold per page crawled (URL strings, queue entries, trap counters).
FRONTIER_BYTES_PER_PAGE = 2048


def frontier_bytes(frontier) -> int:
    """Deep size of the frontier's per-URL state (the containers and the strings in them)."""
    total = sys.getsizeof(frontier.seen) + sum(sys.getsizeof(url) for url in frontier.seen)
    total += sys.getsizeof(frontier._queue) + sum(sys.getsizeof(item) + sys.getsizeof(item.url)
                                                  for item in frontier._queue)
    total += sys.getsizeof(frontier._sitemap_queue) + sum(
        sys.getsizeof(url) for url in frontier._sitemap_queue)
    total += sys.getsizeof(frontier._query_variants) + sum(
        sys.getsizeof(key) for key in frontier._query_variants)
    return total


def test_link_maze_ends_at_max_pages_with_a_bounded_frontier(serve):
    server = serve({"/": R.link_maze("/room/"), "/robots.txt": R.html("", status=404)})
    crawled = crawl(server.base_url + "/", max_pages=300)
    assert crawled.summary.pages_crawled == 300
    # Every page offered 50 new rooms: the cap refused thousands of them...
    assert crawled.summary.rejected["max_pages"] > 5_000
    # ...and none of those refusals is remembered: the frontier holds only the 300 queued.
    frontier = crawled.run.crawler.frontier
    assert len(frontier.seen) == 300
    assert frontier_bytes(frontier) < 300 * FRONTIER_BYTES_PER_PAGE
    assert server.hits["/robots.txt"] == 1


def test_link_maze_ends_at_max_depth(serve):
    server = serve({"/": R.link_maze("/room/", fanout=20)})
    crawled = crawl(server.base_url + "/", max_pages=10_000, max_depth=2)
    # depth 0: the start page; 1: its 20 rooms; 2: their 400 rooms; depth 3 is refused.
    assert crawled.summary.pages_crawled == 1 + 20 + 400
    assert crawled.summary.rejected["max_depth"] == 400 * 20
    assert max(page.depth for page in crawled.pages.values()) == 2


def test_calendar_with_unbounded_query_parameters_is_a_trap_finding(serve):
    server = serve({"/": R.calendar("/cal"), "/cal": R.calendar("/cal")})
    crawled = crawl(server.base_url + "/", max_pages=1_000)
    # One path with ever new queries: at most max_query_variants_per_path are fetched.
    variants = crawl_options_value("max_query_variants_per_path")
    assert crawled.summary.pages_crawled <= variants + 1
    assert crawled.summary.rejected["query_variants"] > 0
    trap = [f for f in crawled.summary.site_findings if f.code == "seo.crawl.trap"]
    assert trap and trap[0].details["reason"] == "query_variants"
    assert trap[0].details["examples"][0].startswith(server.base_url + "/cal?")


def test_a_million_sitemap_urls_stay_within_the_sitemap_caps(serve):
    """A sitemap index naming 20,000 sitemaps of 50,000 URLs each (a billion URLs; the
    server generates them as they are asked for). The crawl reads at most max_sitemaps
    files and max_sitemap_urls URLs, remembers no more child sitemaps than it could read,
    and fetches at most max_pages pages."""
    server = serve(billion_url_routes(20_000))
    crawled = crawl(server.base_url + "/", max_pages=100, max_sitemaps=5,
                    max_sitemap_urls=60_000)
    sitemaps = crawled.summary.sitemaps
    assert len(sitemaps) <= 5
    assert sum(server.hits[p] for p in server.hits if p.startswith("/sitemaps/")) <= 4
    site = crawled.run.crawler.site
    assert len(site.sitemap_urls) == 60_000 and site.sitemap_url_cap_reached
    assert crawled.summary.pages_crawled == 100
    # The crawl fetched the linked pages first, then sitemap-only URLs up to the page cap.
    assert server.hits["/p/1"] == 1
    frontier = crawled.run.crawler.frontier
    assert len(frontier._sitemap_queue) <= 60_000
    assert frontier_bytes(frontier) < 60_000 * 200


def test_indexes_of_indexes_queue_no_more_than_can_be_read(serve):
    """Every index names 5,000 further indexes. Only max_sitemaps files are read, and only
    that many are ever queued: the rest are counted, not remembered."""
    server = serve({"/robots.txt": R.html("Sitemap: /idx/root.xml\n", content_type="text/plain"),
                    "/idx/": R.sitemap_index("/idx/", 5_000)})
    options = crawl_options(server.base_url + "/", max_sitemaps=8)

    async def discover():
        async with Fetcher(options) as fetcher:
            robots = await fetch_robots(fetcher, server.base_url, options)
            return await discover_sitemaps(fetcher, server.base_url, robots, options)

    result = asyncio.run(discover())
    assert len(result.sitemaps) == 8
    assert sum(n for p, n in server.hits.items() if p.startswith("/idx/")) == 8
    assert result.skipped_sitemaps == 8 * 5_000 - 7


def crawl_options_value(name: str):
    return getattr(crawl_options("http://x/"), name)


def test_a_tarpit_site_ends_at_the_crawl_time_budget(serve):
    """Every page of an endless site takes 1.5 s (under its timeout, so nothing fails): the
    crawl stops starting pages when its budget runs out, lets the ones in flight finish,
    and says what it left out."""
    server = serve(tarpit_routes(1.5))
    budget = 4.0
    crawled = crawl(server.base_url + "/", max_pages=10_000, max_crawl_seconds=budget,
                    per_host_concurrency=4, global_concurrency=4)
    options = crawl_options(server.base_url, max_crawl_seconds=budget)
    # The budget, plus the pages in flight finishing (at most global_concurrency of them,
    # per_host_concurrency at a time: here one wave of at most a total timeout), plus slack.
    assert crawled.seconds < budget + options.total_timeout + 5
    finding = next(f for f in crawled.summary.site_findings if f.code == "seo.crawl.time_budget")
    assert finding.details["budget_s"] == budget
    assert finding.details["urls_not_fetched"] > 0
    assert finding.details["pages_crawled"] == crawled.summary.pages_crawled < 100


def test_slow_sitemaps_stop_at_the_sitemap_time_budget(serve):
    """An index of 40 sitemaps, each dribbled until the fetch's total timeout: reading stops
    starting files at max_sitemap_seconds and the crawl goes on; the unread files make the
    sitemap-completeness checks stand down instead of reporting pages as missing."""
    server = serve({
        "/": R.html(R.page("Home", "one link", links=("/p/1",))),
        "/p/": R.html(R.page("A page", "nothing else")),
        "/robots.txt": R.html("Sitemap: /sitemap-index.xml\n", content_type="text/plain"),
        "/sitemap-index.xml": R.sitemap_index("/slow/", 40),
        "/slow/": R.slow_body(interval=0.5, length=1000),
    })
    crawled = crawl(server.base_url + "/", max_sitemap_seconds=2.0, total_timeout=2.0)
    site = crawled.run.crawler.site
    assert site.sitemap_time_budget_reached
    assert sum(n for p, n in server.hits.items() if p.startswith("/slow/")) <= 3
    assert crawled.summary.pages_crawled == 2
    assert crawled.seconds < 2.0 + 2 * 2.0 + 10
    assert "seo.sitemap.missing_pages" not in crawled.site_codes()
