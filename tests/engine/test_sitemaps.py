"""Sitemaps: discovery, indexes, gzip, hostile XML and the caps."""

from __future__ import annotations

import asyncio
import gzip
import time
import zlib
from datetime import UTC, datetime

from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st

from audits.engine.fetch import Fetcher
from audits.engine.robots import fetch_robots
from audits.engine.sitemaps import MAX_EXAMPLES, discover_sitemaps, parse_lastmod, parse_sitemap
from tests.engine.aioserver import options, serve, text

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def urlset(*locs: str) -> str:
    body = "".join(f"<url><loc>{loc}</loc><lastmod>2024-01-01</lastmod></url>" for loc in locs)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {NS}>{body}</urlset>'


def index(*locs: str) -> str:
    body = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {NS}>{body}</sitemapindex>'


def xml(body: str | bytes, **headers: str):
    return text(body, content_type="application/xml", **headers)


async def discover(routes, **kw):
    """Serve `routes` (bodies may contain BASE), then run robots + sitemap discovery."""
    opts = options(**kw)
    async with serve(lambda request: _route(routes, request)) as base:
        routes["BASE"] = base
        async with Fetcher(opts) as fetcher:
            robots = await fetch_robots(fetcher, base, opts)
            return base, await discover_sitemaps(fetcher, base, robots, opts)


async def _route(routes, request):
    body = routes.get(request.path)
    if body is None:
        return web.Response(status=404, text="not found")
    if isinstance(body, str):
        body = body.replace("BASE", routes["BASE"]).encode()
    return web.Response(body=body, content_type="application/xml")


def test_default_sitemap_xml():
    routes = {"/sitemap.xml": urlset("BASE/", "BASE/a", "BASE/b?x=1#frag", "BASE/a")}
    base, result = asyncio.run(discover(routes))
    assert result.urls == {base + "/", base + "/a", base + "/b?x=1"}
    [info] = result.sitemaps
    assert (info.kind, info.source, info.status, info.url_count) == ("urlset", "default", 200, 4)
    assert info.error is None and not result.url_cap_reached


def test_missing_default_sitemap():
    base, result = asyncio.run(discover({}))
    [info] = result.sitemaps
    assert (info.url, info.kind, info.status) == (base + "/sitemap.xml", "missing", 404)
    assert info.error == "HTTP 404" and result.urls == set()


def test_robots_sitemaps_indexes_gzip_and_cycles():
    routes = {
        "/robots.txt": "User-agent: *\nAllow: /\nSitemap: BASE/index.xml\nSitemap: BASE/plain.xml\n",
        "/index.xml": index("BASE/pages.xml", "BASE/nested-index.xml", "BASE/index.xml"),
        "/nested-index.xml": index("BASE/gz-without-extension", "BASE/index.xml"),
        "/pages.xml": urlset("BASE/p1", "BASE/p2"),
        "/plain.xml": urlset("BASE/p2", "BASE/p3"),
    }

    async def main():
        opts = options()
        async with serve(lambda request: _route(routes, request)) as base:
            routes["BASE"] = base
            # gzip recognised by its magic bytes: no .gz name, no Content-Encoding
            routes["/gz-without-extension"] = gzip.compress(urlset(base + "/deep").encode())
            async with Fetcher(opts) as fetcher:
                robots = await fetch_robots(fetcher, base, opts)
                return base, await discover_sitemaps(fetcher, base, robots, opts)
    base, result = asyncio.run(main())
    assert result.urls == {base + p for p in ("/p1", "/p2", "/p3", "/deep")}
    seen = [(s.url.removeprefix(base), s.kind, s.source) for s in result.sitemaps]
    assert seen == [
        ("/index.xml", "index", "robots"),
        ("/plain.xml", "urlset", "robots"),
        ("/pages.xml", "urlset", "index"),
        ("/nested-index.xml", "index", "index"),
        ("/gz-without-extension", "urlset", "index"),
    ]  # each file once, although the indexes list themselves and each other


