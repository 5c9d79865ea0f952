"""Fetcher against real servers on loopback: guard, errors, caps, retries, redirects, politeness."""

from __future__ import annotations

import asyncio
import functools
import gzip
import ipaddress
import itertools
import time
import tracemalloc
import zlib

import brotli
from aiohttp import web

from audits.engine.fetch import Fetcher, fetch_once, parse_retry_after
from audits.engine.netguard import AddressGuard
from tests.engine.aioserver import (
    StaticResolver,
    closed_port,
    options,
    self_signed_context,
    serve,
    text,
)

MB = 1024 * 1024
#: Plays "the public internet" in redirect tests: 127.0.0.1 is trusted, the rest of 127/8 is not.
TEST_GUARD = AddressGuard(trusted_networks=(ipaddress.ip_network("127.0.0.1/32"),))


def run(coro):
    return asyncio.run(coro)


async def fetch(url: str, *, guard: AddressGuard | None = None, resolver=None, **kw):
    fetch_kw = {k: kw.pop(k) for k in ("max_bytes", "keep_prefix", "follow_redirects") if k in kw}
    async with Fetcher(options(**kw), guard=guard, resolver=resolver) as fetcher:
        return await fetcher.fetch(url, **fetch_kw)


def counting(handler):
    """Wrap a handler so the test can see how often it was called."""
    async def wrapped(request):
        wrapped.hits += 1
        return await handler(request)
    wrapped.hits = 0
    return wrapped


# -- SSRF -----------------------------------------------------------------------------------

def test_loopback_refused_without_allow_private():
    async def main():
        page = counting(text("secret"))
        async with serve({"/": page}) as base:
            result = await fetch(base + "/", allow_private=False)
        assert result.error == "ssrf_blocked"
        assert result.status == 0 and page.hits == 0
        assert result.error_detail == (f"refused to fetch {base}/: 127.0.0.1 is a loopback address "
                                       "(use --allow-private to audit private networks)")
    run(main())


def test_localhost_name_refused_by_the_resolver():
    async def main():
        page = counting(text("secret"))
        async with serve({"/": page}) as base:
            result = await fetch(base.replace("127.0.0.1", "localhost") + "/", allow_private=False)
        assert result.error == "ssrf_blocked", result.error_detail
        assert "localhost resolves to" in result.error_detail and "loopback" in result.error_detail
        assert page.hits == 0
    run(main())


def test_metadata_and_mapped_literals_refused():
    async def main():
        for url in ("http://169.254.169.254/latest/meta-data/", "http://[::ffff:127.0.0.1]/",
                    "http://[::1]:8080/", "http://10.0.0.1/", "http://2130706433/"):
            result = await fetch(url, allow_private=False)
            assert result.error == "ssrf_blocked", (url, result.error, result.error_detail)
            assert "--allow-private" in result.error_detail
    run(main())


def test_redirect_from_public_to_private_is_refused():
    async def main():
        inside = counting(text("internal admin"))
        async with serve({"/": inside}, host="127.0.0.2") as private_base:
            private_port = private_base.rsplit(":", 1)[1]
            routes = {
                "/literal": text("", status=302, Location=private_base + "/"),
                "/name": text("", status=302, Location=f"http://internal.test:{private_port}/"),
                "/mixed": text("", status=301, Location=f"http://mixed.test:{private_port}/"),
            }
            async with serve(routes) as public_base:
                public_port = public_base.rsplit(":", 1)[1]
                resolver = StaticResolver({"internal.test": ["127.0.0.2"],
                                           "mixed.test": ["127.0.0.1", "127.0.0.2"],
                                           "public.test": ["127.0.0.1"]})
                kw = dict(guard=TEST_GUARD, resolver=resolver, allow_private=False)
                literal = await fetch(public_base + "/literal", **kw)
                by_name = await fetch(public_base + "/name", **kw)
                mixed = await fetch(public_base + "/mixed", **kw)
                first_hop_by_name = await fetch(f"http://public.test:{public_port}/literal", **kw)
                # The control: with private networks allowed the same redirect does arrive.
                control = await fetch(public_base + "/literal")
        for result in (literal, by_name, mixed, first_hop_by_name):
            assert result.error == "ssrf_blocked", result
            assert len(result.redirect_chain) == 1 and result.redirect_chain[0].status in (301, 302)
        assert "127.0.0.2 is a loopback address" in literal.error_detail
        assert "internal.test resolves to 127.0.0.2" in by_name.error_detail
        assert "mixed.test resolves to 127.0.0.2" in mixed.error_detail
        assert literal.final_url == private_base + "/"
        assert control.status == 200 and control.body == b"internal admin"
        assert inside.hits == 1  # only the control reached the private server
    run(main())


