"""A tiny test web site on 127.0.0.1: routes map paths to canned (or hostile) responses."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes | str = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    #: Seconds to wait before answering.
    delay: float = 0.0
    #: Send the body one byte per `drip` seconds (a slow-drip server).
    drip: float = 0.0


Handler = Callable[[str], Route | None]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def html(title: str = "A page title that is long enough to pass", body: str = "",
         *, description: str = "A meta description that is long enough to be useful for "
                                "searchers deciding whether to click this page.",
         head: str = "", lang: str = "en", canonical: str | None = None) -> str:
    canon = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title><meta name=\"description\" content=\"{description}\">"
            f"{canon}{head}</head><body><h1>{title}</h1>{body}</body></html>")


@contextmanager
def serve(routes: dict[str, Route] | Handler) -> Iterator[str]:
    """Serve `routes` (or a function path -> Route) on a free port; yields the base URL."""
    lookup: Handler = routes.get if isinstance(routes, dict) else routes  # type: ignore[assignment]
    hits: dict[str, int] = {}

    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_HEAD(self) -> None:
            self.do_GET(head=True)

        def do_GET(self, head: bool = False) -> None:
            hits[self.path] = hits.get(self.path, 0) + 1
            route = lookup(self.path)
            if route is None:
                route = Route(body="not found", status=404,
                              headers={"Content-Type": "text/plain"})
            if route.delay:
                time.sleep(route.delay)
            body = route.body.encode() if isinstance(route.body, str) else route.body
            try:
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if head:
                    return
                if route.drip:
                    for i in range(len(body)):
                        self.wfile.write(body[i:i + 1])
                        self.wfile.flush()
                        time.sleep(route.drip)
                else:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    server = _Server(("127.0.0.1", 0), RequestHandler)
    server.hits = hits  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
