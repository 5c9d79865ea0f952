"""Small real HTTP(S) servers on loopback for the fetch/robots/sitemaps tests.

The servers run in the test's own event loop (aiohttp.web), so a test is one
`asyncio.run(main())` that starts servers, fetches from them and stops them.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from audits.engine.types import CrawlOptions

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def options(url: str = "http://127.0.0.1/", **kwargs) -> CrawlOptions:
    """Crawl options for loopback tests: private networks allowed, short timeouts, no
    Chromium render sample."""
    defaults = dict(allow_private=True, connect_timeout=2.0, read_timeout=3.0,
                    total_timeout=5.0, max_retry_wait=1.0, js_render_sample=0,
                    pagespeed_sample=0)
    defaults.update(kwargs)
    return CrawlOptions(start_url=url, **defaults)


def text(body: str | bytes, status: int = 200, content_type: str = "text/plain",
         **headers: str) -> Handler:
    """A handler answering with a fixed body."""
    data = body.encode() if isinstance(body, str) else body

    async def handle(request: web.Request) -> web.StreamResponse:
        return web.Response(body=data, status=status,
                            headers={"Content-Type": content_type, **headers})
    return handle


@asynccontextmanager
async def serve(routes: dict[str, Handler] | Handler, *, host: str = "127.0.0.1",
                ssl_context: ssl.SSLContext | None = None) -> AsyncIterator[str]:
    """Serve `routes` (path -> handler, or one handler for every path); yield the base URL."""
    async def dispatch(request: web.Request) -> web.StreamResponse:
        if callable(routes):
            return await routes(request)
        handler = routes.get(request.path)
        if handler is None:
            return web.Response(status=404, text="not found")
        return await handler(request)

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", dispatch)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, 0, ssl_context=ssl_context)
    await site.start()
    port = runner.addresses[0][1]
    scheme = "https" if ssl_context else "http"
    try:
        yield f"{scheme}://{host}:{port}"
    finally:
        await runner.cleanup()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed_context(tmp_path: Path) -> ssl.SSLContext:
    """A server TLS context with a throw-away self-signed certificate (openssl CLI)."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


class StaticResolver(AbstractResolver):
    """A DNS stand-in: fixed name -> addresses table (like a hosts file the test owns)."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        if host not in self.table:
            raise OSError(None, f"{host}: name not in the test table")
        return [{"hostname": host, "host": ip, "port": port,
                 "family": socket.AF_INET6 if ":" in ip else socket.AF_INET,
                 "proto": 0, "flags": socket.AI_NUMERICHOST} for ip in self.table[host]]

    async def close(self) -> None:
        return None
