"""A generated multi-page site on 127.0.0.1 for distributed-crawl tests, which records how
many requests it served at once (per-host politeness across workers)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.sites import html


@dataclass
class SiteStats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    active: int = 0
    max_active: int = 0
    hits: Counter[str] = field(default_factory=Counter)

    def enter(self, path: str) -> None:
        with self.lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
            self.hits[path] += 1

    def leave(self) -> None:
        with self.lock:
            self.active -= 1


class GeneratedSite:
    """`pages` articles in a 10-ary tree under /p/<i> (reachable from / in a few clicks), with
    previous/next links, some pages without a description, duplicate titles, broken links,
    redirects (/old/<i> -> /p/<i>) and sitemap-only orphans, so the checks find things."""

    def __init__(self, pages: int, *, delay: float = 0.0, orphans: int = 3) -> None:
        self.pages, self.delay, self.orphans = pages, delay, orphans

    def route(self, path: str, origin: str) -> tuple[int, dict[str, str], str]:
        page_html = {"Content-Type": "text/html; charset=utf-8"}
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, (
                f"User-agent: *\nDisallow: /private/\nSitemap: {origin}/sitemap.xml\n")
        if path == "/sitemap.xml":
            urls = [f"{origin}/p/{i}" for i in range(1, self.pages + 1, 7)]
            urls += [f"{origin}/orphan/{i}" for i in range(1, self.orphans + 1)]
            body = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
            return 200, {"Content-Type": "application/xml"}, (
                '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"{body}</urlset>")
        if path == "/":
            return 200, page_html, self._page(0)
        if path.startswith("/old/"):
            return 301, {"Location": f"/p/{path[5:]}", "Content-Type": "text/plain"}, ""
        if path.startswith("/orphan/"):
            return 200, page_html, html(f"Orphan page {path[8:]} found only in the sitemap file",
                                        '<p>Nobody links here.</p><a href="/">home</a>')
        if path.startswith("/p/"):
            try:
                number = int(path[3:])
            except ValueError:
                number = 0
            if 1 <= number <= self.pages:
                return 200, page_html, self._page(number)
        return 404, {"Content-Type": "text/plain"}, "not found"

    def _page(self, i: int) -> str:
        links = [f"/p/{c}" for c in range(10 * i + 1, 10 * i + 11) if c <= self.pages]
        if i:
            links += ["/", f"/p/{i // 10}" if i >= 10 else "/", f"/p/{i - 1}" if i > 1 else "/",
                      f"/p/{i + 1}" if i < self.pages else "/"]
        if i and i % 40 == 0:
            links.append(f"/missing/{i}")
        if i and i % 35 == 0:
            links.append(f"/old/{i + 3}" if i + 3 <= self.pages else "/old/1")
        if i % 25 == 0:
            links.append("/private/secret")
        anchors = "".join(f'<li><a href="{href}">Link to {href}</a></li>' for href in links)
        body = (f"<p>Article number {i} of the generated site, with a few words of text so "
                f"that the page is not thin content. {' lorem ipsum dolor' * 30}</p>"
                f'<ul>{anchors}</ul><a href="https://example.com/ref/{i % 5}">source</a>')
        title = f"Generated article number {i} in the test site" if i % 50 else \
            "A title that several generated articles share"
        if i % 30 == 7:
            return html(title, body, description="")
        return html(title, body)


@contextmanager
def serve_site(site: GeneratedSite) -> Iterator[tuple[str, SiteStats]]:
    stats = SiteStats()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_HEAD(self) -> None:
            self.do_GET(head=True)

        def do_GET(self, head: bool = False) -> None:
            stats.enter(self.path)
            try:
                if site.delay:
                    time.sleep(site.delay)
                origin = f"http://{self.headers.get('Host', '127.0.0.1')}"
                status, headers, text = site.route(self.path, origin)
            finally:
                # Counted as served before the response goes out: once the client has the
                # bytes it may send its next request before this thread runs again.
                stats.leave()
            body = text.encode()
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        allow_reuse_address = True
        request_queue_size = 128

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", stats
    finally:
        server.shutdown()
        server.server_close()
