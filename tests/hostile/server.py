"""A misbehaving HTTP/1.1 server on 127.0.0.1, written on raw asyncio streams.

`http.server` and aiohttp.web are too polite to misbehave: they always send whole header
blocks, honest Content-Lengths and well-formed chunking. Here a route is a coroutine that
gets the parsed request and the raw socket writer and may do anything with it: dribble a
header one byte a second, lie about the length, stream a gigabyte, never answer.

The server runs its own event loop in a daemon thread, so synchronous callers (run_crawl,
the Django audit service, Celery eager tasks) and async ones can use it alike. It counts
requests per path and bytes written, so tests can prove the crawler hung up early.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

#: Body writes of streaming routes, in bytes.
CHUNK = 64 * 1024


@dataclass(slots=True)
class Request:
    method: str
    target: str
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> str:
        return urlsplit(self.target).query


class Conn:
    """The server side of one connection, handed to a route."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 server: HostileServer) -> None:
        self.reader = reader
        self.writer = writer
        self.server = server
        #: A route sets this to serve another request on the same connection.
        self.keep_alive = False

    async def send(self, data: bytes) -> None:
        """Write and flush; raises ConnectionError once the client has hung up."""
        self.writer.write(data)
        self.server.bytes_sent += len(data)
        await self.writer.drain()

    async def respond(self, body: bytes | str = b"", *, status: int = 200,
                      content_type: str = "text/html; charset=utf-8",
                      headers: dict[str, str] | None = None) -> None:
        """A complete, honest response (Connection: close)."""
        data = body.encode() if isinstance(body, str) else body
        await self.send(head(status, {"Content-Type": content_type,
                                      "Content-Length": str(len(data)), **(headers or {})})
                        + data)

    async def wait_for_hangup(self) -> None:
        """Read until the client closes the connection (a server that never answers)."""
        while await self.reader.read(CHUNK):
            pass


Route = Callable[[Request, Conn], Awaitable[None]]

_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 400: "Bad Request",
            404: "Not Found"}


def head(status: int, headers: dict[str, str]) -> bytes:
    """Status line and header block; Connection: close unless the caller says otherwise."""
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Whatever')}"]
    headers = {"Connection": "close", **headers}
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class HostileServer:
    """Serve `routes` (longest matching path prefix wins) on 127.0.0.1 in a thread."""

    def __init__(self, routes: dict[str, Route], *, host: str = "127.0.0.1",
                 ssl_context: ssl.SSLContext | None = None, reject_garbage: bool = True) -> None:
        self.routes = dict(sorted(routes.items(), key=lambda kv: -len(kv[0])))
        self.host = host
        self.ssl_context = ssl_context
        #: Answer bytes that are not HTTP (a TLS ClientHello) with a plain-text 400, as nginx
        #: does; False: say nothing and wait, which to a TLS client is a stalled handshake.
        self.reject_garbage = reject_garbage
        self.hits: Counter[str] = Counter()
        self.connections = 0
        self.bytes_sent = 0
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    @property
    def base_url(self) -> str:
        scheme = "https" if self.ssl_context else "http"
        return f"{scheme}://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> HostileServer:
        self._thread = threading.Thread(target=self._run, name="hostile-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(10) or not self.port:
            raise RuntimeError("hostile server did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._server is not None:
            self._loop.call_soon_threadsafe(self._shutdown)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._open())
            self._ready.set()
            self._loop.run_forever()
        finally:
            self._ready.set()  # start() then sees port 0 and reports the failure
            self._loop.close()

    async def _open(self) -> None:
        tls = {"ssl": self.ssl_context, "ssl_handshake_timeout": 10} if self.ssl_context else {}
        self._server = await asyncio.start_server(self._accept, self.host, 0, backlog=256,
                                                  **tls)
        self.port = self._server.sockets[0].getsockname()[1]

    def _shutdown(self) -> None:
        assert self._server is not None and self._loop is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        self._loop.call_later(0.05, self._loop.stop)

    # -- connections -------------------------------------------------------------------------
    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        try:
            conn = Conn(reader, writer, self)
            first = await reader.read(1)
            if first and not first.isalpha():  # not an HTTP request line
                if self.reject_garbage:
                    await conn.respond("not HTTP", status=400, content_type="text/plain")
                else:
                    await conn.wait_for_hangup()
                return
            while True:
                request = await _read_request(reader, first)
                first = b""
                if request is None:
                    return
                self.hits[request.path] += 1
                conn.keep_alive = False
                route = self._route(request.path)
                if route is None:
                    await conn.respond("not found", status=404, content_type="text/plain")
                else:
                    await route(request, conn)
                if not conn.keep_alive:
                    return
        except (ConnectionError, ssl.SSLError, TimeoutError, asyncio.IncompleteReadError,
                asyncio.CancelledError):
            pass
        finally:
            self._tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    def _route(self, path: str) -> Route | None:
        for prefix, route in self.routes.items():
            if path.startswith(prefix):
                return route
        return None


async def _read_request(reader: asyncio.StreamReader, first: bytes = b"") -> Request | None:
    try:
        raw = first + await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        return None
    lines = raw.decode("latin-1").split("\r\n")
    method, target, _ = ([*lines[0].split(" ", 2), "", ""])[:3]
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return Request(method, target, headers)


@contextlib.contextmanager
def serving(routes: dict[str, Route], **kwargs: object) -> Iterator[HostileServer]:
    with HostileServer(routes, **kwargs) as server:  # type: ignore[arg-type]
        yield server
