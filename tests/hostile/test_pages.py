"""Every page-level hostile case, met in ONE crawl of the hostile site (tests/hostile/site.py).

Each case must end inside its bound (timeout, size cap, redirect cap, parse limit) with the
finding a user can act on, and the crawl as a whole must end within the hang guard.
"""

from __future__ import annotations

import pytest

from tests.conftest import crawl_options

from .conftest import Crawled, crawl, hang_guard
from .server import HostileServer
from .site import PAGE_CASES, hostile_routes

#: case -> (finding code the page must carry, fetch error expected (None: a response)).
EXPECTED: dict[str, tuple[str, str | None]] = {
    "endless_redirect": ("seo.redirect.too_many", "too_many_redirects"),
    "redirect_loop": ("seo.redirect.loop", "redirect_loop"),
    "slow_headers": ("seo.fetch.timeout", "timeout"),
    "slow_body": ("seo.fetch.timeout", "timeout"),
    "endless_chunked": ("seo.page.truncated", None),
    "endless_chunked_slow": ("seo.fetch.timeout", "timeout"),
    "silent": ("seo.fetch.timeout", "timeout"),
    "length_longer_stall": ("seo.fetch.timeout", "timeout"),
    "length_longer_close": ("seo.fetch.connection", "connection_error"),
    "length_shorter": ("seo.fetch.connection", "connection_error"),
    "gigabyte_announced": ("seo.page.truncated", None),
    "gigabyte_streamed": ("seo.page.truncated", None),
    "gzip_bomb": ("seo.page.truncated", None),
    "brotli_bomb": ("seo.page.truncated", None),
    "double_gzip_bomb": ("seo.content.not_html", None),
    "html_as_png": ("seo.content.type_mismatch", None),
    "binary_as_html": ("seo.content.not_html", None),
    "bad_charset": ("seo.html.charset_not_utf8", None),
    "nul_bytes": ("seo.content.not_html", None),
    "deep_nesting": ("seo.html.too_complex", None),
}


def test_every_case_has_an_expectation():
    assert set(EXPECTED) == set(PAGE_CASES)


@pytest.fixture(scope="module")
def hostile_crawl() -> tuple[Crawled, HostileServer]:
    with HostileServer(hostile_routes()) as server:
        crawled = crawl(server.base_url + "/")
        yield crawled, server


def test_crawl_ends_within_its_bound(hostile_crawl):
    crawled, server = hostile_crawl
    options = crawl_options(server.base_url + "/")
    assert crawled.seconds < hang_guard(options, pages=len(PAGE_CASES) + 1)
    assert not crawled.summary.cancelled
    assert crawled.summary.pages_crawled >= len(PAGE_CASES)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_case_ends_with_its_finding(hostile_crawl, case):
    crawled, _ = hostile_crawl
    path = PAGE_CASES[case][0]
    page = crawled.pages[path]
    code, error = EXPECTED[case]
    assert page.fetch.error == error, (page.fetch.error, page.fetch.error_detail)
    assert code in crawled.codes(path)
    if error is not None:
        assert page.fetch.error_detail  # a sentence the user can act on


@pytest.mark.parametrize("case", ["gigabyte_announced", "gigabyte_streamed", "gzip_bomb",
                                  "brotli_bomb", "endless_chunked"])
def test_big_bodies_stop_at_the_cap_and_are_not_kept(hostile_crawl, case):
    crawled, _ = hostile_crawl
    fetch = crawled.pages[PAGE_CASES[case][0]].fetch
    cap = crawl_options("http://x/").max_body_bytes
    assert fetch.truncated and fetch.body is None
    # Decompressed bytes read stop within one network read of the cap (aiohttp hands out
    # at most its 256 KiB high-water mark at a time); the announced gigabyte is reported.
    if case == "gigabyte_announced":
        assert fetch.size == 1024 ** 3
    else:
        assert cap < fetch.size < cap + 1024 * 1024


def test_the_server_was_hung_up_on(hostile_crawl):
    """Gigabyte, bombs and endless bodies: the crawler closed the connection early, so the
    server wrote a few megabytes, not gigabytes."""
    _, server = hostile_crawl
    assert server.bytes_sent < 100 * 1024 * 1024


def test_a_lying_short_content_length_smuggles_nothing(hostile_crawl):
    """The excess bytes after a too-short Content-Length held a whole second response (a
    redirect): the crawler rejects the connection, and no later answer is that redirect."""
    crawled, server = hostile_crawl
    assert server.hits["/smuggled"] == 0
    for page in crawled.pages.values():
        assert all("/smuggled" not in hop.location for hop in page.fetch.redirect_chain)


def test_endless_redirects_stop_at_the_redirect_cap(hostile_crawl):
    crawled, server = hostile_crawl
    fetch = crawled.pages["/r/"].fetch
    assert len(fetch.redirect_chain) == crawl_options("http://x/").max_redirects + 1
    assert sum(n for path, n in server.hits.items() if path.startswith("/r/")) <= 12


def test_parse_stays_bounded_on_deep_nesting(hostile_crawl):
    crawled, _ = hostile_crawl
    page = crawled.pages[PAGE_CASES["deep_nesting"][0]]
    assert page.facts is not None and page.facts.titles == ("Deep",)


def test_nul_bytes_do_not_leak_into_links(hostile_crawl):
    crawled, _ = hostile_crawl
    assert all("\x00" not in url for url in crawled.pages)