def test_low_ports_refused_for_public_hosts():
    async def main():
        result = await fetch("http://127.0.0.1:25/", guard=TEST_GUARD, allow_private=False)
        assert result.error == "ssrf_blocked"
        assert "port 25 is not allowed" in result.error_detail
    run(main())


# -- network errors -------------------------------------------------------------------------

def test_unresolvable_host_is_a_fast_dns_error():
    started = time.perf_counter()
    result = run(fetch("http://no-such-host.invalid/", allow_private=False))
    assert result.error == "dns" and result.status == 0
    assert "no-such-host.invalid" in result.error_detail
    assert time.perf_counter() - started < 2


def test_connection_refused():
    port = closed_port()
    result = run(fetch(f"http://127.0.0.1:{port}/"))
    assert result.error == "connection_refused"
    assert f"127.0.0.1:{port}" in result.error_detail
    assert result.attempts == 1  # not retried


def test_bad_certificate_is_a_tls_error(tmp_path):
    async def main():
        async with serve({"/": text("hi")}, ssl_context=self_signed_context(tmp_path)) as base:
            return await fetch(base + "/")
    result = run(main())
    assert result.error == "tls", result.error_detail
    assert "certificate" in result.error_detail


def test_invalid_and_unsupported_urls():
    async def main():
        async with Fetcher(options()) as fetcher:
            return [await fetcher.fetch(u) for u in ("ftp://example.com/", "not a url",
                                                     "javascript:alert(1)", "http://[::1/")]
    ftp, junk, js, broken = run(main())
    assert ftp.error == js.error == "unsupported_scheme"
    assert junk.error == broken.error == "invalid_url"


def test_slow_drip_is_bounded_by_total_timeout():
    async def drip(request):
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        response.content_length = 1000
        await response.prepare(request)
        try:
            for _ in range(1000):
                await response.write(b"x")
                await asyncio.sleep(0.1)
        except ConnectionError:
            pass
        return response

    async def main():
        async with serve({"/": drip}) as base:
            started = time.perf_counter()
            result = await fetch(base + "/", total_timeout=1.0, read_timeout=0.5)
            return result, time.perf_counter() - started
    result, took = run(main())
    assert result.error == "timeout", result
    assert 0.9 < took < 2.5


# -- bodies ---------------------------------------------------------------------------------

def test_response_fields_and_repeated_headers():
    async def page(request):
        response = web.Response(body=b"<html>ok</html>", content_type="text/html", charset="utf-8")
        response.headers.add("X-Robots-Tag", "noindex")
        response.headers.add("X-Robots-Tag", "googlebot: nofollow")
        return response

    async def main():
        async with serve({"/": page}) as base:
            return base, await fetch(base + "/")
    base, result = run(main())
    assert result.error is None and result.status == 200
    assert result.requested_url == result.final_url == base + "/"
    assert result.body == b"<html>ok</html>" and result.size == 15 and not result.truncated
    assert result.content_type == "text/html; charset=utf-8" and result.is_html
    assert result.header_all("x-robots-tag") == ["noindex", "googlebot: nofollow"]
    assert all(name == name.lower() for name, _ in result.headers)
    assert 0 < result.ttfb_ms <= result.elapsed_ms


def test_big_page_is_not_kept():
    big = b"x" * (10 * MB)

    async def streamed(request):
        response = web.StreamResponse()  # chunked: no Content-Length to warn us
        await response.prepare(request)
        chunk = b"y" * 65536
        try:
            for _ in range(160):
                await response.write(chunk)
        except ConnectionError:
            pass
        return response

    async def main():
        async with serve({"/announced": text(big, content_type="text/html"),
                          "/streamed": streamed}) as base:
            announced = await fetch(base + "/announced", max_bytes=MB)
            tracemalloc.start()
            streamed_result = await fetch(base + "/streamed", max_bytes=MB)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            prefix = await fetch(base + "/announced", max_bytes=MB, keep_prefix=True)
            return announced, streamed_result, peak, prefix
    announced, streamed_result, peak, prefix = run(main())
    assert announced.truncated and announced.body is None and announced.size == 10 * MB
    assert streamed_result.truncated and streamed_result.body is None
    assert MB < streamed_result.size < 2 * MB
    assert peak < 6 * MB, peak
    assert prefix.truncated and prefix.body == b"x" * MB


