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
    "length_longer_stall": ("/length/longer-stall", R.length_longer_then_stall()),
    "length_longer_close": ("/length/longer-close", R.length_longer_then_close()),
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
