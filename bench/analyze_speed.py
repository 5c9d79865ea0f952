"""CPU cost of each step of one page's trip through the engine, on the generated site's pages.

Run: .venv/bin/python bench/analyze_speed.py [--site bench/out/site-2000] [--pages 400]

Reads the precompressed `.html.gz` pages of a `sitegen.py` site and times, per page and in CPU
milliseconds (time.process_time, best of --rounds runs, URL/link caches cleared before each run
so memoisation across runs is not flattered): gzip decompression (zlib, and ISA-L when
installed), pickling the job to the parse worker, `analyze_page` (parse + page checks),
pickling the result and unpickling it in the crawling process, plainly and as the parse pool
does (with its pipe's link table). No network and no event loop: this isolates the per-page
Python work that `crawl.py` measures end to end.
"""

from __future__ import annotations

import argparse
import gzip
import pickle
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))

from audits.engine import hrefs, urls  # noqa: E402
from audits.engine.analyze import analyze_page  # noqa: E402
from audits.engine.pool import _LinkReceiver, _LinkSender  # noqa: E402
from audits.engine.types import CrawlOptions, FetchResult  # noqa: E402

ORIGIN = "http://127.0.0.1:8080"

try:  # what the crawl's HTTP client decompresses with when installed (fetch.ZLIB_BACKEND)
    from isal import isal_zlib
except ImportError:
    isal_zlib = None


def load_pages(site: Path, limit: int) -> list[tuple[str, bytes]]:
    """(URL, gzip bytes) of up to `limit` article pages, in a stable order."""
    files = sorted(site.glob("section-*/page-*.html.gz"))[:limit]
    return [(ORIGIN + "/" + str(f.relative_to(site))[:-3], f.read_bytes()) for f in files]


def fetch_for(url: str, body: bytes) -> FetchResult:
    return FetchResult(requested_url=url, final_url=url, status=200,
                       headers=(("content-type", "text/html; charset=utf-8"),), body=body,
                       content_type="text/html; charset=utf-8", size=len(body))


def clear_caches() -> None:
    for module in (hrefs, urls):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def best_ms(step: Callable[[], Any], pages: int, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        clear_caches()
        started = time.process_time()
        step()
        best = min(best, time.process_time() - started)
    return 1000 * best / pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", default=str(BENCH_DIR / "out" / "site-2000"))
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    pages = load_pages(Path(args.site), args.pages)
    if not pages:
        parser.error(f"no section-*/page-*.html.gz under {args.site}: run bench/sitegen.py")
    n = len(pages)
    options = CrawlOptions(start_url=ORIGIN + "/", allow_private=True)
    host = "127.0.0.1"
    raw = [(url, gzip.decompress(gz)) for url, gz in pages]
    fetches = [fetch_for(url, body) for url, body in raw]
    results: list[Any] = []

    def analyze() -> None:
        results[:] = [analyze_page(f, depth=1, found_on="", in_sitemap=True, robots_allowed=True,
                                   options=options, start_host=host) for f in fetches]

    analyze()
    dumped = [pickle.dumps(r, pickle.HIGHEST_PROTOCOL) for r in results]
    links = sum(len(r.facts.links) for r in results)
    figures = {
        "gunzip": best_ms(lambda: [zlib.decompressobj(wbits=31).decompress(gz) for _, gz in pages],
                          n, args.rounds),
        **({"gunzip (isal)": best_ms(lambda: [isal_zlib.decompressobj(wbits=31).decompress(gz)
                                              for _, gz in pages], n, args.rounds)}
           if isal_zlib is not None else {}),
        "pickle job": best_ms(lambda: [pickle.dumps((0, f, 1, "", True), pickle.HIGHEST_PROTOCOL)
                                       for f in fetches], n, args.rounds),
        "analyze_page": best_ms(analyze, n, args.rounds),
        "pickle result": best_ms(lambda: [pickle.dumps(r, pickle.HIGHEST_PROTOCOL)
                                          for r in results], n, args.rounds),
        "unpickle result": best_ms(lambda: [pickle.loads(d) for d in dumped], n, args.rounds),
    }
    # What the parse pool does instead: the pipe's link table sends a repeated LinkFact as a
    # number (results of one analyze() run share LinkFacts across pages, as in a crawl).
    sent: list[bytes] = []

    def send() -> None:
        sender = _LinkSender()
        sent[:] = [sender.dumps(r) for r in results]

    def receive() -> None:
        receiver = _LinkReceiver()
        for data in sent:
            receiver.loads(data)

    figures["pool: send result"] = best_ms(send, n, args.rounds)
    figures["pool: read result"] = best_ms(receive, n, args.rounds)
    receiver = _LinkReceiver()
    assert [receiver.loads(d) for d in sent] == results
    print(f"{n} pages, {links / n:.0f} references/page, "
          f"{sum(len(b) for _, b in raw) / n / 1024:.0f} KB HTML, "
          f"{sum(len(g) for _, g in pages) / n / 1024:.0f} KB gzip, "
          f"{sum(len(d) for d in dumped) / n / 1024:.1f} KB pickled result, "
          f"{sum(len(d) for d in sent) / n / 1024:.1f} KB through the pool's pipe")
    for name, ms in figures.items():
        print(f"{name:<16} {ms:7.3f} ms/page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
