"""Crawl one site with the engine in this process and write the figures as JSON (no database).

    python bench/engine_run.py URL --max-pages N --out RESULT.json
                               [--concurrency 16] [--parse-workers N] [--profile PREFIX]
                               [--no-geo]

`bench/crawl.py` starts this in a fresh process so that the RSS and CPU it reports belong to
the crawl alone. The JSON is written at interpreter exit, after the parse workers have been
reaped, so `cpu_children_s` includes them. With --profile the crawl runs under pyinstrument
(event loop driven in the main thread, which is the one pyinstrument samples) and the report is
saved as PREFIX.html and PREFIX.txt; profiled figures are not comparable with unprofiled ones.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
sys.path.insert(0, str(REPO_DIR))
sys.path.insert(0, str(BENCH_DIR))

from procstats import report_rusage_at_exit  # noqa: E402


class PageTally:
    """What the bench keeps per page: counters only, so its own memory stays flat.

    With `fingerprint` it also keeps, per URL, a digest of the page's facts and findings
    (`--findings-out`), to check that a speed change alters no finding, score or fact.
    """

    def __init__(self, fingerprint: bool = False) -> None:
        self.results = 0
        self.findings = 0
        self.links = 0
        self.statuses: Counter[int] = Counter()
        self.codes: Counter[str] | None = Counter() if fingerprint else None
        self.digests: dict[str, str] = {}

    def __call__(self, result: Any) -> None:
        self.results += 1
        self.findings += len(result.findings)
        self.statuses[result.fetch.status] += 1
        if result.facts is not None:
            self.links += len(result.facts.links)
        if self.codes is not None:
            self.codes.update(f.code for f in result.findings)
            text = repr((result.facts, sorted(repr(f) for f in result.findings),
                         result.indexable, result.indexability_reason, result.in_sitemap))
            self.digests[result.url] = hashlib.sha256(text.encode()).hexdigest()[:16]

    def fingerprint(self, summary: Any) -> dict[str, Any]:
        """Finding counts per code (page and site findings), scores and one digest of it all."""
        codes = Counter(self.codes or ())
        codes.update(f.code for f in summary.site_findings)
        site = sorted(repr(f) for f in summary.site_findings)
        pages = sorted(self.digests.items())
        score = getattr(summary, "score", None)
        geo = getattr(summary, "geo", None)
        scores = repr((score, geo))
        digest = hashlib.sha256(repr((pages, site, scores)).encode()).hexdigest()
        return {"codes": dict(sorted(codes.items())), "score": getattr(score, "score", None),
                "geo_score": getattr(geo, "score", None), "site_digest":
                hashlib.sha256(repr(site).encode()).hexdigest()[:16],
                "scores_digest": hashlib.sha256(scores.encode()).hexdigest()[:16],
                "digest": digest, "site": site, "pages": dict(pages)}


def crawl_options(url: str, max_pages: int, concurrency: int, parse_workers: int | None,
                  geo: bool = True) -> Any:
    from audits.engine.types import CrawlOptions

    return CrawlOptions(start_url=url, max_pages=max_pages, allow_private=True,
                        respect_robots=True, per_host_concurrency=concurrency,
                        global_concurrency=max(32, concurrency), parse_workers=parse_workers,
                        js_render_sample=0,  # timed on its own by bench/render.py
                        pagespeed_sample=0,  # timed on its own by bench/pagespeed.py
                        geo=geo)


def _crawl(options: Any, tally: PageTally) -> Any:
    from audits.engine.crawler import run_crawl

    return run_crawl(options, on_page=tally, on_progress=None)


def _crawl_profiled(options: Any, tally: PageTally, prefix: str) -> Any:
    from pyinstrument import Profiler

    from audits.engine import crawler

    profiler = Profiler(interval=0.001, async_mode="enabled")
    driver = getattr(crawler, "Crawler", None)
    profiler.start()
    try:
        if driver is None:  # no async class to drive: profile the synchronous API
            summary = _crawl(options, tally)
        else:
            engine = driver(options)

            async def drive() -> None:
                async for result in engine.crawl():
                    tally(result)

            asyncio.run(drive())
            summary = engine.summary
    finally:
        profiler.stop()
    Path(prefix + ".html").write_text(profiler.output_html(), encoding="utf-8")
    Path(prefix + ".txt").write_text(profiler.output_text(unicode=True, show_all=False),
                                     encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--max-pages", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--parse-workers", type=int, default=None)
    parser.add_argument("--profile", metavar="PREFIX", default=None)
    parser.add_argument("--findings-out", metavar="FILE", default=None,
                        help="write finding counts per code, scores and per-page digests of "
                             "facts and findings as JSON (to compare two trees)")
    parser.add_argument("--no-geo", action="store_true",
                        help="SEO only: no GEO checks, llms.txt or GEO score (bench/geo.py)")
    args = parser.parse_args(argv)

    import_started = time.perf_counter()
    from audits.engine import crawler  # noqa: F401 - import time kept out of the crawl

    imported = time.perf_counter()
    options = crawl_options(args.url, args.max_pages, args.concurrency, args.parse_workers,
                            geo=not args.no_geo)
    tally = PageTally(fingerprint=bool(args.findings_out))
    cpu0 = time.process_time()
    started = time.perf_counter()
    if args.profile:
        summary = _crawl_profiled(options, tally, args.profile)
    else:
        summary = _crawl(options, tally)
    seconds = time.perf_counter() - started
    cpu_main_crawl = time.process_time() - cpu0
    score = getattr(getattr(summary, "score", None), "score", None)
    if args.findings_out:
        Path(args.findings_out).write_text(json.dumps(tally.fingerprint(summary), indent=1),
                                           encoding="utf-8")
    report_rusage_at_exit(args.out, extra={
        "pages": summary.pages_crawled,
        "results": tally.results,
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "page_findings": tally.findings,
        "site_findings": len(summary.site_findings),
        "links_seen": tally.links,
        "score": score,
        "geo_score": getattr(getattr(summary, "geo", None), "score", None),
        "seconds": round(seconds, 3),
        "import_seconds": round(imported - import_started, 3),
        "cpu_main_crawl_s": round(cpu_main_crawl, 3),
        "profiled": bool(args.profile),
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
