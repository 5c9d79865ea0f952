"""Fixture pages with known page-speed behaviour, served on 127.0.0.1 (aiohttp), for the lab
tests and bench/pagespeed.py.

* `/fast`: small HTML, text only: every metric good.
* `/late-image`: the hero image (the largest element) arrives after LATE_IMAGE_DELAY_S: LCP
  poor in both profiles.
* `/shift`: after `load`, a 600 px banner is inserted above the text: CLS poor; also carries
  a 400x400 noise PNG (~470 KB) shown at 100x100: an unused large (oversized) image.
* `/blocking`: a 800 ms busy loop after `load` (TBT poor on desktop too), and a stylesheet
  and a classic script in <head> (render-blocking).
"""

from __future__ import annotations

import asyncio
import random
import struct
import zlib

from aiohttp import web

LATE_IMAGE_DELAY_S = 4.5
BUSY_MS = 800
PAGES = ("/fast", "/late-image", "/shift", "/blocking")


def png(width: int, height: int, *, noise: bool = False, seed: int = 1) -> bytes:
    """A valid RGB PNG: random pixels (incompressible, so large) or a flat colour."""
    rng = random.Random(seed)
    row_bytes = width * 3
    if noise:
        rows = b"".join(b"\x00" + rng.randbytes(row_bytes) for _ in range(height))
    else:
        rows = (b"\x00" + bytes((40, 120, 200)) * width) * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b""))


def _page(body: str, head: str = "") -> str:
    return ("<!doctype html><html lang=en><head><meta charset=utf-8>"
            "<meta name=viewport content='width=device-width, initial-scale=1'>"
            f"<title>Lab fixture</title>{head}</head><body>{body}</body></html>")


TEXT = "<p>" + " ".join(f"word{i}" for i in range(60)) + "</p>"
PAGES_HTML = {
    "/fast": _page(f"<h1>Fast page</h1>{TEXT}"),
    "/late-image": _page(
        "<h1>Hero</h1><img src=/hero.png width=800 height=600 alt=Hero "
        "style='max-width:100%;height:auto'><p>Short text.</p>"),
    "/shift": _page(
        "<h1>Shifting page</h1><img src=/big.png width=100 height=100 alt=Thumb>"
        f"<div style='font-size:20px'>{TEXT * 12}</div>"
        "<script>addEventListener('load', () => setTimeout(() => {"
        "const banner = document.createElement('div');"
        "banner.style.height = '600px'; banner.style.background = '#c00';"
        "document.body.insertBefore(banner, document.body.firstChild);}, 200));</script>"),
    "/blocking": _page(
        f"<h1>Busy page</h1>{TEXT}"
        "<script>addEventListener('load', () => setTimeout(() => {"
        f"const end = performance.now() + {BUSY_MS}; while (performance.now() < end) {{}}"
        "}, 50));</script>",
        head="<link rel=stylesheet href=/style.css><script src=/sync.js></script>"),
}
#: Noise, so Chromium does not discard it as a low-entropy (placeholder-like) LCP candidate.
HERO = png(200, 150, noise=True)
BIG = png(400, 400, noise=True)


async def handle(request: web.Request) -> web.StreamResponse:
    path = request.path
    if path in PAGES_HTML:
        return web.Response(text=PAGES_HTML[path], content_type="text/html")
    if path == "/hero.png":
        await asyncio.sleep(LATE_IMAGE_DELAY_S)
        return web.Response(body=HERO, content_type="image/png")
    if path == "/big.png":
        return web.Response(body=BIG, content_type="image/png")
    if path == "/style.css":
        return web.Response(text="body{font-family:sans-serif;margin:1em}" * 50,
                            content_type="text/css")
    if path == "/sync.js":
        return web.Response(text="window.synced = true;", content_type="application/javascript")
    return web.Response(status=404, text="not found")
