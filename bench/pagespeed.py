"""Page-speed lab benchmark: pages measured per minute (mobile + desktop each) and peak memory.

    python bench/pagespeed.py [--pages 12] [--runs 2] [--mix fast,shift,blocking,late-image]

Serves the lab's fixture pages (tests/pagespeed/fixture_site.py: a fast page, a page with a
late 4.5 s hero image, a layout-shifting page with a 470 KB image, a page with a 800 ms
blocking script and render-blocking CSS/JS) on 127.0.0.1 — N URLs cycling through `--mix`,
each under its own path so nothing is shared between loads — and runs `measure_urls` over them
in both profiles, --runs times (one browser per run, as an audit does). Prints per run: URLs,
loads, failures, wall seconds (browser start included), pages/min, loads/min, ms per load, and
the peak RSS of this process tree (Python + the fixture server + every Chromium process,
sampled every 0.1 s by bench/procstats.TreeSampler) with the machine's busy CPU seconds (other
load on the 2 shared cores shows there). Needs Chromium (/usr/bin/chromium or SEOAUDIT_CHROMIUM)
and Playwright. The lab runs loads one after the other by design (CPU-throttled timings of
parallel loads would disturb each other), so pages/min is bounded by the pages' own load
time plus the quiet window (lab.QUIET_WINDOW_S), not by CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
sys.path.insert(0, str(REPO_DIR))
sys.path.insert(0, str(BENCH_DIR))

KINDS = ("fast", "shift", "blocking", "late-image")


async def _run_once(urls: list[str], base: str) -> dict[str, object]:
    from audits.engine.lab import measure_urls
    from audits.engine.types import CrawlOptions

    options = CrawlOptions(start_url=base + "/", allow_private=True, js_render_sample=0,
                           pagespeed_sample=0)
    started = time.monotonic()
    report = await measure_urls(urls, options, budget_s=3600)
    wall = time.monotonic() - started
    if report.status != "measured":
        raise SystemExit(f"lab skipped: {report.reason}")
    loads = report.measurements
    failed = [m for m in loads if m.error is not None]
    return {"urls": len(urls), "loads": len(loads), "failed": len(failed),
            "wall_s": round(wall, 2), "pages_per_min": round(len(urls) * 60 / wall, 1),
            "loads_per_min": round(len(loads) * 60 / wall, 1),
            "ms_per_load": round(statistics.mean(m.ms for m in loads), 1),
            "errors": sorted({m.error or "" for m in failed})[:3]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--mix", default=",".join(KINDS),
                        help=f"comma-separated fixture kinds to cycle through ({', '.join(KINDS)})")
    args = parser.parse_args(argv)
    kinds = [kind for kind in args.mix.split(",") if kind in KINDS]
    if not kinds or args.pages < 1 or args.runs < 1:
        parser.error("need --pages >= 1, --runs >= 1 and a --mix of known kinds")

    from aiohttp import web
    from procstats import TreeSampler

    from tests.engine.aioserver import serve
    from tests.pagespeed.fixture_site import handle

    async def routes(request: web.Request) -> web.StreamResponse:
        # /<n>/<kind> -> the fixture page <kind>; its resources keep their absolute paths.
        parts = request.path.split("/")
        if len(parts) == 3 and parts[1].isdigit():
            request = request.clone(rel_url="/" + parts[2])
        return await handle(request)

    async def bench() -> list[dict[str, object]]:
        rows = []
        async with serve(routes) as base:
            urls = [f"{base}/{i}/{kinds[i % len(kinds)]}" for i in range(args.pages)]
            for _ in range(args.runs):
                with TreeSampler(os.getpid()) as sampler:
                    row = await _run_once(urls, base)
                row.update(peak_tree_rss_mb=sampler.peak_tree_rss_mb,
                           peak_processes=sampler.peak_processes,
                           machine_busy_cpu_s=sampler.machine_busy_s)
                rows.append(row)
        return rows

    rows = asyncio.run(bench())
    print(f"mix: {', '.join(kinds)}; {os.cpu_count()} CPUs")
    print(f"{'urls':>5} {'loads':>6} {'failed':>6} {'wall s':>7} {'pages/min':>9} "
          f"{'loads/min':>9} {'ms/load':>8} {'peak RSS MB':>11} {'procs':>5} {'busy CPU s':>10}")
    for row in rows:
        print(f"{row['urls']:>5} {row['loads']:>6} {row['failed']:>6} {row['wall_s']:>7} "
              f"{row['pages_per_min']:>9} {row['loads_per_min']:>9} {row['ms_per_load']:>8} "
              f"{row['peak_tree_rss_mb']:>11} {row['peak_processes']:>5} "
              f"{row['machine_busy_cpu_s']:>10}")
    print(f"median pages/min {statistics.median(r['pages_per_min'] for r in rows)}, "
          f"max peak RSS {max(r['peak_tree_rss_mb'] for r in rows)} MB")
    OUT_DIR.mkdir(exist_ok=True)
    out = OUT_DIR / f"pagespeed-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
