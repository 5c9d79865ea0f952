"""The hostile site: every misbehaviour of issue 12 behind one home page.

`hostile_routes()` maps paths to routes; `HOME_LINKS` are the pages the home page links to,
so one crawl meets them all. Tests also serve subsets of it.
"""

from __future__ import annotations

from . import routes as R
from .server import Route

#: Binary bytes that look like nothing a parser knows (PNG magic, NULs, high bytes).
BINARY = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64
#: HTML nested 100,000 elements deep.
DEEP_HTML = ("<!doctype html><html><head><title>Deep</title></head><body>"
             + "<div>" * 100_000 + "bottom" + "</div>" * 100_000 + "</body></html>")
NUL_HTML = ("<!doctype html><html><head><title>N\x00U\x00L</title></head><body><p>a\x00b</p>"
            + "\x00" * 10_000 + '<a href="/ok/\x00x">nul link</a></body></html>')

#: name -> (path, route) of the page-level cases (the home page links to each path; a route
#: answers every path it is a prefix of).
PAGE_CASES: dict[str, tuple[str, Route]] = {
    "endless_redirect": ("/r/", R.endless_redirects("/r/")),
    "redirect_loop": ("/loop/a", R.redirect("/loop/b")),
    "redirect_stalled_body": ("/moved/stalled", R.redirect_with_stalled_body("/ok/moved")),
    "slow_headers": ("/slow/headers", R.slow_headers(1.0)),
    "slow_body": ("/slow/body", R.slow_body(0.5)),
    "endless_chunked": ("/endless/chunked", R.endless_chunked()),
    "endless_chunked_slow": ("/endless/slow", R.endless_chunked(0.2)),
    "silent": ("/silent", R.silent()),
    "length_longer_stall": ("/length/longer-stall", R.length_longer(then_close=False)),
    "length_longer_close": ("/length/longer-close", R.length_longer(then_close=True)),
    "length_shorter": ("/length/shorter", R.length_shorter("/smuggled")),
    "gigabyte_announced": ("/gigabyte/announced", R.gigabyte(announce=True)),
    "gigabyte_streamed": ("/gigabyte/streamed", R.gigabyte(announce=False)),
    "gzip_bomb": ("/bomb/gzip", R.bomb(R.gzip_bomb_bytes(), "gzip")),
    "brotli_bomb": ("/bomb/br", R.bomb(R.brotli_bomb_bytes(), "br")),
    "double_gzip_bomb": ("/bomb/gzip-gzip", R.bomb(R.gzip_bomb_bytes(wrap=2), "gzip, gzip")),
    "html_as_png": ("/types/html-as-png", R.html(R.page("Served as PNG", "html really"),
                                                 content_type="image/png")),
    "binary_as_html": ("/types/binary-as-html", R.html(BINARY)),
    "bad_charset": ("/types/bad-charset", R.html(R.page("Bad charset \u00e9t\u00e9").encode(),
                                                 content_type="text/html; charset=x-no-such")),
    "nul_bytes": ("/types/nul", R.html(NUL_HTML)),
    "deep_nesting": ("/types/deep", R.html(DEEP_HTML)),
}
EXTRA_ROUTES: dict[str, Route] = {
    "/loop/b": R.redirect("/loop/a"),
    "/smuggled": R.html(R.page("Smuggled", "a client that reads this was fooled")),
    "/ok/": R.html(R.page("An ordinary page", "nothing to see")),
}


def hostile_routes(cases: tuple[str, ...] | None = None, *, robots: Route | None = None,
                   extra_links: tuple[str, ...] = ()) -> dict[str, Route]:
    """Routes for `cases` (all when None) plus a home page linking to them."""
    chosen = {name: PAGE_CASES[name] for name in (cases or tuple(PAGE_CASES))}
    links = tuple(path for path, _ in chosen.values()) + extra_links
    routes: dict[str, Route] = {path: route for path, route in chosen.values()}
    routes.update(EXTRA_ROUTES)
    routes["/robots.txt"] = robots or R.html("User-agent: *\nAllow: /\n",
                                             content_type="text/plain")
    routes["/sitemap.xml"] = R.html("", status=404, content_type="text/plain")
    home = R.html(R.page("Hostile home", "a site that misbehaves in every way", links=links))
    routes["/index"] = home

    async def root(request, conn):  # exactly "/" (every path starts with "/")
        if request.path == "/":
            await home(request, conn)
        else:
            await conn.respond("not found", status=404, content_type="text/plain")
    routes["/"] = root
    return routes


def billion_url_routes(index_size: int = 20_000) -> dict[str, Route]:
    """A site of two linked pages whose robots.txt names a sitemap index of `index_size`
    sitemaps of 50,000 generated URLs each (generated as they are asked for)."""
    return {
        "/": R.html(R.page("Home", "one link", links=("/p/1", "/p/2"))),
        "/p/": R.html(R.page("A page", "nothing else")),
        "/robots.txt": R.html("Sitemap: /sitemap-index.xml\n", content_type="text/plain"),
        "/sitemap-index.xml": R.sitemap_index("/sitemaps/", index_size),
        "/sitemaps/": R.huge_sitemap("/generated/", 50_000),
        "/generated/": R.html(R.page("Generated", "one of a billion")),
    }


def tarpit_routes(page_seconds: float, fanout: int = 20) -> dict[str, Route]:
    """An endless link maze whose every page takes `page_seconds` (under its timeout)."""
    return {"/": R.delayed(R.link_maze("/room/", fanout=fanout), page_seconds),
            "/robots.txt": R.html("", status=404), "/sitemap.xml": R.html("", status=404)}


def normal_routes(pages: int) -> dict[str, Route]:
    """A well-behaved site of `pages` pages: a home page linking to the others."""
    return {"/": R.html(R.page("Normal home", "a normal site",
                               links=tuple(f"/n/{i}" for i in range(pages - 1)))),
            "/n/": R.html(R.page("Normal page", "text")),
            "/robots.txt": R.html("User-agent: *\nAllow: /\n", content_type="text/plain"),
            "/sitemap.xml": R.html("", status=404)}
