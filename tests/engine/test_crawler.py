"""End-to-end crawls of small local sites, including hostile and broken ones."""

from __future__ import annotations

import gzip

import psutil
import pytest

from audits.engine.crawler import CrawlError, run_crawl
from tests.conftest import crawl_options
from tests.sites import Route, html, serve


def crawl(url: str, **kw):
    results = []
    summary = run_crawl(crawl_options(url, **kw), on_page=results.append)
    return summary, {r.url: r for r in results}


def codes(result) -> set[str]:
    return {f.code for f in result.findings}


def small_site() -> dict[str, Route]:
    nav = '<a href="/a">Alpha page</a> <a href="/b">Beta page</a> <a href="/old">Old</a>'
    return {
        "/": Route(html("Home page of the small test site", nav + '<a href="/missing">x</a>')),
        "/a": Route(html("Alpha page of the small test site", nav + '<a href="/a/deep">Deep</a>')),
        "/b": Route(html("Beta page of the small test site", nav)),
        "/a/deep": Route(html("Deep page of the small test site", "<p>deep</p>")),
        "/old": Route(status=301, headers={"Location": "/b2"}),
        "/b2": Route(html("Beta two page of the small test site", nav)),
        "/robots.txt": Route("User-agent: *\nDisallow: /private\n",
                             headers={"Content-Type": "text/plain"}),
    }


def test_crawls_whole_site_breadth_first():
    with serve(small_site()) as base:
        summary, pages = crawl(base + "/")
    assert pages[base + "/"].depth == 0
    assert pages[base + "/a"].depth == 1
    assert pages[base + "/a/deep"].depth == 2
    assert pages[base + "/missing"].fetch.status == 404
    # The redirect source keeps its chain; the target is analysed once as its own page.
    old = pages[base + "/old"]
    assert old.fetch.redirect_chain[0].status == 301
    assert old.facts is None
    assert pages[base + "/b2"].facts is not None
    assert summary.pages_crawled == len(pages) == 7
    assert 0 <= summary.score.score <= 100


def test_broken_internal_link_names_its_sources():
    with serve(small_site()) as base:
        summary, _ = crawl(base + "/")
    broken = [f for f in summary.site_findings if f.url == base + "/missing"]
    assert broken, summary.site_findings
    assert base + "/" in str(broken[0].details)


def test_page_cap_is_respected():
    with serve(small_site()) as base:
        summary, _pages = crawl(base + "/", max_pages=3)
    assert summary.pages_crawled == 3
    assert summary.rejected.get("max_pages", 0) > 0


def test_robots_txt_is_obeyed_and_can_be_ignored():
    site = small_site()
    site["/"] = Route(html("Home page of the small test site", '<a href="/private">p</a>'))
    site["/private"] = Route(html("Private page of the small test site"))
    with serve(site) as base:
        _, pages = crawl(base + "/")
        assert pages[base + "/private"].fetch.error == "robots_blocked"
        _, pages = crawl(base + "/", respect_robots=False)
        assert pages[base + "/private"].fetch.status == 200


def test_private_address_refused_without_opt_in():
    with serve(small_site()) as base, pytest.raises(CrawlError) as err:
        run_crawl(crawl_options(base + "/", allow_private=False), on_page=lambda r: None)
    assert "127.0.0.1" in str(err.value)


@pytest.mark.parametrize("url", ["not a url", "ftp://example.com/", "http://[::1"])
def test_invalid_start_url(url):
    with pytest.raises(CrawlError, match="invalid URL"):
        run_crawl(crawl_options(url), on_page=lambda r: None)


def test_unresolvable_host():
    with pytest.raises(CrawlError, match="dns"):
        run_crawl(crawl_options("http://no-such-host.invalid/"), on_page=lambda r: None)


def test_connection_refused():
    with serve({}) as base:
        port = base.rsplit(":", 1)[1]
    with pytest.raises(CrawlError, match="connection_refused"):
        run_crawl(crawl_options(f"http://127.0.0.1:{port}/"), on_page=lambda r: None)


