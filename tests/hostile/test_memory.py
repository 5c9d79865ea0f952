"""The worker's memory stays under a fixed cap whatever the site sends.

Each crawl runs in a fresh interpreter (runner.py) with parsing inline, so every byte the
crawl holds is in the measured process; the hostile server stays in the test process. The
cap is on peak RSS growth over the warmed-up engine (VmHWM - RSS before the crawl). The
page-level cases (bodies, bombs) are measured by test_pages.py's crawl.
"""

from __future__ import annotations

import pytest

from . import routes as R
from .conftest import crawl_in_subprocess
from .site import billion_url_routes
from .test_pages import MEMORY_CAP_MB

MIB = 1024 * 1024


def test_a_billion_url_sitemap_site_stays_under_the_cap(serve):
    server = serve(billion_url_routes())
    out = crawl_in_subprocess(server.base_url + "/", max_pages=100, parse_workers=0, geo=False)
    assert out["summary"]["pages_crawled"] == 100
    assert out["rss_growth_mb"] < MEMORY_CAP_MB, out["rss_growth_mb"]


def test_an_80_mb_sitemap_is_read_up_to_its_cap_only(serve):
    """The sitemap size cap (50 MB, the protocol's limit) is the largest buffer the engine
    keeps; an 80 MB sitemap stops there."""
    server = serve({"/": R.html(R.page("Home", "nothing")),
                    "/robots.txt": R.html("Sitemap: /big.xml\n", content_type="text/plain"),
                    "/big.xml": R.gigabyte(announce=False, size=80 * MIB)})
    out = crawl_in_subprocess(server.base_url + "/", parse_workers=0, geo=False)
    assert "seo.sitemap.invalid" in out["summary"]["site_codes"]
    assert out["rss_growth_mb"] < MEMORY_CAP_MB, out["rss_growth_mb"]
    assert server.bytes_sent < 60 * MIB


@pytest.mark.parametrize(("links", "pad", "workers"), [(5_000, 0, 0), (1_000, 2_100, 1)])
def test_pages_with_thousands_of_trap_links_stay_under_the_cap(serve, links, pad, workers):
    """Every page links to thousands of unique trap URLs (query variants; or URLs over the
    length limit, 2 MB of links a page). Trap URLs are counted, not kept in the link graph;
    the URL caches keep only short URLs; and with a parse worker the big results do not
    deadlock the pipe (they did: the crawl hung for ever). With a worker, pages fetched but
    not yet parsed wait with their bodies: up to global_concurrency x the page size (here
    32 x 2 MB; at most 32 x 5 MB, docs/hostile-sites.md)."""
    server = serve({"/": R.link_flood(links, pad), "/robots.txt": R.html("", status=404)})
    out = crawl_in_subprocess(server.base_url + "/", max_pages=40, parse_workers=workers,
                              geo=False, timeout=90)
    assert out["summary"]["pages_crawled"] == 40
    assert sum(out["summary"]["rejected"].get(r, 0) for r in ("query_variants",
                                                             "url_too_long")) > 40 * links // 2
    assert "seo.crawl.trap" in out["summary"]["site_codes"]
    assert out["rss_growth_mb"] < MEMORY_CAP_MB, out["rss_growth_mb"]
