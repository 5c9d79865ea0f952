"""Render-phase benchmark: the headless-Chromium sample (audits/engine/render.py) on a local site.

    python bench/render.py [--pages 10] [--runs 3] [--site-dir DIR]

Generates the synthetic site (bench/sitegen.py, 200 articles), serves it with nginx on
127.0.0.1, crawls it once without the sample (to build the site index the sample is chosen
from), then runs `render_sample` --runs times with js_render_sample=--pages. Prints per run:
pages rendered, phase seconds (browser start included), ms per page (both views of a page,
measured inside the phase), pages/s, and the browser start share. The figures are separate
from the crawl benchmark's (bench/crawl.py runs with the sample off). Needs Chromium at
/usr/bin/chromium (or SEOAUDIT_CHROMIUM) and Playwright.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
sys.path.insert(0, str(REPO_DIR))
sys.path.insert(0, str(BENCH_DIR))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10, help="js_render_sample (default 10)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--site-dir", default=None, help="reuse a generated site")
    args = parser.parse_args(argv)

    from nginx_site import serve_site
    from sitegen import generate_site

    from audits.engine.crawler import Crawler
    from audits.engine.render import render_sample
    from audits.engine.types import CrawlOptions

    root = Path(args.site_dir) if args.site_dir else Path(tempfile.mkdtemp(prefix="bench-render-"))
    if not (root / "index.html").exists():
        root.mkdir(parents=True, exist_ok=True)
        root.chmod(0o755)  # nginx workers run as nobody; mkdtemp makes the directory 0700
        generate_site(root, pages=200, quiet=True)
    rows = []
    with serve_site(root) as base:
        options = CrawlOptions(start_url=base + "/", allow_private=True, max_pages=300,
                               check_resources=False, js_render_sample=0,
                               pagespeed_sample=0)
        crawler = Crawler(options)

        async def crawl() -> None:
            async for _ in crawler.crawl():
                pass

        asyncio.run(crawl())
        sample = CrawlOptions(start_url=base + "/", allow_private=True,
                              js_render_sample=args.pages)
        for _ in range(args.runs):
            started = time.monotonic()
            report = asyncio.run(render_sample(crawler.site, sample))
            wall = time.monotonic() - started
            if report.status != "ok":
                print(f"render sample skipped: {report.reason}")
                return 1
            ok = [page for page in report.pages if page.error is None]
            in_pages = sum(page.ms for page in report.pages) / 1000
            rows.append({"pages": len(ok), "errors": len(report.pages) - len(ok),
                         "phase_s": round(wall, 2),
                         "ms_per_page": round(in_pages * 1000 / max(1, len(report.pages)), 1),
                         "pages_per_s": round(len(report.pages) / wall, 2),
                         "startup_and_close_s": round(wall - in_pages, 2)})
    print(f"{'pages':>6} {'errors':>6} {'phase s':>8} {'ms/page':>8} {'pages/s':>8} "
          f"{'start+close s':>13}")
    for row in rows:
        print(f"{row['pages']:>6} {row['errors']:>6} {row['phase_s']:>8} {row['ms_per_page']:>8} "
              f"{row['pages_per_s']:>8} {row['startup_and_close_s']:>13}")
    print(f"median ms/page {statistics.median(r['ms_per_page'] for r in rows)}, "
          f"median phase {statistics.median(r['phase_s'] for r in rows)} s")
    OUT_DIR.mkdir(exist_ok=True)
    out = OUT_DIR / f"render-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
