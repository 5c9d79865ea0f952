"""Analytics and staff-console benchmark: how long the owner analytics and the admin lists
take, and how many queries they run, on a big platform (PostgreSQL).

    python bench/console.py [--sites 100] [--audits-per-site 20] [--findings 200]
                            [--pages 25] [--repeat 5] [--pg-url postgres://postgres@127.0.0.1:5432]

(Re)creates the database `bench_console`, migrates it, seeds one owner with sites × audits
completed audits, each with `--findings` findings (errors/warnings/notices in turn) and
`--pages` pages, written in bulk, then times each row below in-process (Django test client
for the admin pages, a staff session; the selectors for the analytics) and prints the best
and median of `--repeat` runs and the number of SQL queries. No network besides PostgreSQL on
127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_DIR))
DB_NAME = "bench_console"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--audits-per-site", type=int, default=20)
    parser.add_argument("--findings", type=int, default=200)
    parser.add_argument("--pages", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()

    import psycopg

    with psycopg.connect(f"{args.pg_url}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    os.environ["DATABASE_URL"] = f"{args.pg_url}/{DB_NAME}"
    os.environ.setdefault("SEOAUDIT_QUIET_STARTUP", "1")
    os.environ["SEOAUDIT_RATE_LIMITS_ENABLED"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seoaudit.settings")
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.core.management import call_command

    logging.getLogger("seoaudit.request").setLevel(logging.WARNING)
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    seeded = seed(args)
    print(f"seeded: {seeded['audits']:,} audits, {seeded['findings']:,} findings, "
          f"{seeded['pages']:,} pages in {seeded['seconds']:.1f} s")
    measure(args, seeded["owner"])


def seed(args: argparse.Namespace) -> dict:
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from audits.models import Audit, url_hash

    started = time.perf_counter()
    owner = get_user_model().objects.create_user("owner", password="bench-only")
    get_user_model().objects.create_superuser("staff", password="bench-only")
    now = timezone.now()
    audits = []
    for s in range(args.sites):
        for k in range(args.audits_per_site):
            finished = now - timedelta(days=args.audits_per_site - k, minutes=s)
            audits.append(Audit(owner=owner, url=f"https://site{s}.example/",
                                normalized_url=f"https://site{s}.example/",
                                status=Audit.Status.COMPLETED, progress=100,
                                pages_crawled=args.pages, total_pages=args.pages,
                                seo_score=40 + (k * 7 + s) % 60, geo_score=30 + (k * 5 + s) % 70,
                                started_at=finished - timedelta(seconds=20 + s % 40),
                                finished_at=finished))
    Audit.objects.bulk_create(audits, batch_size=2000)
    severities = ("error", "warning", "notice")
    with connection.cursor() as cursor:
        with cursor.copy("COPY audits_page (audit_id, url, url_hash, final_url, status, "
                         "redirect_chain, depth, content_type, size, ttfb_ms, elapsed_ms, title, "
                         "description, canonical, indexable, indexability_reason, word_count, "
                         "content_hash, in_sitemap, inlinks, error, facts) FROM STDIN") as copy:
            for audit in audits:
                for i in range(args.pages):
                    url = f"{audit.url}p{i}"
                    copy.write_row((audit.pk, url, url_hash(url), "", 200, "[]", 1, "text/html",
                                    1000, 10.0, 20.0, f"Page {i}", "", "", True, "", 300, "",
                                    True, 3, "", "{}"))
        cursor.execute("SELECT id, audit_id FROM audits_page WHERE url LIKE %s", ["%p0"])
        first_page = dict((a, p) for p, a in cursor.fetchall())
        with cursor.copy("COPY audits_finding (audit_id, page_id, code, severity, category, "
                         "details) FROM STDIN") as copy:
            for audit in audits:
                page = first_page[audit.pk]
                for i in range(args.findings):
                    copy.write_row((audit.pk, page, "seo.title.missing", severities[i % 3],
                                    "content", "{}"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"owner": owner, "audits": len(audits), "findings": len(audits) * args.findings,
            "pages": len(audits) * args.pages, "seconds": time.perf_counter() - started}


def measure(args: argparse.Namespace, owner) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from analytics import selectors
    from audits.models import Audit

    first_audit = Audit.objects.order_by("created_at").values_list("pk", flat=True).first()

    staff = Client()
    staff.login(username="staff", password="bench-only")
    owner_client = Client()
    owner_client.force_login(owner)

    def get(client, path):
        def run():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        return run

    rows = [
        ("portfolio selector (all sites)", lambda: selectors.portfolio_for_user(user=owner)),
        ("site trend selector", lambda: selectors.site_trend(user=owner, site="site7.example")),
        ("site list selector", lambda: selectors.site_list_for_user(user=owner)),
        ("page /analytics/", get(owner_client, "/analytics/")),
        ("page /analytics/sites/site7.example/", get(owner_client, "/analytics/sites/site7.example/")),
        ("admin audit list", get(staff, "/admin/audits/audit/")),
        ("admin audit list, filtered by status", get(staff, "/admin/audits/audit/?status__exact=COMPLETED")),
        ("admin audit change page", get(staff, f"/admin/audits/audit/{first_audit}/change/")),
        ("admin finding list", get(staff, "/admin/audits/finding/")),
        ("admin page list", get(staff, "/admin/audits/page/")),
        ("admin dashboard", get(staff, "/admin/dashboard/")),
        ("admin users", get(staff, "/admin/auth/user/")),
    ]
    print(f"{'what':40} {'best ms':>9} {'median ms':>10} {'queries':>8}")
    for name, func in rows:
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                func()
                times.append((time.perf_counter() - start) * 1000)
        print(f"{name:40} {min(times):9.1f} {statistics.median(times):10.1f} "
              f"{len(queries.captured_queries):8d}")


if __name__ == "__main__":
    main()
