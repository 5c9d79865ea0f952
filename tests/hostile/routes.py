"""The misbehaviours: one route factory per hostile case of issue 12.

Every factory returns a `server.Route`. Sizes are real: the gigabyte body is a gigabyte
(streamed from a generator, never held by the server), the gzip bomb expands to a gigabyte.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import struct
import zlib

import brotli

from .server import CHUNK, Conn, Request, Route, head

GIB = 1024 ** 3


def page(title: str, body: str = "", *, links: tuple[str, ...] = ()) -> str:
    """A small valid HTML page (enough text that it is not flagged as thin for no reason)."""
    anchors = "".join(f'<a href="{href}">{href}</a> ' for href in links)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta name="description" content="{title}: a page of the hostile test site">'
            f"</head><body><h1>{title}</h1><p>{body}</p><nav>{anchors}</nav></body></html>")


def html(body: str | bytes, *, status: int = 200, content_type: str = "text/html; charset=utf-8",
         headers: dict[str, str] | None = None) -> Route:
    async def route(request: Request, conn: Conn) -> None:
        await conn.respond(body, status=status, content_type=content_type, headers=headers)
    return route


# -- redirects and mazes ---------------------------------------------------------------------

def endless_redirects(prefix: str) -> Route:
    """/r/1 -> /r/2 -> /r/3 -> ... for ever."""
    async def route(request: Request, conn: Conn) -> None:
        tail = request.path[len(prefix):]
        n = int(tail) if tail.isdigit() else 0
        await conn.respond(b"", status=302, headers={"Location": f"{prefix}{n + 1}"})
    return route


def redirect(location: str, status: int = 301) -> Route:
    async def route(request: Request, conn: Conn) -> None:
        await conn.respond(b"", status=status, headers={"Location": location})
    return route


def redirect_with_stalled_body(location: str) -> Route:
    """A 301 announcing a body it never sends (the connection stays open)."""
    async def route(request: Request, conn: Conn) -> None:
        await conn.send(head(301, {"Location": location, "Content-Length": "1000"}) + b"Moved")
        await conn.wait_for_hangup()
    return route


def link_maze(prefix: str, fanout: int = 50) -> Route:
    """Every page links to `fanout` new pages, deeper and deeper: an infinite site."""
    async def route(request: Request, conn: Conn) -> None:
        seed = request.path.encode()
        links = tuple(f"{prefix}{hashlib.sha1(seed + bytes([i])).hexdigest()[:12]}"
                      for i in range(fanout))
        await conn.respond(page(f"Maze room {request.path[-12:]}", "twisty little passages",
                                links=links))
    return route


def link_flood(links: int, pad: int, fanout: int = 20) -> Route:
    """A maze page that also links to `links` unique URLs `pad` characters longer than the
    usual: thousands of trap links per page (calendar-like, or over the URL length limit)."""
    async def route(request: Request, conn: Conn) -> None:
        seed = hashlib.sha1(request.path.encode()).hexdigest()[:10]
        maze = tuple(f"/m/{seed}{i}" for i in range(fanout))
        filler = "x" * pad
        flood = "".join(f'<a href="/c?d={seed}-{i}{filler}">d</a>' for i in range(links))
        await conn.respond(page("Flood", "links", links=maze).replace("</body>",
                                                                      flood + "</body>"))
    return route


def calendar(path: str) -> Route:
    """A calendar with unbounded query parameters: every day links the next and previous
    day, month and year, and a few filters on top."""
    async def route(request: Request, conn: Conn) -> None:
        params = dict(p.partition("=")[::2] for p in request.query.split("&") if p)
        day = int(params.get("d", "0") or 0)
        links = tuple(f"{path}?d={day + step}&view={view}"
                      for step in (-365, -30, -1, 1, 30, 365) for view in ("day", "week"))
        await conn.respond(page(f"Calendar day {day}", "events on this day", links=links))
    return route


# -- a million URLs: sitemaps --------------------------------------------------------------------

def sitemap_index(prefix: str, count: int) -> Route:
    """A sitemap index naming `count` sitemaps (far more than any crawler should read). The
    names carry the index's own name, so indexes served under `prefix` name new ones."""
    async def route(request: Request, conn: Conn) -> None:
        host = request.headers.get("host", "")
        parent = request.path.rsplit("/", 1)[-1].removesuffix(".xml")
        entries = "".join(f"<sitemap><loc>http://{host}{prefix}{parent}-{i}.xml</loc></sitemap>"
                          for i in range(count))
        await conn.respond('<?xml version="1.0" encoding="UTF-8"?><sitemapindex '
                           'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                           f"{entries}</sitemapindex>", content_type="application/xml")
    return route


def huge_sitemap(url_prefix: str, urls: int) -> Route:
    """A urlset of `urls` generated URLs, streamed (chunked) as it is generated."""
    async def route(request: Request, conn: Conn) -> None:
        host = request.headers.get("host", "")
        number = request.path.rsplit("/", 1)[-1].split(".")[0]
        await conn.send(head(200, {"Content-Type": "application/xml",
                                   "Transfer-Encoding": "chunked"}))
        await _send_chunk(conn, b'<?xml version="1.0" encoding="UTF-8"?><urlset '
                                b'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
        step = 1000
        for start in range(0, urls, step):
            block = "".join(f"<url><loc>http://{host}{url_prefix}{number}-{i}</loc></url>"
                            for i in range(start, min(urls, start + step)))
            await _send_chunk(conn, block.encode())
        await _send_chunk(conn, b"</urlset>")
        await conn.send(b"0\r\n\r\n")
    return route


async def _send_chunk(conn: Conn, data: bytes) -> None:
    await conn.send(b"%x\r\n%s\r\n" % (len(data), data))


# -- slow and endless --------------------------------------------------------------------------

def slow_headers(interval: float = 1.0) -> Route:
    """Slowloris: the header block one byte per `interval` seconds."""
    async def route(request: Request, conn: Conn) -> None:
        data = head(200, {"Content-Type": "text/html", "Content-Length": "20",
                          "X-Padding": "p" * 200})
        for i in range(len(data)):
            await conn.send(data[i:i + 1])
            await asyncio.sleep(interval)
    return route


def slow_body(interval: float = 0.5, length: int = 10_000) -> Route:
    """Headers at once, then the body one byte per `interval` seconds."""
    async def route(request: Request, conn: Conn) -> None:
        await conn.send(head(200, {"Content-Type": "text/html", "Content-Length": str(length)}))
        for _ in range(length):
            await conn.send(b"x")
            await asyncio.sleep(interval)
    return route


def endless_chunked(pause: float = 0.0) -> Route:
    """A chunked body that never ends (HTML-looking, so a parser would try it)."""
    async def route(request: Request, conn: Conn) -> None:
        await conn.send(head(200, {"Content-Type": "text/html; charset=utf-8",
                                   "Transfer-Encoding": "chunked"}))
        await _send_chunk(conn, b"<!doctype html><html><head><title>Endless</title></head><body>")
        block = b"<p>and on and on</p>" * (CHUNK // 20)
        while True:
            await _send_chunk(conn, block)
            if pause:
                await asyncio.sleep(pause)
            else:
                await asyncio.sleep(0)
    return route


def silent() -> Route:
    """Accepts the request and never answers."""
    async def route(request: Request, conn: Conn) -> None:
        await conn.wait_for_hangup()
    return route


def length_longer(*, then_close: bool) -> Route:
    """Announces 100,000 bytes, sends 1,000, then closes or keeps the connection open."""
    async def route(request: Request, conn: Conn) -> None:
        await conn.send(head(200, {"Content-Type": "text/html", "Content-Length": "100000"})
                        + b"<html>" + b"a" * 994)
        if not then_close:
            await conn.wait_for_hangup()
    return route


def delayed(inner: Route, seconds: float) -> Route:
    """`inner`, answering after `seconds` (a tarpit page: slow, but within its timeout)."""
    async def route(request: Request, conn: Conn) -> None:
        await asyncio.sleep(seconds)
        await inner(request, conn)
    return route


def length_shorter(smuggled_location: str) -> Route:
    """Announces fewer bytes than it sends, on a keep-alive connection. The excess is a
    complete second response (a redirect to `smuggled_location`): a client that reused the
    connection without discarding the excess would take it for its next answer."""
    async def route(request: Request, conn: Conn) -> None:
        body = page("Short length", "the first forty bytes are all you get").encode()
        smuggled = (b"HTTP/1.1 302 Found\r\nLocation: " + smuggled_location.encode()
                    + b"\r\nContent-Length: 0\r\n\r\n")
        await conn.send(head(200, {"Content-Type": "text/html", "Content-Length": "40",
                                   "Connection": "keep-alive"}) + body + smuggled)
        conn.keep_alive = True
    return route


# -- big bodies --------------------------------------------------------------------------------

def gigabyte(*, announce: bool, size: int = GIB) -> Route:
    """`size` bytes of HTML-ish text from a generator; with or without Content-Length."""
    async def route(request: Request, conn: Conn) -> None:
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if announce:
            headers["Content-Length"] = str(size)
        await conn.send(head(200, headers))
        block = (b"<p>" + b"gigabyte " * (CHUNK // 9))[:CHUNK - 4] + b"</p>"
        sent = 0
        while sent < size:
            await conn.send(block)
            sent += len(block)
    return route


@functools.cache
def gzip_bomb_bytes(size: int = GIB, *, wrap: int = 1) -> bytes:
    """A valid gzip member of `size` zero bytes (1 GiB -> 1 MB), gzipped `wrap` times.

    Built in milliseconds: each MiB is deflated after a full flush, so every MiB after the
    first compresses to the same bytes and is repeated instead of recompressed.
    """
    block = bytes(1024 * 1024)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    unit = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    last = comp.compress(block) + comp.flush()
    crc = 0
    for _ in range(size // len(block)):
        crc = zlib.crc32(block, crc)
    data = (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + first
            + unit * (size // len(block) - 2) + last
            + struct.pack("<II", crc, size & 0xFFFFFFFF))
    for _ in range(wrap - 1):
        data = zlib.compress(data, 9, wbits=31)
    return data


@functools.cache
def brotli_bomb_bytes(size: int = GIB) -> bytes:
    """brotli of `size` zero bytes, produced by streaming so the zeros are never whole."""
    comp = brotli.Compressor(quality=5)
    block = bytes(1024 * 1024)
    parts = [comp.process(block) for _ in range(size // len(block))]
    parts.append(comp.finish())
    return b"".join(parts)


def bomb(data: bytes, encoding: str, content_type: str = "text/html") -> Route:
    async def route(request: Request, conn: Conn) -> None:
        await conn.send(head(200, {"Content-Type": content_type, "Content-Encoding": encoding,
                                   "Content-Length": str(len(data))}) + data)
    return route