def test_gzip_and_brotli_are_decoded():
    html = b"<html>" + b"compressible " * 1000 + b"</html>"

    async def main():
        async with serve({
            "/gz": text(gzip.compress(html), content_type="text/html", **{"Content-Encoding": "gzip"}),
            "/br": text(brotli.compress(html), content_type="text/html", **{"Content-Encoding": "br"}),
        }) as base:
            return await fetch(base + "/gz"), await fetch(base + "/br")
    for result in run(main()):
        assert result.error is None and result.body == html and result.size == len(html)


@functools.cache
def _bomb() -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    zeros = b"\0" * MB
    return b"".join([*(compressor.compress(zeros) for _ in range(64)), compressor.flush()])


def test_gzip_bomb_stops_at_the_decompressed_cap():
    async def main():
        async with serve({"/": text(_bomb(), content_type="text/html",
                                    **{"Content-Encoding": "gzip"})}) as base:
            tracemalloc.start()
            result = await fetch(base + "/", max_bytes=MB)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            return result, peak
    result, peak = run(main())
    assert len(_bomb()) < MB  # the compressed response itself is small
    assert result.truncated and result.body is None
    assert MB < result.size < 4 * MB
    assert peak < 8 * MB, peak


def test_deflate_variants_and_concatenated_gzip_are_decoded():
    """Whatever zlib backend aiohttp was given (fetch.ZLIB_BACKEND), every encoding a server
    may send decodes to the same bytes."""
    html = ("<!doctype html><title>t</title>" + "<p>some text</p>" * 5000).encode()
    raw = zlib.compressobj(6, zlib.DEFLATED, -15)
    encodings = {
        "/zlib": (zlib.compress(html), "deflate"),
        "/raw": (raw.compress(html) + raw.flush(), "deflate"),
        "/members": (gzip.compress(html[:40000]) + gzip.compress(html[40000:]), "gzip"),
    }

    async def main():
        async with serve({path: text(body, content_type="text/html",
                                     **{"Content-Encoding": encoding})
                          for path, (body, encoding) in encodings.items()}) as base:
            return [await fetch(base + path) for path in encodings]
    for result in run(main()):
        assert result.error is None and result.body == html and result.size == len(html)


# -- retries --------------------------------------------------------------------------------

def test_429_with_retry_after_then_success():
    calls = []

    async def flaky(request):
        calls.append(time.perf_counter())
        if len(calls) == 1:
            return web.Response(status=429, headers={"Retry-After": "1"}, text="slow down")
        return web.Response(text="welcome back")

    async def main():
        async with serve({"/": flaky}) as base:
            return await fetch(base + "/", max_retry_wait=2.0)
    result = run(main())
    assert result.status == 200 and result.body == b"welcome back" and result.attempts == 2
    assert calls[1] - calls[0] >= 0.95


def test_retry_after_longer_than_allowed_is_not_awaited():
    async def main():
        page = counting(text("busy", status=503, **{"Retry-After": "3600"}))
        async with serve({"/": page}) as base:
            return await fetch(base + "/", max_retry_wait=1.0), page.hits
    result, hits = run(main())
    assert result.status == 503 and result.attempts == 1 and hits == 1
    assert "3600" in result.error_detail


def test_503_forever_gives_up_after_max_retries():
    async def main():
        page = counting(text("down", status=503))
        async with serve({"/": page}) as base:
            return await fetch(base + "/", max_retries=2, max_retry_wait=0.05), page.hits
    result, hits = run(main())
    assert result.status == 503 and result.error is None
    assert result.attempts == 3 and hits == 3
    assert result.body == b"down"  # the last answer is kept like any page