def test_invalid_xml_is_reported_not_fatal():
    routes = {
        "/robots.txt": "Sitemap: BASE/broken.xml\nSitemap: BASE/html.xml\nSitemap: BASE/good.xml\n",
        "/broken.xml": f"<urlset {NS}><url><loc>BASE/x</loc></url>",
        "/html.xml": "<!DOCTYPE html><html><body>Not found</body></html>",
        "/good.xml": urlset("BASE/ok"),
    }
    base, result = asyncio.run(discover(routes))
    broken, html, good = result.sitemaps
    assert broken.kind == "invalid" and "invalid XML" in broken.error
    assert html.kind == "invalid" and "HTML page" in html.error
    assert good.kind == "urlset"
    assert result.urls == {base + "/ok"}


def test_entity_attacks_are_refused():
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">'
                        for i in range(10))
              + f']><urlset {NS}><url><loc>&lol9;</loc></url></urlset>')
    xxe = ('<?xml version="1.0"?><!DOCTYPE u [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
           f"<urlset {NS}><url><loc>&xxe;</loc></url></urlset>")
    started = time.perf_counter()
    for attack in (laughs, xxe):
        parsed = parse_sitemap(attack.encode(), max_bytes=1 << 20, max_locs=100)
        assert parsed.kind == "invalid" and "DOCTYPE" in parsed.error and parsed.locs == []
    assert time.perf_counter() - started < 1
    undeclared = f"<urlset {NS}><url><loc>&xxe;</loc></url></urlset>"
    assert "undefined entity" in parse_sitemap(undeclared.encode(), max_bytes=1 << 20,
                                               max_locs=10).error


def test_url_cap():
    routes = {"/sitemap.xml": urlset(*(f"BASE/page/{i}" for i in range(50)))}
    _, result = asyncio.run(discover(routes, max_sitemap_urls=10))
    assert len(result.urls) == 10 and result.url_cap_reached
    assert result.sitemaps[0].truncated


def test_sitemap_file_cap():
    routes = {"/sitemap.xml": index(*(f"BASE/s{i}.xml" for i in range(6)))}
    routes.update({f"/s{i}.xml": urlset(f"BASE/p{i}") for i in range(6)})
    _, result = asyncio.run(discover(routes, max_sitemaps=3))
    assert len(result.sitemaps) == 3 and result.skipped_sitemaps == 4
    assert len(result.urls) == 2


def test_gzip_bomb_is_bounded():
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    head = f"<urlset {NS}><url><loc>https://e.com/a</loc></url>".encode()
    spaces = b" " * (1 << 20)
    bomb = b"".join([compressor.compress(head), *(compressor.compress(spaces) for _ in range(64)),
                     compressor.flush()])
    started = time.perf_counter()
    parsed = parse_sitemap(bomb, max_bytes=2 << 20, max_locs=100)
    assert time.perf_counter() - started < 2
    assert parsed.truncated and parsed.size == 2 << 20 and parsed.kind == "urlset"
    assert parsed.locs == ["https://e.com/a"] and "only the first" in parsed.error


def test_text_sitemap_and_url_hygiene():
    routes = {"/robots.txt": "Sitemap: BASE/list.txt\n",
              "/list.txt": "BASE/one\n\nBASE/two\nftp://files.example.com/x\nhttps://other.example/z\n"}
    base, result = asyncio.run(discover(routes))
    [info] = result.sitemaps
    assert info.kind == "text" and info.url_count == 4
    assert info.invalid_urls == 1 and info.off_host_urls == 1
    assert result.urls == {base + "/one", base + "/two", "https://other.example/z"}


def test_garbage_is_invalid():
    for data in (b"", b"\x00\x01\x02 binary", b"\x1f\x8b\x08broken gzip", gzip.compress(b"<urlset>")[:-6]):
        parsed = parse_sitemap(data, max_bytes=1 << 20, max_locs=10)
        assert parsed.kind == "invalid" and parsed.error, data


