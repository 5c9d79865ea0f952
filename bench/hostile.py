"""The hostile-sites drills at product defaults (docs/hostile-sites.md): figures, not tests.

    .venv/bin/python bench/hostile.py [--quick]

Servers are the misbehaving ones of tests/hostile (raw asyncio on 127.0.0.1, started here,
stopped on exit). Crawls run in fresh processes (tests/hostile/runner.py) with parsing
inline, so "RSS growth" is everything one crawl held. Printed:

1. every page-level case fetched alone with the product's timeouts (connect 10 s, read
   20 s, total 30 s): how long it took, what the fetch reported, what the server sent;
2. the whole hostile site, one crawl at product defaults: seconds, pages, peak RSS growth;
3. a billion-URL sitemap site at the default caps (50 files, 50,000 URLs, 500 pages);
4. a tarpit (every page 2 s, endless) under a 20 s crawl budget;
5. "nothing else slows down": a normal 300-page site crawled alone, then while the hostile
   site and the tarpit are crawled next to it (three processes on this machine).

--quick shortens the timeouts to 5 s and the tarpit budget to 8 s (about a minute in all).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from audits.engine.fetch import Fetcher  # noqa: E402
from audits.engine.types import CrawlOptions  # noqa: E402
from tests.hostile import routes  # noqa: E402
from tests.hostile.server import HostileServer  # noqa: E402
from tests.hostile.site import (  # noqa: E402
    PAGE_CASES,
    billion_url_routes,
    hostile_routes,
    normal_routes,
    tarpit_routes,
)

MIB = 1024 * 1024


def options(url: str, **overrides: object) -> CrawlOptions:
    """Product defaults, except: loopback allowed, no Chromium sample, no resource phase,
    parsing inline (so the crawl's memory is one process)."""
    base: dict[str, object] = {"allow_private": True, "js_render_sample": 0,
                               "check_resources": False, "parse_workers": 0}
    base.update(overrides)
    return CrawlOptions(start_url=url, **base)  # type: ignore[arg-type]


def start_crawl(opts: CrawlOptions) -> subprocess.Popen[str]:
    fields = {k: list(v) if isinstance(v, tuple) else v
              for k, v in dataclasses.asdict(opts).items()}
    return subprocess.Popen([sys.executable, "-m", "tests.hostile.runner", json.dumps(fields)],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def finish(proc: subprocess.Popen[str]) -> dict:
    out, _ = proc.communicate(timeout=3600)
    return json.loads(out.strip().splitlines()[-1])


def crawl(opts: CrawlOptions) -> dict:
    return finish(start_crawl(opts))


async def fetch_cases(server: HostileServer, opts: CrawlOptions) -> list[tuple]:
    async with Fetcher(opts) as fetcher:
        async def one(name: str, path: str) -> tuple:
            started = time.monotonic()
            result = await fetcher.fetch(server.url(path))
            return (name, time.monotonic() - started, result.status, result.error or "-",
                    result.size, result.truncated, result.error_detail[:70])
        return await asyncio.gather(*(one(name, path) for name, (path, _) in PAGE_CASES.items()))


def section(title: str) -> None:
    print(f"\n== {title}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    timeouts = ({"connect_timeout": 5.0, "read_timeout": 5.0, "total_timeout": 5.0}
                if args.quick else {})
    budget = 8.0 if args.quick else 20.0

    with HostileServer(hostile_routes()) as hostile:
        section("1. each page case fetched alone (all at once)"
                + (" [--quick: 5 s timeouts]" if args.quick else " [10/20/30 s timeouts]"))
        rows = asyncio.run(fetch_cases(hostile, options(hostile.base_url, **timeouts)))
        print(f"{'case':<24}{'s':>7} {'status':>6}  {'error':<19}{'bytes read':>12}  trunc  detail")
        for name, seconds, status, error, size, truncated, detail in sorted(rows):
            print(f"{name:<24}{seconds:7.2f} {status:>6}  {error:<19}{size:>12,}  "
                  f"{'yes' if truncated else '-':<5}  {detail}")
        print(f"server wrote {hostile.bytes_sent / MIB:,.1f} MiB in all (bodies on offer: "
              f"3 x 1 GiB plus endless streams)")

        section("2. the whole hostile site, one crawl")
        sent_before = hostile.bytes_sent
        out = crawl(options(hostile.base_url + "/", **timeouts))
        print(f"pages {out['summary']['pages_crawled']}, {out['seconds']:.1f} s, RSS growth "
              f"{out['rss_growth_mb']:.1f} MB (peak {out['peak_mb']:.1f} MB), server wrote "
              f"{(hostile.bytes_sent - sent_before) / MIB:,.1f} MiB")

    million = HostileServer(billion_url_routes())
    with million:
        section("3. sitemap index of 20,000 sitemaps x 50,000 URLs (default caps)")
        out = crawl(options(million.base_url + "/", **timeouts))
        files = sum(n for p, n in million.hits.items() if p.startswith("/sitemaps/"))
        print(f"pages {out['summary']['pages_crawled']}, sitemap files read {files + 1}, "
              f"{out['seconds']:.1f} s, RSS growth {out['rss_growth_mb']:.1f} MB, server wrote "
              f"{million.bytes_sent / MIB:,.1f} MiB")

    tarpit = HostileServer(tarpit_routes(2.0))
    normal_site = {**normal_routes(31), "/n/": routes.link_maze("/m/", fanout=10)}
    with tarpit, HostileServer(normal_site) as normal:
        section(f"4. tarpit: endless site, every page 2 s, crawl budget {budget:g} s")
        out = crawl(options(tarpit.base_url + "/", max_pages=100_000, max_crawl_seconds=budget,
                            **timeouts))
        print(f"pages {out['summary']['pages_crawled']}, {out['seconds']:.1f} s "
              f"(budget {budget:g} s + pages in flight), site findings: "
              f"{', '.join(c for c in out['summary']['site_codes'] if 'crawl' in c)}")

        section("5. a normal 300-page crawl alone, then next to the hostile crawls")
        opts = options(normal.base_url + "/", max_pages=300, geo=False)
        alone = crawl(opts)
        with HostileServer(hostile_routes()) as hostile2:
            neighbours = [start_crawl(options(hostile2.base_url + "/", **timeouts)),
                          start_crawl(options(tarpit.base_url + "/", max_pages=100_000,
                                              max_crawl_seconds=budget, **timeouts))]
            time.sleep(1.0)
            together = crawl(opts)
            for proc in neighbours:
                finish(proc)
        for label, run in (("alone", alone), ("next to 2 hostile crawls", together)):
            pages = run["summary"]["pages_crawled"]
            print(f"{label:<26} {pages} pages in {run['seconds']:.2f} s = "
                  f"{pages / max(run['seconds'], 1e-6):,.0f} pages/s")


if __name__ == "__main__":
    main()
