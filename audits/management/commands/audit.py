"""`manage.py audit URL`: audit a site from the terminal or a CI job.

Exit status: 0 done, 1 a score below --fail-under or --fail-under-geo, 2 the audit could not
run (one-line reason).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audits import selectors, services
from audits.cli_output import SEVERITY_ORDER, write_output
from audits.engine.checks.registry import REGISTRY
from audits.engine.crawler import CrawlError, CrawlRun
from audits.engine.types import CrawlProgress
from audits.engine.urls import InvalidURL, normalize_url
from audits.exceptions import AuditError
from audits.models import Audit
from audits.options import clean_audit_options, crawl_options_for

CLI_USERNAME = "cli"


class Command(BaseCommand):
    help = "Crawl a site, run every check, print findings and the SEO score."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url")
        parser.add_argument("--max-pages", "--pages", dest="max_pages", type=int, default=None,
                            help="page cap (default 500)")
        parser.add_argument("--max-depth", type=int, default=None)
        parser.add_argument("--concurrency", type=int, default=None,
                            help="parallel requests to the host (default 8)")
        parser.add_argument("--crawl-delay", type=float, default=None,
                            help="seconds between requests to the host")
        parser.add_argument("--timeout", type=float, default=None,
                            help="total seconds allowed per request (default 30)")
        parser.add_argument("--allow-private", action="store_true",
                            help="allow loopback/private addresses (local or staging sites)")
        parser.add_argument("--ignore-robots", action="store_true",
                            help="do not obey robots.txt (only for your own site)")
        parser.add_argument("--include-subdomains", action="store_true")
        parser.add_argument("--include", action="append", default=[], metavar="REGEX")
        parser.add_argument("--exclude", action="append", default=[], metavar="REGEX")
        parser.add_argument("--no-sitemaps", action="store_true")
        parser.add_argument("--no-resources", action="store_true",
                            help="do not check images, CSS/JS and external links after the crawl")
        parser.add_argument("--no-external", action="store_true",
                            help="do not send any request to other hosts (external links, CDNs)")
        parser.add_argument("--geo-live-check", action="store_true",
                            help="also fetch key pages as AI agents and as a browser and compare "
                                 "(finds WAF/CDN bot blocking)")
        parser.add_argument("--no-geo", action="store_true",
                            help="classic SEO audit only: no GEO checks, llms.txt or GEO score")
        parser.add_argument("--js-render-sample", type=int, default=None, metavar="N",
                            help="render N key pages in headless Chromium with JavaScript off "
                                 "and on and compare them (default 10; 0 turns it off)")
        parser.add_argument("--pagespeed-sample", type=int, default=None, metavar="N",
                            help="measure N pages in the page-speed lab (headless Chromium, "
                                 "mobile and desktop; default 5; 0 turns it off)")
        parser.add_argument("--user-agent", default=None)
        parser.add_argument("--parse-workers", type=int, default=None)
        parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
        parser.add_argument("--output", "-o", default=None, help="write to FILE, not stdout")
        parser.add_argument("--no-save", action="store_true",
                            help="do not store the audit in the database")
        parser.add_argument("--fail-under", type=float, default=None, metavar="SCORE",
                            help="exit 1 when the SEO score is below SCORE")
        parser.add_argument("--fail-under-geo", type=float, default=None, metavar="SCORE",
                            help="exit 1 when the GEO score is below SCORE")
        parser.add_argument("--owner", default=None,
                            help="username that owns the saved audit (default: cli)")

    def handle(self, *args: Any, **opts: Any) -> None:
        options = self._audit_options(opts)
        url = opts["url"].strip()
        try:
            normalize_url(url)
        except InvalidURL as exc:
            raise CommandError(f"invalid URL {url[:200]!r}: {exc}", returncode=2) from exc
        with self._progress() as report:
            if opts["no_save"]:
                meta, checks, spool = self._run_unsaved(url, options, report)
                findings: Any = _read_spool(spool)
            else:
                meta, checks, audit = self._run_saved(url, options, opts["owner"], report)
                findings = selectors.finding_iter(audit=audit)
            with _open_output(opts["output"], self.stdout._out) as stream:
                write_output(opts["format"], stream, meta=meta, checks=checks,
                             findings=findings)
        scores = meta.get("score") or {}
        gates = (("score", scores.get("score"), opts["fail_under"], "--fail-under"),
                 ("GEO score", (scores.get("geo") or {}).get("score"), opts["fail_under_geo"],
                  "--fail-under-geo"))
        failed = [f"{name} {value} is below {flag} {limit}" for name, value, limit, flag in gates
                  if limit is not None and (value is None or value < limit)]
        if failed:
            self.stderr.write("; ".join(failed))
            sys.exit(1)

    # -- option handling -----------------------------------------------------------------
    def _audit_options(self, opts: dict[str, Any]) -> dict[str, Any]:
        raw: dict[str, Any] = {}
        for key in ("max_pages", "max_depth", "concurrency", "crawl_delay", "timeout",
                    "user_agent", "parse_workers", "js_render_sample",
                    "pagespeed_sample"):
            if opts[key] is not None:
                raw[key] = opts[key]
        for flag in ("allow_private", "ignore_robots", "include_subdomains", "geo_live_check"):
            if opts[flag]:
                raw[flag] = True
        if opts["no_sitemaps"]:
            raw["use_sitemaps"] = False
        if opts["no_geo"]:
            raw["geo"] = False
        if opts["no_resources"]:
            raw["check_resources"] = False
        if opts["no_external"]:
            raw["check_external_links"] = False
        if opts["include"]:
            raw["include"] = opts["include"]
        if opts["exclude"]:
            raw["exclude"] = opts["exclude"]
        try:
            return clean_audit_options(raw)
        except AuditError as exc:
            raise CommandError(str(exc), returncode=2) from exc

    # -- runs ------------------------------------------------------------------------------
    def _run_saved(self, url: str, options: dict[str, Any], owner: str | None,
                   report: Any) -> tuple[dict[str, Any], list[dict[str, Any]], Audit]:
        user = _owner(owner)
        try:
            audit = services.audit_create(owner=user, url=url, options=options, enqueue=False)
        except AuditError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        audit = services.audit_run(audit_id=audit.pk,
                                   on_progress=lambda _audit, progress: report(progress))
        if audit.status == Audit.Status.FAILED:
            raise CommandError(audit.error.splitlines()[0] if audit.error else "audit failed",
                               returncode=2)
        if audit.status != Audit.Status.COMPLETED:
            raise CommandError(f"audit ended as {audit.status}", returncode=2)
        meta = {"audit_id": str(audit.pk), "url": audit.normalized_url,
                "status": audit.status, "pages_crawled": audit.pages_crawled,
                "elapsed_s": audit.summary.get("elapsed_s"), "score": audit.scores,
                "summary": audit.summary}
        return meta, selectors.finding_summary(audit=audit), audit

    def _run_unsaved(self, url: str, options: dict[str, Any], report: Any
                     ) -> tuple[dict[str, Any], list[dict[str, Any]], IO[str]]:
        spool = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - read later
        counts: Counter[str] = Counter()
        try:
            run = CrawlRun(crawl_options_for(url, options))
            last = 0.0
            for result in run:
                _spool_findings(spool, result.findings, counts)
                now = time.monotonic()
                if now - last > 0.5:
                    last = now
                    report(run.progress())
        except CrawlError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        summary = run.summary
        assert summary is not None
        _spool_findings(spool, summary.site_findings, counts)
        meta = {"audit_id": None, "url": summary.start_url, "status": "COMPLETED",
                "pages_crawled": summary.pages_crawled, "elapsed_s": summary.elapsed_s,
                "score": {**summary.score.as_dict(),
                          "geo": summary.geo.as_dict() if summary.geo is not None else None},
                "summary": services.summary_as_dict(summary)}
        return meta, _check_rows(counts), spool

    @contextmanager
    def _progress(self) -> Iterator[Any]:
        if sys.stderr.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            with Progress(TextColumn("crawling"), BarColumn(), MofNCompleteColumn(),
                          TextColumn("{task.description}"), transient=True) as bar:
                task = bar.add_task("", total=None)

                def update(progress: CrawlProgress) -> None:
                    bar.update(task, completed=progress.pages_crawled,
                               total=max(progress.total_estimate, progress.pages_crawled),
                               description=progress.current_url[-60:])

                yield update
            return
        state = {"last": 0.0}

        def plain(progress: CrawlProgress) -> None:
            now = time.monotonic()
            if now - state["last"] >= 2.0:
                state["last"] = now
                self.stderr.write(f"crawled {progress.pages_crawled}/"
                                  f"{max(progress.total_estimate, progress.pages_crawled)} pages")

        yield plain


def _owner(username: str | None) -> Any:
    user_model = get_user_model()
    if username:
        try:
            return user_model.objects.get(username=username)
        except user_model.DoesNotExist as exc:
            raise CommandError(f"no user named {username!r}", returncode=2) from exc
    user, created = user_model.objects.get_or_create(username=CLI_USERNAME,
                                                      defaults={"is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _spool_findings(spool: IO[str], findings: Any, counts: Counter[str]) -> None:
    for finding in findings:
        check = REGISTRY.get(finding.code)
        row = {"url": finding.url, "code": finding.code,
               "severity": check.severity if check else "notice",
               "category": check.category if check else "crawlability",
               "title": check.title if check else finding.code, "details": finding.details}
        counts[finding.code] += 1
        spool.write(json.dumps(row, default=str) + "\n")


def _read_spool(spool: IO[str]) -> Iterator[dict[str, Any]]:
    spool.seek(0)
    for line in spool:
        yield json.loads(line)
    spool.close()


def _check_rows(counts: Counter[str]) -> list[dict[str, Any]]:
    rows = []
    for code, count in counts.items():
        check = REGISTRY.get(code)
        rows.append({"code": code, "severity": check.severity if check else "notice",
                     "category": check.category if check else "crawlability",
                     "title": check.title if check else code, "count": count})
    rows.sort(key=lambda r: (SEVERITY_ORDER.get(r["severity"], 3), -r["count"], r["code"]))
    return rows


@contextmanager
def _open_output(path: str | None, stdout: IO[str]) -> Iterator[IO[str]]:
    if not path or path == "-":
        yield stdout
        return
    try:
        handle = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror}", returncode=2) from exc
    with handle:
        yield handle
