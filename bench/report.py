"""Report benchmark: the PDF of an audit of 1,000 pages with ~5,000 findings.

    python bench/report.py [--pages 1000] [--findings 5000] [--speed-pages 100]
                           [--ai-fixes 300] [--pg-url URL] [--keep]

What it does: (re)creates the PostgreSQL database `bench_report`, migrates it, seeds two audits
of one site with bulk inserts (the previous one too, so the report has its comparison
section): `--pages` pages each, `--findings` findings spread over real check codes of the
registry (page checks on a share of the pages, a few site-wide ones), scores computed by the
engine's own scoring from those counts, an AI-crawler matrix and an llms.txt proposal in the
summary, page-speed measurements of `--speed-pages` pages (lab mobile + desktop with
every `details` key, PSI field data on a fifth of them) and `--ai-fixes` AI content rows (the
six kinds in turn, over the first pages). Then it renders in a fresh child process (what a
Celery worker does), once per
format: the PDF (English and Spanish), the HTML, CSV, JSON and JUnit files, and prints the
wall and CPU time (CPU does not depend on what else runs on the machine), the database
queries and the child's peak RSS (ru_maxrss,
Django and WeasyPrint included). Target for the PDF: under 15 s and under 500 MB.
Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_DIR))
DB_NAME = "bench_report"
SEED = 8


def _setup_django(pg_url: str) -> None:
    os.environ["DATABASE_URL"] = f"{pg_url.rstrip('/')}/{DB_NAME}"
    os.environ.setdefault("SEOAUDIT_QUIET_STARTUP", "1")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seoaudit.settings")
    import django

    django.setup()


def _recreate_database(pg_url: str) -> None:
    import psycopg

    with psycopg.connect(f"{pg_url.rstrip('/')}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def _seed(pages: int, findings: int) -> tuple[str, str]:
    """Two completed audits of https://shop.example/ (the later one is returned first)."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from audits.engine.ai_agents import load_agents
    from audits.engine.checks.registry import REGISTRY
    from audits.engine.score import compute_geo_score_from_counts, compute_score_from_counts
    from audits.models import Audit, Finding, Page, url_hash

    rng = random.Random(SEED)
    user = get_user_model().objects.create(username="bench")
    page_codes = sorted(c.code for c in REGISTRY.values()
                        if c.scope == "page" and not c.code.startswith("engine."))
    site_codes = ["seo.robots.invalid_lines", "seo.sitemap.lastmod_invalid",
                  "seo.geo.llms_txt_missing", "seo.https.security_headers_missing"]
    chosen = rng.sample(page_codes, 60)
    ids = []
    for age, drift in ((2, 0.0), (0, 0.05)):
        created = timezone.now() - timedelta(days=age)
        audit = Audit.objects.create(owner=user, url="https://shop.example/",
                                     normalized_url="https://shop.example/",
                                     status=Audit.Status.COMPLETED, pages_crawled=pages,
                                     total_pages=pages, progress=100, finished_at=created)
        Audit.objects.filter(pk=audit.pk).update(created_at=created)
        rows = []
        for i in range(pages):
            section = ("products", "blog", "guides", "category")[i % 4]
            url = (f"https://shop.example/{section}/{i:04d}-a-reasonably-long-descriptive-slug"
                   f"-for-page-{i}" + ("?utm_source=newsletter&utm_medium=email" if i % 50 == 0
                                       else ""))
            rows.append(Page(audit=audit, url=url, url_hash=url_hash(url), status=200,
                             depth=1 + i % 5, content_type="text/html; charset=utf-8",
                             size=40_000 + i, ttfb_ms=80.0 + i % 40, elapsed_ms=120.0,
                             title=f"Page {i}", indexable=True, word_count=600 + i % 300,
                             in_sitemap=i % 3 != 0, inlinks=1 + i % 9))
        saved = Page.objects.bulk_create(rows, batch_size=1000)
        per_code: dict[str, int] = {}
        result = []
        per_check = findings // len(chosen)
        for code in chosen:
            check = REGISTRY[code]
            sample = rng.sample(saved, min(per_check, len(saved)))
            if drift:  # the later audit: some issues fixed, some new
                sample = sample[: int(len(sample) * (1 - drift))] + rng.sample(saved, 3)
            unique = {page.pk: page for page in sample}.values()
            per_code[code] = len(unique)
            result += [Finding(audit=audit, page=page, code=code, severity=check.severity,
                               category=check.category, details={"count": rng.randint(1, 9)})
                       for page in unique]
        result += [Finding(audit=audit, page=None, code=code, severity=REGISTRY[code].severity,
                           category=REGISTRY[code].category, details={}) for code in site_codes]
        Finding.objects.bulk_create(result, batch_size=2000)
        error_pages = {f.page_id for f in result
                       if f.page_id and REGISTRY[f.code].severity == "error"
                       and REGISTRY[f.code].category != "geo"}
        score = compute_score_from_counts(pages, len(error_pages), per_code, site_codes)
        geo = compute_geo_score_from_counts(pages, per_code, site_codes)
        urls = ["https://shop.example/"] + [saved[i].url for i in range(1, 11)]
        agents = [{"token": a.token, "operator": a.operator, "purpose": a.purpose,
                   "docs": a.docs, "own_group": a.purpose == "training",
                   "blocked_urls": urls[:3] if a.purpose == "training" else []}
                  for a in load_agents()]
        proposal = "# Shop\n\n> An example shop.\n\n## Products\n\n" + "".join(
            f"- [{p.title}]({p.url}): what this page is about, in one line.\n"
            for p in saved[:80])
        Audit.objects.filter(pk=audit.pk).update(
            seo_score=score.score, geo_score=geo.score if geo else None,
            scores={**score.as_dict(), "geo": geo.as_dict() if geo else None},
            summary={"start_url": "https://shop.example/", "pages_crawled": pages,
                     "elapsed_s": 42.0, "robots": {"status": 200, "error": None},
                     "sitemaps": [{"url": "https://shop.example/sitemap.xml", "status": 200,
                                   "kind": "urlset", "url_count": pages}],
                     "refused_urls": {"max_depth": 12}, "ai_access": {
                         "urls": urls, "robots_mode": "normal", "agents": agents},
                     "llms_txt_proposal": proposal})
        ids.append(str(audit.pk))
    return ids[1], ids[0]


