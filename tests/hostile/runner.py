"""Run one crawl in a fresh process and report it as JSON, with the process's peak memory.

    python -m tests.hostile.runner '{"start_url": "http://127.0.0.1:8000/", ...}'

The options are CrawlOptions fields (allow_private etc. included). Printed: the pages (URL
path, status, error, detail, finding codes, truncated, size), the summary's counts, the crawl
error if the audit could not run, and `rss_growth_mb`: peak RSS (VmHWM) minus the RSS
after the engine was imported and warmed up, i.e. what the crawl itself cost. Used by the
memory-cap tests (a hostile body must not be held in memory) and by the TLS tests that need
their own trust store (SSL_CERT_FILE in the child's environment).
"""

from __future__ import annotations

import json
import resource
import sys
import time


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def _peak_rss_mb() -> float:
    """VmHWM: this process image's peak RSS. Not ru_maxrss, which Linux carries over from the
    parent across fork and exec (a child of a 150 MB pytest would report 150 MB)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> int:
    from audits.engine.analyze import warm_up
    from audits.engine.crawler import CrawlError, run_crawl
    from audits.engine.types import CrawlOptions

    warm_up()
    options = CrawlOptions(**json.loads(argv[1]))
    baseline = _rss_mb()
    pages: list[dict[str, object]] = []
    prefix = "/".join(options.start_url.split("/", 3)[:3])
    started = time.monotonic()
    out: dict[str, object] = {"pages": pages}
    try:
        summary = run_crawl(options, on_page=lambda r: pages.append({
            "path": r.url.removeprefix(prefix) or "/", "status": r.fetch.status,
            "error": r.fetch.error, "detail": r.fetch.error_detail[:300],
            "truncated": r.fetch.truncated, "size": r.fetch.size,
            "hops": [hop.location for hop in r.fetch.redirect_chain],
            "titles": list(r.facts.titles) if r.facts else None,
            "codes": sorted({f.code for f in r.findings})}))
        out["summary"] = {"pages_crawled": summary.pages_crawled,
                          "rejected": summary.rejected,
                          "site_codes": sorted({f.code for f in summary.site_findings})}
    except CrawlError as exc:
        out["crawl_error"] = str(exc)
    out["seconds"] = round(time.monotonic() - started, 2)
    peak = _peak_rss_mb()
    out["baseline_mb"] = round(baseline, 1)
    out["peak_mb"] = round(peak, 1)
    out["rss_growth_mb"] = round(peak - baseline, 1)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
