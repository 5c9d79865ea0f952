"""Fetch every page of a generated site with aiohttp and with httpx; print pages/s and MB/s.

    python bench/fetch_clients.py [--pages 2000] [--site-dir DIR] [--concurrency 16]
                                  [--rounds 2] [--encoding gzip|identity|both]

This is the measurement behind the engine's choice of HTTP client: the same URL list (every
article of the site, as in the sitemap), the same number of connections, bodies read in full
and decoded (gzip), nothing else. Each client runs in a fresh Python process, so its CPU time
and peak RSS are its own. nginx serves the site from 127.0.0.1 (see nginx_site.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from nginx_site import serve_site  # noqa: E402
from sitegen import GENERATOR_VERSION, generate_site, read_manifest, site_urls  # noqa: E402

CLIENTS = ("aiohttp", "httpx")
#: Per-client wall-clock cap; a client that cannot fetch the site in this long is reported as such.
CLIENT_TIMEOUT_S = 600


async def _fetch_aiohttp(urls: list[str], concurrency: int, headers: dict[str, str]) -> tuple[int, int, int]:
    import aiohttp

    pages = errors = received = 0
    queue = iter(urls)
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, headers=headers) as session:

        async def worker() -> None:
            nonlocal pages, errors, received
            for url in queue:
                try:
                    async with session.get(url, allow_redirects=False) as response:
                        body = await response.read()
                except aiohttp.ClientError:
                    errors += 1
                    continue
                received += len(body)
                pages += 1
                if response.status != 200:
                    errors += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return pages, errors, received


async def _fetch_httpx(urls: list[str], concurrency: int, headers: dict[str, str]) -> tuple[int, int, int]:
    import httpx

    pages = errors = received = 0
    queue = iter(urls)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30, headers=headers,
                                 follow_redirects=False) as client:

        async def worker() -> None:
            nonlocal pages, errors, received
            for url in queue:
                try:
                    response = await client.get(url)
                except httpx.HTTPError:
                    errors += 1
                    continue
                received += len(response.content)
                pages += 1
                if response.status_code != 200:
                    errors += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return pages, errors, received


def run_one(client: str, urls: list[str], concurrency: int, encoding: str) -> dict[str, object]:
    """Fetch `urls` with one client in this process; return the figures."""
    import importlib

    importlib.import_module(client)  # keep import time out of the measurement
    headers = {"Accept-Encoding": encoding, "User-Agent": "bench-fetch-clients"}
    fetch = _fetch_aiohttp if client == "aiohttp" else _fetch_httpx
    cpu0 = time.process_time()
    started = time.perf_counter()
    pages, errors, received = asyncio.run(fetch(urls, concurrency, headers))
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu0
    return {"client": client, "encoding": encoding, "pages": pages, "errors": errors,
            "seconds": round(seconds, 3), "pages_per_s": round(pages / seconds, 1),
            "mb_per_s": round(received / seconds / 1e6, 1),
            "cpu_ms_per_page": round(cpu * 1000 / max(pages, 1), 3),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def _run_in_subprocess(client: str, url_file: Path, concurrency: int, encoding: str) -> dict[str, object]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--one", client, "--url-file", str(url_file),
           "--concurrency", str(concurrency), "--encoding", encoding]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=CLIENT_TIMEOUT_S, check=False)
    if proc.returncode != 0:
        return {"client": client, "encoding": encoding, "error": proc.stderr.strip()[-500:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _print_table(rows: list[dict[str, object]]) -> None:
    header = f"{'client':<8} {'encoding':<9} {'pages':>6} {'errors':>6} {'seconds':>8} " \
             f"{'pages/s':>8} {'MB/s':>7} {'CPU ms/page':>11} {'peak RSS MB':>11}"
    print(header)
    print("-" * len(header))
    for row in rows:
        if "error" in row:
            print(f"{row['client']:<8} {row['encoding']:<9} failed: {row['error']}")
            continue
        print(f"{row['client']:<8} {row['encoding']:<9} {row['pages']:>6} {row['errors']:>6} "
              f"{row['seconds']:>8.2f} {row['pages_per_s']:>8.0f} {row['mb_per_s']:>7.1f} "
              f"{row['cpu_ms_per_page']:>11.3f} {row['peak_rss_mb']:>11.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="aiohttp vs httpx against nginx on 127.0.0.1")
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--site-dir", default=None, help="default bench/out/site-<pages>")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="runs per client (best one counts)")
    parser.add_argument("--encoding", choices=("gzip", "identity", "both"), default="gzip")
    parser.add_argument("--clients", default=",".join(CLIENTS))
    parser.add_argument("--one", choices=CLIENTS, help=argparse.SUPPRESS)
    parser.add_argument("--url-file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.one:
        urls = Path(args.url_file).read_text(encoding="utf-8").split()
        print(json.dumps(run_one(args.one, urls, args.concurrency, args.encoding)))
        return 0

    site_dir = Path(args.site_dir or BENCH_DIR / "out" / f"site-{args.pages}")
    manifest = read_manifest(site_dir)
    if manifest is None or manifest.get("generator_version") != GENERATOR_VERSION:
        print(f"generating {args.pages} pages into {site_dir}", file=sys.stderr)
        generate_site(site_dir, pages=args.pages)
    encodings = ("gzip", "identity") if args.encoding == "both" else (args.encoding,)
    clients = [c for c in args.clients.split(",") if c in CLIENTS]
    rounds = max(1, min(args.rounds, 10))
    rows: list[dict[str, object]] = []
    with serve_site(site_dir) as base_url:
        url_file = site_dir.parent / f".fetch-urls-{os.getpid()}.txt"
        url_file.write_text("\n".join(site_urls(site_dir, base_url)), encoding="utf-8")
        try:
            for encoding in encodings:
                for client in clients:
                    runs = [_run_in_subprocess(client, url_file, args.concurrency, encoding)
                            for _ in range(rounds)]
                    ok = [r for r in runs if "error" not in r]
                    rows.append(max(ok, key=lambda r: r["pages_per_s"]) if ok else runs[-1])
        finally:
            url_file.unlink(missing_ok=True)
    print(f"\n{len(site_urls(site_dir, 'http://x'))} pages, {args.concurrency} connections, "
          f"best of {rounds} run(s) per client, nginx on 127.0.0.1\n")
    _print_table(rows)
    ok = [r for r in rows if "error" not in r and r["encoding"] == encodings[0]]
    if len(ok) == len(clients) == 2:
        fast, slow = sorted(ok, key=lambda r: r["pages_per_s"], reverse=True)
        print(f"\nfaster: {fast['client']} ({fast['pages_per_s'] / slow['pages_per_s']:.1f}x "
              f"{slow['client']})")
    out = BENCH_DIR / "out"
    out.mkdir(exist_ok=True)
    (out / f"fetch-clients-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(
        json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