def test_endless_redirects_end_as_findings():
    def routes(path: str) -> Route | None:
        if path == "/":
            return Route(html("Home page with links to redirect traps",
                              '<a href="/loop-a">l</a><a href="/chain/0">c</a>'))
        if path == "/loop-a":
            return Route(status=302, headers={"Location": "/loop-b"})
        if path == "/loop-b":
            return Route(status=302, headers={"Location": "/loop-a"})
        if path.startswith("/chain/"):
            n = int(path.rsplit("/", 1)[1])
            return Route(status=301, headers={"Location": f"/chain/{n + 1}"})
        return None

    with serve(routes) as base:
        _summary, pages = crawl(base + "/")
    assert pages[base + "/loop-a"].fetch.error == "redirect_loop"
    assert pages[base + "/chain/0"].fetch.error == "too_many_redirects"
    assert codes(pages[base + "/loop-a"]) and codes(pages[base + "/chain/0"])


def test_hostile_pages_do_not_break_the_crawl():
    long_href = "/x" + "a" * 10_000
    links = ('<a href="javascript:void(0)">js</a><a href="mailto:a@b.c">m</a>'
             '<a href="tel:+123">t</a><a href="http://[::1">bad</a>'
             f'<a href="{long_href}">long</a><a>no href</a>'
             '<a href="/binary">bin</a><a href="/latin">latin</a><a href="/huge">huge</a>')
    site = {
        "/": Route(html("Home page with hostile links and pages", links)),
        "/binary": Route(bytes(range(256)) * 400,
                         headers={"Content-Type": "text/html"}),
        "/latin": Route(b"<html><head><title>Caf\xe9 \xff\xfe page</title></head>"
                        b"<body>\xc3\x28 invalid utf-8 \x80\x81</body></html>",
                        headers={"Content-Type": "text/html; charset=utf-8"}),
        "/huge": Route(b"<html><body>" + b"<p>word </p>" * 1_000_000 + b"</body></html>"),
    }
    with serve(site) as base:
        summary, pages = crawl(base + "/", max_body_bytes=5 * 1024 * 1024)
    assert pages[base + "/binary"].fetch.status == 200
    assert pages[base + "/latin"].facts is not None
    assert pages[base + "/latin"].facts.encoding_errors
    huge = pages[base + "/huge"]
    assert huge.fetch.truncated and huge.fetch.size > 10_000_000
    assert huge.findings
    assert not any(url.endswith("a" * 100) for url in pages)  # 10k href refused as a trap
    home = pages[base + "/"]
    reasons = {link.uncrawlable_reason for link in home.facts.links if not link.url}
    assert {"javascript", "mailto", "tel"} <= reasons
    assert summary.rejected.get("url_too_long", 0) >= 1


def test_crawl_trap_is_bounded():
    def calendar(path: str) -> Route | None:
        if path.startswith("/cal"):
            n = int(path.split("=", 1)[1]) if "=" in path else 0
            return Route(html(f"Calendar page number {n} of the endless calendar",
                              f'<a href="/cal?day={n + 1}">next</a>'
                              f'<a href="/cal/{n}/{n}/{n}/{n}/x">deep</a>'))
        if path == "/":
            return Route(html("Home page that links to the endless calendar",
                              '<a href="/cal?day=0">calendar</a>'))
        return None

    with serve(calendar) as base:
        summary, pages = crawl(base + "/", max_query_variants_per_path=20, max_pages=500)
    assert len(pages) < 60
    assert summary.rejected.get("query_variants", 0) >= 1


def test_slow_server_is_bounded_by_timeouts():
    site = {
        "/": Route(html("Home page linking to a very slow page", '<a href="/slow">s</a>')),
        "/slow": Route(b"<html>" + b"x" * 100, drip=0.5),
    }
    with serve(site) as base:
        summary, pages = crawl(base + "/", total_timeout=1.5, read_timeout=1.0, max_retries=0)
    assert pages[base + "/slow"].fetch.error == "timeout"
    assert summary.elapsed_s < 15


