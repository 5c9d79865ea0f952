"""The worker's memory stays under a fixed cap whatever the site sends.

Each crawl runs in a fresh interpreter (runner.py) with parsing inline, so every byte the
crawl holds is in the measured process; the hostile server stays in the test process. The
cap is on peak RSS growth over the warmed-up engine (VmHWM - RSS before the crawl). The
page-level cases (bodies, bombs) are measured by test_pages.py's crawl.
"""

from __future__ import annotations

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
