"""CPU cost of saving crawl results to PostgreSQL (`audits.persistence.AuditWriter`), alone.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME python bench/persist_speed.py
        [--site bench/out/site-2000] [--pages 1000] [--rounds 3]

Analyses the generated site's pages once (as the parse workers would, links shared through
the worker's link cache as the pool's link table shares them), then saves them to a fresh
audit `--rounds` times and prints, per page: CPU ms of the saving process (time.process_time:
row building, COPY formatting, psycopg) and wall ms (which includes waiting on the server).
The database must be migrated (`manage.py migrate`); each round's audit is deleted afterwards.
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seoaudit.settings")
os.environ.setdefault("SEOAUDIT_QUIET_STARTUP", "1")

ORIGIN = "http://127.0.0.1:8080"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", default=str(BENCH_DIR / "out" / "site-2000"))
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from audits.engine.analyze import analyze_page
    from audits.engine.types import CrawlOptions, FetchResult
    from audits.models import Audit
    from audits.persistence import AuditWriter

    site = Path(args.site)
    files = sorted(site.glob("section-*/page-*.html.gz"))[:args.pages]
    if not files:
        parser.error(f"no pages under {site} (generate it with bench/sitegen.py)")
    options = CrawlOptions(start_url=ORIGIN + "/", allow_private=True)
    results = []
    for file in files:
        url = f"{ORIGIN}/{file.relative_to(site).as_posix()[:-3]}"
        fetch = FetchResult(requested_url=url, final_url=url, status=200,
                            headers=(("content-type", "text/html; charset=utf-8"),),
                            body=gzip.decompress(file.read_bytes()),
                            content_type="text/html; charset=utf-8")
        results.append(analyze_page(fetch, depth=1, found_on="", in_sitemap=True,
                                    robots_allowed=True, options=options,
                                    start_host="127.0.0.1"))
    links = sum(len(r.facts.links) for r in results if r.facts)
    findings = sum(len(r.findings) for r in results)
    owner, _ = get_user_model().objects.get_or_create(username="bench-persist")
    cpu_best = wall_best = sys_best = float("inf")
    for _ in range(args.rounds):
        audit = Audit.objects.create(owner=owner, url=ORIGIN + "/", normalized_url=ORIGIN + "/")
        writer = AuditWriter(audit)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        sys0 = resource.getrusage(resource.RUSAGE_SELF).ru_stime
        for result in results:
            writer.add(result)
        writer.flush()
        cpu_best = min(cpu_best, time.process_time() - cpu0)
        sys_best = min(sys_best, resource.getrusage(resource.RUSAGE_SELF).ru_stime - sys0)
        wall_best = min(wall_best, time.perf_counter() - wall0)
        audit.delete()
    n = len(results)
    print(f"{n} pages, {links / n:.0f} links and {findings / n:.1f} findings a page; best of "
          f"{args.rounds}: {cpu_best / n * 1000:.3f} CPU ms/page (system {sys_best / n * 1000:.3f}), "
          f"{wall_best / n * 1000:.3f} wall "
          f"ms/page in the saving process")
    return 0


if __name__ == "__main__":
    sys.exit(main())