def test_lastmod_values_are_checked_within_bounds():
    entries = ["2024-01-01", "2024-01-01T10:00:00+02:00", "2024-01-01T10:00Z", "2024",
               "2024-01-01T10:00:00",  # no zone: tolerated
               "01/02/2024", "2024-13-01", "2024-01-01 10:00:00", "yesterday",
               "2999-01-01", "2030-06-01T00:00:00Z"]
    body = "".join(f"<url><loc>https://e.com/{i}</loc><lastmod>{value}</lastmod></url>"
                   for i, value in enumerate(entries))
    body += "<url><loc>https://e.com/no-lastmod</loc></url>"
    now = datetime(2026, 1, 1, tzinfo=UTC)
    parsed = parse_sitemap(f"<urlset {NS}>{body}</urlset>".encode(), max_bytes=1 << 20,
                           max_locs=100, now=now)
    stats = parsed.lastmods
    assert stats.invalid == 4
    assert stats.invalid_examples[0] == ("https://e.com/5", "01/02/2024")
    assert stats.future == 2 and stats.future_examples[0] == ("https://e.com/9", "2999-01-01")
    assert len(parsed.locs) == len(entries) + 1
    assert parse_lastmod("2024-02-30") is None and parse_lastmod("2024-01-01T10:00+25:00") is None
    many = "".join(f"<url><loc>https://e.com/{i}</loc><lastmod>bad</lastmod></url>"
                   for i in range(50))
    parsed = parse_sitemap(f"<urlset {NS}>{many}</urlset>".encode(), max_bytes=1 << 20,
                           max_locs=100)
    assert parsed.lastmods.invalid == 50 and len(parsed.lastmods.invalid_examples) == MAX_EXAMPLES


def test_hreflang_alternates_and_file_level_facts_reach_the_result():
    xhtml = 'xmlns:xhtml="http://www.w3.org/1999/xhtml"'
    entry = ('<url><loc>BASE/en</loc><lastmod>2999-01-01</lastmod>'
             '<xhtml:link rel="alternate" hreflang="en" href="BASE/en"/>'
             '<xhtml:link rel="alternate" hreflang="de" href="BASE/de"/>'
             '<xhtml:link rel="stylesheet" hreflang="fr" href="BASE/fr"/></url>'
             '<url><loc>https://other.example/x</loc><lastmod>soon</lastmod></url>')
    routes = {"/sitemap.xml": f'<?xml version="1.0"?><urlset {NS} {xhtml}>{entry}</urlset>'}
    base, result = asyncio.run(discover(routes))
    assert result.hreflangs == {base + "/en": (("en", base + "/en"), ("de", base + "/de"))}
    [info] = result.sitemaps
    assert info.lastmod_future == 1 and info.lastmod_invalid == 1
    assert info.lastmod_invalid_examples == (("https://other.example/x", "soon"),)
    assert info.off_host_urls == 1 and info.off_host_examples == ("https://other.example/x",)
    assert not info.over_url_limit and not info.over_size_limit


def test_file_over_the_protocol_url_limit_is_recognised():
    routes = {"/sitemap.xml": urlset(*(f"BASE/p/{i}" for i in range(50_001)))}
    _, result = asyncio.run(discover(routes))
    [info] = result.sitemaps
    assert info.over_url_limit and len(result.urls) == 50_000 and result.url_cap_reached


@given(st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31),
                    timezones=st.sampled_from([UTC, None])))
def test_lastmod_round_trips_any_w3c_datetime(when):
    text = when.replace(microsecond=0).isoformat()
    if when.tzinfo is not None:
        text = text.replace("+00:00", "Z")
    assert parse_lastmod(text) == when.replace(microsecond=0, tzinfo=UTC)
    assert parse_lastmod(when.date().isoformat()) is not None


@given(st.text(max_size=40))
def test_lastmod_parser_never_raises(value):
    parse_lastmod(value)