def _seed_display(audit_id: str, speed_pages: int, ai_fixes: int) -> None:
    """The lab step's measurements and AI-generated fixes of the measured audit."""
    from ai.models import AIContent
    from audits.models import Audit, Page
    from pagespeed.models import Measurement

    rng = random.Random(SEED)
    audit = Audit.objects.get(pk=audit_id)
    pages = list(Page.objects.filter(audit=audit).order_by("depth", "url")[:max(speed_pages, 50)])
    rows = []
    for index, page in enumerate(pages[:speed_pages]):
        for form_factor, slow in (("mobile", 2.5), ("desktop", 1.0)):
            details = {"weight_by_type": {"script": rng.randint(1, 900) * 1000,
                                          "image": rng.randint(1, 3000) * 1000,
                                          "stylesheet": rng.randint(1, 200) * 1000},
                       "render_blocking": [{"url": f"https://shop.example/static/{i}.css",
                                            "type": "stylesheet", "bytes": 12_000}
                                           for i in range(rng.randint(0, 12))],
                       "unused_large_images": [{"url": f"https://shop.example/img/{i}.jpg",
                                                "bytes": 400_000, "displayed_w": 300,
                                                "displayed_h": 200, "natural_w": 3000,
                                                "natural_h": 2000} for i in range(3)],
                       "throttling": {"rtt_ms": 150, "cpu_slowdown": 4}}
            rows.append(Measurement(
                owner=audit.owner, audit=audit, page=page, url=page.url, form_factor=form_factor,
                status="done", lcp_ms=rng.uniform(800, 3000) * slow, cls=rng.uniform(0, 0.3),
                tbt_ms=rng.uniform(0, 400) * slow, fcp_ms=rng.uniform(500, 1500) * slow,
                ttfb_ms=rng.uniform(50, 900), score=rng.randint(20, 100),
                page_weight_bytes=rng.randint(200, 5000) * 1000, request_count=rng.randint(5, 150),
                details=details))
        if index % 5 == 0:
            rows.append(Measurement(owner=audit.owner, audit=audit, page=page, url=page.url,
                                    form_factor="mobile", source="psi", status="done",
                                    lcp_ms=2600.0, cls=0.05, tbt_ms=300.0, fcp_ms=1500.0,
                                    ttfb_ms=700.0, score=70, details={"field": {
                                        "lcp_ms": {"p75": 2400, "category": "FAST"},
                                        "inp_ms": {"p75": 250, "category": "AVERAGE"}}}))
    Measurement.objects.bulk_create(rows, batch_size=1000)
    kinds = list(AIContent.Kind.values)
    outputs = {"title_meta": {"title": "A proposed title of a good length",
                              "meta_description": "A proposed meta description " * 4},
               "alt_text": {"images": [{"src": f"https://shop.example/img/{i}.jpg",
                                        "alt": "A product photo"} for i in range(12)]},
               "faq": {"faq": [{"question": f"Question {i}?", "answer": "An answer. " * 8}
                               for i in range(6)]},
               "json_ld": {"schema_type": "Product", "json_ld": {
                   "@context": "https://schema.org", "@type": "Product", "name": "A product",
                   "offers": {"@type": "Offer", "price": "19.00", "priceCurrency": "EUR"}}},
               "llms_txt": {"llms_txt": "# Shop\n\n> An example shop.\n" + "- [a](b)\n" * 500},
               "geo_brief": {"summary": "A brief.", "answer_first": "An answer. " * 8,
                             "statistics": ["Add figures."], "quotations": ["Quote someone."],
                             "sources": ["Cite a study."], "structure": ["Use headings."],
                             "findings": ["seo.geo.no_statistics"]}}
    contents = [AIContent(kind=kinds[i % len(kinds)], audit=audit,
                          page=pages[(i // len(kinds)) % len(pages)],
                          page_url=pages[(i // len(kinds)) % len(pages)].url,
                          output=outputs[kinds[i % len(kinds)]], provider="openai",
                          model="gpt-4o-mini", offline=i % 7 == 0, status="done",
                          created_by=audit.owner) for i in range(ai_fixes)]
    AIContent.objects.bulk_create(contents, batch_size=1000)


def _render(audit_id: str, fmt: str, language: str, out: str) -> None:
    """Child process: build and render one report, print its figures as JSON."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from audits.models import Audit
    from reports import services

    audit = Audit.objects.get(pk=audit_id)
    cpu_before = time.process_time()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries, open(out, "wb") as stream:
        size = services.report_write(audit=audit, format=fmt, language=language, stream=stream)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"format": fmt, "language": language, "seconds": round(seconds, 2),
                      "cpu_s": round(cpu, 2),
                      "bytes": size, "queries": len(queries.captured_queries),
                      "peak_rss_mb": round(peak, 1)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--findings", type=int, default=5000)
    parser.add_argument("--speed-pages", type=int, default=100)
    parser.add_argument("--ai-fixes", type=int, default=300)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--out-dir", default="/tmp/bench-report")
    parser.add_argument("--render", nargs=4, metavar=("AUDIT", "FORMAT", "LANG", "OUT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.render:
        _setup_django(args.pg_url)
        _render(*args.render)
        return
    _recreate_database(args.pg_url)
    _setup_django(args.pg_url)
    from django.core.management import call_command

    from audits.models import Finding

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    audit_id, _previous_id = _seed(args.pages, args.findings)
    _seed_display(audit_id, args.speed_pages, args.ai_fixes)
    print(f"seeded 2 audits x {args.pages} pages, "
          f"{Finding.objects.filter(audit_id=audit_id).count()} findings in the measured one "
          f"({time.perf_counter() - started:.1f} s)")
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"{'format':<10} {'lang':<4} {'seconds':>8} {'CPU s':>6} {'size KB':>9} "
          f"{'queries':>8} {'peak RSS MB':>12}")
    for fmt, language in (("pdf", "en"), ("pdf", "es"), ("html", "en"), ("csv", "en"),
                          ("json", "en"), ("junit", "en"), ("md", "en")):
        out = out_dir / f"report-{language}.{fmt}"
        child = subprocess.run(
            [sys.executable, __file__, "--pg-url", args.pg_url, "--render", audit_id, fmt,
             language, str(out)], capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONPATH": str(REPO_DIR)})
        row = json.loads(child.stdout.strip().splitlines()[-1])
        print(f"{fmt:<10} {language:<4} {row['seconds']:>8.2f} {row['cpu_s']:>6.2f} "
              f"{row['bytes'] / 1024:>9.0f} "
              f"{row['queries']:>8} {row['peak_rss_mb']:>12.1f}")
    print(f"files in {out_dir}; target for the PDF: < 15 s, < 500 MB peak RSS")


if __name__ == "__main__":
    main()