def test_huge_garbage_robots_txt():
    garbage = (b"\x00\xff garbage line\n" * 200_000)[:3_000_000]
    site = small_site()
    site["/robots.txt"] = Route(garbage, headers={"Content-Type": "text/plain"})
    with serve(site) as base:
        summary, _pages = crawl(base + "/")
    assert summary.pages_crawled >= 5


def test_robots_5xx_blocks_everything():
    site = small_site()
    site["/robots.txt"] = Route("oops", status=503, headers={"Content-Type": "text/plain"})
    with serve(site) as base:
        _summary, pages = crawl(base + "/", max_retries=0)
    assert [r.fetch.error for r in pages.values()] == ["robots_blocked"]


def test_sitemap_only_pages_are_crawled_as_orphans():
    site = small_site()
    site["/sitemap.xml"] = Route(
        gzip.compress(b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                      b'sitemap/0.9"><url><loc>BASE/orphan</loc></url></urlset>'),
        headers={"Content-Type": "application/xml"})
    site["/orphan"] = Route(html("Orphan page only listed in the sitemap"))
    with serve(lambda p: site.get(p)) as base:
        body = gzip.decompress(site["/sitemap.xml"].body).replace(b"BASE", base.encode())
        site["/sitemap.xml"].body = gzip.compress(body)
        _summary, pages = crawl(base + "/")
    orphan = pages[base + "/orphan"]
    assert orphan.in_sitemap and orphan.depth == -1


def test_process_pool_gives_the_same_results():
    with serve(small_site()) as base:
        inline, pages_inline = crawl(base + "/")
        pooled, pages_pool = crawl(base + "/", parse_workers=1)
    assert set(pages_inline) == set(pages_pool)
    for url, result in pages_inline.items():
        assert codes(result) == codes(pages_pool[url]), url
    assert inline.score.score == pooled.score.score


def test_memory_stays_bounded_on_a_bigger_site():
    body = "<p>" + "lorem ipsum dolor sit amet " * 400 + "</p>"

    def routes(path: str) -> Route | None:
        if path == "/" or path.startswith("/p/"):
            n = int(path.rsplit("/", 1)[1]) if path.startswith("/p/") else 0
            links = "".join(f'<a href="/p/{(n * 7 + k) % 3000}">page {k}</a>' for k in range(40))
            return Route(html(f"Generated page number {n} of the memory test", links + body))
        return None

    process = psutil.Process()
    before = process.memory_info().rss
    with serve(routes) as base:
        summary, _ = crawl(base + "/", max_pages=1500, per_host_concurrency=16)
    grown_mb = (process.memory_info().rss - before) / 1e6
    assert summary.pages_crawled == 1500
    # Raw HTML is dropped after parsing: growth is per-URL facts, not page bodies (~60 MB).
    assert grown_mb < 150, grown_mb


def test_results_reach_the_consumer_while_the_crawl_waits_on_a_slow_page():
    """Results are handed over in batches, but a partial batch does not wait for the crawl to
    produce more: the first page arrives while /slow is still held back (until it does)."""
    import threading

    from audits.engine.crawler import CrawlRun

    first_seen = threading.Event()
    slow_released: list[bool] = []

    def routes(path: str) -> Route | None:
        if path == "/":
            return Route(html("Home page of the streaming test site", '<a href="/slow">Slow</a>'))
        if path == "/slow":
            # Released by the consumer, or gives up before the crawl's 3 s read timeout.
            slow_released.append(first_seen.wait(timeout=2.0))
            return Route(html("Slow page of the streaming test site", "<p>late</p>"))
        return None

    with serve(routes) as base:
        run = CrawlRun(crawl_options(base + "/", use_sitemaps=False))
        urls = []
        for result in run:
            urls.append(result.url)
            first_seen.set()
    assert urls[0] == base + "/" and base + "/slow" in urls
    assert slow_released == [True]