def test_dropped_connection_is_retried():
    attempts = []

    async def handle(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        attempts.append(1)
        # aiohttp itself retries a dropped idempotent request once; the third try is ours.
        if len(attempts) > 2:
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            await writer.drain()
        writer.close()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            return await fetch(f"http://127.0.0.1:{port}/", max_retry_wait=0.05)
    result = run(main())
    assert result.status == 200 and result.body == b"ok" and result.attempts == 2
    assert len(attempts) == 3


def test_parse_retry_after():
    assert parse_retry_after("120") == 120
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # in the past
    assert 3500 < parse_retry_after(time.strftime("%a, %d %b %Y %H:%M:%S GMT",
                                                  time.gmtime(time.time() + 3600))) <= 3600
    assert parse_retry_after("soon") is None


# -- redirects ------------------------------------------------------------------------------

def test_redirect_chain_is_recorded_and_resolved():
    async def main():
        async with serve({
            "/old/page": text("", status=301, Location="../new/page?x=1"),
            "/new/page": text("", status=302, Location="/final"),
            "/final": text("<p>done</p>", content_type="text/html"),
        }) as base:
            return base, await fetch(base + "/old/page")
    base, result = run(main())
    assert result.status == 200 and result.body == b"<p>done</p>"
    assert result.final_url == base + "/final"
    assert [(h.url, h.status, h.location) for h in result.redirect_chain] == [
        (base + "/old/page", 301, base + "/new/page?x=1"),
        (base + "/new/page?x=1", 302, base + "/final"),
    ]


def test_redirect_loop_and_endless_chain():
    async def numbered(request):
        if request.path.startswith("/n/"):
            return web.Response(status=301, headers={"Location": f"/n/{int(request.path[3:]) + 1}"})
        return web.Response(status=404)

    async def main():
        async with serve({"/a": text("", status=302, Location="/b"),
                          "/b": text("", status=302, Location="/a")}) as base:
            loop = await fetch(base + "/a")
        async with serve(numbered) as base:
            endless = await fetch(base + "/n/0", max_redirects=5)
        return loop, endless
    loop, endless = run(main())
    assert loop.error == "redirect_loop" and loop.status == 302
    assert [h.url.rsplit("/", 1)[1] for h in loop.redirect_chain] == ["a", "b"]
    assert loop.redirect_chain[-1].location.endswith("/a")
    assert endless.error == "too_many_redirects"
    assert len(endless.redirect_chain) == 6 and "more than 5" in endless.error_detail


def test_odd_redirects():
    async def main():
        async with serve({
            "/nowhere": text("moved", status=302),
            "/ftp": text("", status=301, Location="ftp://files.example.com/x"),
            "/one": text("", status=301, Location="/two"),
            "/two": text("ok"),
        }) as base:
            return (await fetch(base + "/nowhere"), await fetch(base + "/ftp"),
                    await fetch(base + "/one", follow_redirects=False))
    nowhere, ftp, unfollowed = run(main())
    assert nowhere.status == 302 and nowhere.error is None
    assert "without a Location" in nowhere.error_detail
    assert ftp.error == "unsupported_scheme" and ftp.status == 301
    assert ftp.redirect_chain[0].location == "ftp://files.example.com/x"
    assert unfollowed.status == 301 and unfollowed.redirect_chain == ()
    assert unfollowed.header("location") == "/two"


# -- politeness -----------------------------------------------------------------------------

def test_per_host_concurrency_is_respected():
    state = {"now": 0, "peak": 0}

    async def slow(request):
        state["now"] += 1
        state["peak"] = max(state["peak"], state["now"])
        await asyncio.sleep(0.05)
        state["now"] -= 1
        return web.Response(text="ok")

    async def main():
        async with serve({"/": slow}) as base:
            async with Fetcher(options(per_host_concurrency=3, global_concurrency=32)) as fetcher:
                return await asyncio.gather(*(fetcher.fetch(f"{base}/?{i}") for i in range(12)))
    results = run(main())
    assert all(r.status == 200 for r in results)
    assert state["peak"] == 3


def test_crawl_delay_spaces_requests():
    starts = []

    async def page(request):
        starts.append(time.perf_counter())
        return web.Response(text="ok")

    async def main():
        async with serve({"/": page}) as base:
            async with Fetcher(options()) as fetcher:
                fetcher.set_crawl_delay("127.0.0.1", 0.2)
                results = await asyncio.gather(*(fetcher.fetch(f"{base}/?{i}") for i in range(3)))
        return results
    results = run(main())
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert all(gap >= 0.18 for gap in gaps), gaps
    # Waiting our turn is politeness, not server slowness.
    assert all(r.elapsed_ms < 150 for r in results)


def test_fetch_once():
    async def main():
        async with serve({"/": text("once")}) as base:
            return await fetch_once(base + "/", options())
    assert run(main()).body == b"once"
