"""What GEO analysis costs a crawl: the same site crawled with and without it, interleaved.

    python bench/geo.py [--pages 2000] [--runs 3] [--concurrency 16] [--parse-workers N]

Issue 5's bar: crawl throughput with the GEO checks on stays within 20 % of the SEO-only
figure. Both variants run bench/engine_run.py (the engine alone, no database) against the
synthetic site of bench/crawl.py served by nginx on 127.0.0.1; "SEO only" passes --no-geo
(no geo checks, no llms.txt fetch, no content signals' checks, no GEO score). Runs alternate
(geo, seo, geo, seo, ...) so that drift in the machine's load hits both alike; the medians
are compared. The headless-Chromium render sample is off in both (it runs after the crawl
and is timed separately by bench/render.py). Figures also go to bench/out/geo-<stamp>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from crawl import OUT_DIR, _env, _measured, ensure_site, max_pages_for  # noqa: E402
from nginx_site import RunningSite, run_nginx  # noqa: E402
from sitegen import parse_kb_range  # noqa: E402

#: The issue's bar: GEO-on throughput at least this share of SEO-only throughput.
MIN_RATIO = 0.80


def run_once(site: RunningSite, *, geo: bool, max_pages: int, args: argparse.Namespace,
             stamp: str, index: int) -> dict[str, Any]:
    rusage_file = OUT_DIR / f".geo-{os.getpid()}.json"
    cmd = [sys.executable, str(BENCH_DIR / "engine_run.py"), site.base_url,
           "--max-pages", str(max_pages), "--out", str(rusage_file),
           "--concurrency", str(args.concurrency)]
    if args.parse_workers is not None:
        cmd += ["--parse-workers", str(args.parse_workers)]
    if not geo:
        cmd.append("--no-geo")
    label = "geo" if geo else "seo"
    fig = _measured(cmd, env=_env(), rusage_file=rusage_file, site=site,
                    log_file=OUT_DIR / f"geo-{stamp}-{label}-{index}.log")
    if "error" in fig or not fig.get("pages"):
        return {"variant": label, **fig}
    cpu = fig["cpu_self_s"] + fig["cpu_children_s"]
    return {"variant": label, "pages": fig["pages"], "seconds": fig["seconds"],
            "pages_per_s": round(fig["pages"] / fig["seconds"], 1),
            "cpu_ms_per_page": round(1000 * cpu / fig["pages"], 3),
            "page_findings": fig.get("page_findings"), "site_findings": fig.get("site_findings"),
            "geo_score": fig.get("geo_score"), "peak_tree_rss_mb": fig.get("peak_tree_rss_mb")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--page-kb", type=parse_kb_range, default=(30, 80), metavar="MIN-MAX")
    parser.add_argument("--site-dir", default=None)
    parser.add_argument("--runs", type=int, default=3, help="runs of each variant (default 3)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--parse-workers", type=int, default=None)
    args = parser.parse_args(argv)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    site_dir, manifest, _ = ensure_site(args)
    max_pages = max_pages_for(int(manifest["urls"]))
    rows: list[dict[str, Any]] = []
    with run_nginx(site_dir) as site:
        for index in range(args.runs):
            for geo in (True, False):
                print(f"run {index + 1}/{args.runs}: {'GEO on' if geo else 'SEO only'} ...",
                      file=sys.stderr, flush=True)
                rows.append(run_once(site, geo=geo, max_pages=max_pages, args=args,
                                     stamp=stamp, index=index))
    failed = [r for r in rows if "pages_per_s" not in r]
    if failed:
        print(f"failed runs: {failed}")
        return 1
    medians: dict[str, dict[str, float]] = {}
    for variant in ("geo", "seo"):
        mine = [r for r in rows if r["variant"] == variant]
        medians[variant] = {key: statistics.median(r[key] for r in mine)
                            for key in ("pages_per_s", "cpu_ms_per_page", "peak_tree_rss_mb")}
    ratio = medians["geo"]["pages_per_s"] / medians["seo"]["pages_per_s"]
    cpu_extra = medians["geo"]["cpu_ms_per_page"] - medians["seo"]["cpu_ms_per_page"]
    print(f"\n{args.pages} pages, {args.runs} runs each, interleaved, {os.cpu_count()} CPUs\n")
    print(f"{'variant':<9} {'pages/s (runs)':<28} {'median':>7} {'CPU ms/page':>12} {'RSS MB':>7}")
    for variant, name in (("seo", "SEO only"), ("geo", "GEO on")):
        runs = ", ".join(f"{r['pages_per_s']:.0f}" for r in rows if r["variant"] == variant)
        m = medians[variant]
        print(f"{name:<9} {runs:<28} {m['pages_per_s']:>7.0f} {m['cpu_ms_per_page']:>12.3f} "
              f"{m['peak_tree_rss_mb']:>7.1f}")
    verdict = "meets" if ratio >= MIN_RATIO else "MISSES"
    print(f"\nGEO on / SEO only throughput: {ratio:.1%} ({verdict} the >= {MIN_RATIO:.0%} bar); "
          f"GEO adds {cpu_extra:+.3f} ms CPU per page")
    out_file = OUT_DIR / f"geo-{stamp}.json"
    out_file.write_text(json.dumps({"timestamp": stamp, "pages": args.pages, "runs": rows,
                                    "medians": medians, "ratio": round(ratio, 4)},
                                   indent=2) + "\n", encoding="utf-8")
    print(f"figures written to {out_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
