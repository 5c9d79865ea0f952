"""Distributed crawl: a large audit runs as work units that any Celery worker can take.

    audit_run (coordinator)  -> crawl_start: robots.txt, sitemaps, probes; seed the frontier;
                                enqueue the first unit
    crawl_unit (any worker)  -> unit_run: claim a batch, crawl it, admit the links found,
                                save pages + links + findings and mark the batch done in one
                                transaction, enqueue successors
    the last unit            -> crawl_finalize: site-wide checks and score from the stored
                                rows, once (conditional UPDATE + row lock)

Every step is safe to run twice and safe to kill at any point (docs/scaling.md, "Faults").
"""

from __future__ import annotations

import asyncio
import json
import math
import pickle
import sys
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import structlog
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from ..engine.batch import BatchCrawl, BatchItem, BatchOutcome, Discovered
from ..engine.checks.registry import REGISTRY
from ..engine.crawler import EXTERNAL_KINDS, Crawler, CrawlError, PreparedSite
from ..engine.fetch import Fetcher
from ..engine.parse import resolved_canonical
from ..engine.score import counts_as_seo_error
from ..engine.site import PageRecord
from ..engine.types import CrawlOptions, CrawlProgress, PageResult, Severity
from ..models import Audit, CrawlJob, CrawlURL, Finding, Link, Page, url_hash
from ..options import crawl_options_for
from ..persistence import AuditWriter, clean_json_text
from .frontier import (
    FrontierCounts,
    frontier_admit,
    frontier_claim,
    frontier_complete,
    frontier_counts,
    frontier_discard,
    frontier_lock_claims,
    frontier_promote_sitemap,
    frontier_renew,
    frontier_seed,
)
from .politeness import RedisHostGate

log = structlog.get_logger(__name__)

#: Seconds between checks of the audit's status while a unit crawls (cancellation).
STATUS_CHECK_S = 1.0


def crawl_is_distributed(options: CrawlOptions) -> bool:
    """Large audits in production mode run on work units; small ones, the embedded mode
    (no shared broker) and eager Celery keep the single-task path."""
    return (settings.RUN_MODE == "production" and not settings.CELERY_TASK_ALWAYS_EAGER
            and options.max_pages > settings.SEOAUDIT_DISTRIBUTED_MIN_PAGES)


def crawl_job_exists(*, audit_id: Any) -> bool:
    return CrawlJob.objects.filter(pk=audit_id).exists()


def unit_options(options: CrawlOptions) -> CrawlOptions:
    # No parse pool in a unit (its start-up costs more than a batch; Celery's prefork
    # children may not start one anyway); the render sample runs in the finalizer only.
    return replace(options, parse_workers=0)


# --- coordinator ---------------------------------------------------------------------------

def crawl_start(*, audit: Audit, options: CrawlOptions) -> None:
    """Prepare the crawl and enqueue its first unit; a crawl that has a job already (a
    redelivered or taken-over coordinator) is resumed instead. Raises CrawlError."""
    if crawl_job_exists(audit_id=audit.pk):
        log.info("distributed.resume", audit_id=str(audit.pk))
        transaction.on_commit(lambda: enqueue_units(audit_id=audit.pk, count=1, watch=True))
        return
    crawler = Crawler(unit_options(options))
    prepared = asyncio.run(_prepare(crawler))
    sitemap_urls = crawler.frontier.take_sitemap_urls()
    with transaction.atomic():
        job, created = CrawlJob.objects.get_or_create(
            audit=audit, defaults={"robots": pickle.dumps(prepared.robots),
                                   "site_state": pickle.dumps(prepared),
                                   "rejected": dict(crawler.frontier.rejected)})
        if created:
            frontier_seed(job=job, start_url=crawler.start_url, sitemap_urls=sitemap_urls,
                          in_sitemap=prepared.sitemap_urls)
        transaction.on_commit(lambda: enqueue_units(audit_id=audit.pk, count=1, watch=True))
    log.info("distributed.start", audit_id=str(audit.pk), sitemap_urls=len(sitemap_urls))


async def _prepare(crawler: Crawler) -> PreparedSite:
    async with Fetcher(crawler.options) as fetcher:
        return await crawler.prepare(fetcher)


def enqueue_units(*, audit_id: Any, count: int, watch: bool = False,
                  countdown: float | None = None) -> None:
    """Put `count` crawl units of the audit on the queue. A watching unit that finds no work
    while other units hold claims comes back when their lease would run out."""
    from ..tasks import crawl_unit

    queue = settings.SEOAUDIT_DISTRIBUTED_QUEUE or None
    for _ in range(count):
        crawl_unit.apply_async(args=[str(audit_id)], kwargs={"watch": watch}, queue=queue,
                               countdown=countdown)


# --- a work unit ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class UnitReport:
    outcome: str
    pages: int = 0


def unit_run(*, audit_id: Any, watch: bool = False) -> UnitReport:
    """Claim a batch of the audit's frontier, crawl it, save it; then enqueue what is next.
    Idempotent: a redelivered unit finds its URLs done (or claims others)."""
    job = CrawlJob.objects.filter(pk=audit_id).only("finished", "units_run").first()
    if job is None or job.finished:
        return UnitReport("finished")
    audit = Audit.objects.filter(pk=audit_id).first()
    if audit is None:
        return UnitReport("inactive")
    if audit.status != Audit.Status.RUNNING:
        if audit.status in (Audit.Status.CANCELLED, Audit.Status.FAILED):
            frontier_discard(audit_id=audit_id)
        return UnitReport("inactive")
    lease = settings.SEOAUDIT_DISTRIBUTED_LEASE_SECONDS
    token = uuid.uuid4().hex
    items = frontier_claim(audit_id=audit_id, token=token,
                           batch=settings.SEOAUDIT_DISTRIBUTED_BATCH, lease_s=lease,
                           max_attempts=settings.SEOAUDIT_DISTRIBUTED_MAX_ATTEMPTS)
    if not items:
        return UnitReport(_after_unit(audit, productive=watch))
    CrawlJob.objects.filter(pk=audit_id).update(units_run=F("units_run") + 1)
    options = unit_options(crawl_options_for(audit.normalized_url, audit.options))
    robots = pickle.loads(CrawlJob.objects.values_list("robots", flat=True).get(pk=audit_id))  # noqa: S301 - written by crawl_start
    cancel = threading.Event()
    keeper = _ClaimKeeper(audit_id, token, cancel, lease)
    keeper.start()
    try:
        outcome = asyncio.run(_crawl_batch(audit_id, options, items, robots, cancel))
    except CrawlError as exc:
        from ..services import _fail

        _fail(audit, str(exc))
        return UnitReport("failed")
    finally:
        keeper.stop()
    if cancel.is_set():
        return UnitReport("cancelled")
    pages = _save_batch(audit, options, token, outcome)
    return UnitReport(_after_unit(audit, productive=True), pages)


async def _crawl_batch(audit_id: Any, options: CrawlOptions, items: list[BatchItem],
                       robots: Any, cancel: threading.Event) -> BatchOutcome:
    gate = None
    if settings.REDIS_URL:
        delay = options.crawl_delay
        if robots is not None and robots.crawl_delay and options.respect_robots:
            delay = max(delay, robots.crawl_delay)
        gate = RedisHostGate(settings.REDIS_URL, scope=str(audit_id),
                             limit=options.per_host_concurrency, delay_s=delay,
                             lease_ttl_s=options.total_timeout + 10)
    try:
        outcome = await BatchCrawl(options, items, robots=robots, host_gate=gate,
                                   cancel=cancel).run()
    finally:
        if gate is not None:
            await gate.close()
    outcome.gate_calls = gate.calls if gate is not None else 0
    return outcome


class _ClaimKeeper(threading.Thread):
    """While a unit crawls: renew its claims' lease and stop it when the audit is no longer
    RUNNING (cancelled, failed, deleted), within STATUS_CHECK_S."""

    def __init__(self, audit_id: Any, token: str, cancel: threading.Event, lease: float) -> None:
        super().__init__(name="crawl-unit-keeper", daemon=True)
        self.audit_id, self.token, self.cancel, self.lease = audit_id, token, cancel, lease
        self._stopped = threading.Event()

    def run(self) -> None:
        renew_every = max(STATUS_CHECK_S, self.lease / 3)
        renewed = 0.0
        elapsed = 0.0
        try:
            while not self._stopped.wait(STATUS_CHECK_S):
                elapsed += STATUS_CHECK_S
                if not Audit.objects.filter(pk=self.audit_id,
                                            status=Audit.Status.RUNNING).exists():
                    self.cancel.set()
                    return
                if elapsed - renewed >= renew_every:
                    renewed = elapsed
                    frontier_renew(audit_id=self.audit_id, token=self.token)
                    # The audit's heartbeat too: a long batch is not a lost worker.
                    Audit.objects.filter(pk=self.audit_id, status=Audit.Status.RUNNING).update(
                        updated_at=timezone.now())
        except Exception:
            log.exception("distributed.keeper_failed", audit_id=str(self.audit_id))
        finally:
            connections.close_all()

    def stop(self) -> None:
        self._stopped.set()
        self.join(timeout=10)


def _save_batch(audit: Audit, options: CrawlOptions, token: str, outcome: BatchOutcome) -> int:
    """Admit the links found, then save the batch's pages in one transaction with marking
    their URLs done, only for claims this unit still holds. A unit killed between the two
    steps leaves admitted URLs (idempotent) and claims that expire and are crawled again."""
    audit_id = audit.pk
    discovered = outcome.discovered
    frontier_admit(audit_id=audit_id, discovered=discovered, max_pages=options.max_pages,
                   max_query_variants=options.max_query_variants_per_path,
                   rejected=outcome.rejected)
    targets: dict[str, bool] = {}
    if outcome.redirect_targets:
        by_url = {r.url: r for r in outcome.results}
        targets = frontier_admit(
            audit_id=audit_id, max_pages=options.max_pages,
            max_query_variants=options.max_query_variants_per_path, claim_token=token,
            discovered=[Discovered(url, by_url[url].depth, by_url[url].found_on)
                        for url in outcome.redirect_targets if url in by_url])
    results = []
    for result in outcome.results:
        if result.url in outcome.redirect_targets:
            if result.url not in targets:
                continue  # known already: crawled (or to be crawled) as its own URL
            if targets[result.url] and not result.in_sitemap:
                result = replace(result, in_sitemap=True)
        results.append(result)
    with transaction.atomic():
        mine = frontier_lock_claims(audit_id=audit_id, token=token)
        hashes = {r.url: url_hash(r.url) for r in results}
        saved = set(Page.objects.filter(audit_id=audit_id, url_hash__in=list(hashes.values()))
                    .values_list("url_hash", flat=True))
        held = [r for r in results if hashes[r.url] in mine]
        fresh = [r for r in held if hashes[r.url] not in saved]
        writer = AuditWriter(audit)
        for result in fresh:
            writer.add(result)
        writer.flush()
        frontier_complete(audit_id=audit_id, token=token,
                          records={hashes[r.url]: clean_json_text(_record(r).as_row())
                                   for r in held})
        severity = _severity_counts(fresh)
        pages = sum(1 for r in fresh if r.fetch.error != "robots_blocked")
        CrawlJob.objects.filter(pk=audit_id).update(
            pages_done=F("pages_done") + pages,
            findings_error=F("findings_error") + severity[Severity.ERROR],
            findings_warning=F("findings_warning") + severity[Severity.WARNING],
            findings_notice=F("findings_notice") + severity[Severity.NOTICE],
            current_url=fresh[-1].url if fresh else F("current_url"))
    log.info("distributed.unit_saved", audit_id=str(audit_id), pages=len(fresh),
             dropped=len(results) - len(fresh), links_found=len(discovered),
             politeness_redis_calls=outcome.gate_calls)
    return len(fresh)


def _record(result: PageResult) -> PageRecord:
    facts = result.facts
    return PageRecord.from_result(result, resolved_canonical(facts) if facts is not None else None)


def _severity_counts(results: list[PageResult]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for result in results:
        for finding in result.findings:
            check = REGISTRY.get(finding.code)
            counts[check.severity if check else Severity.NOTICE] += 1
    return counts


def _after_unit(audit: Audit, *, productive: bool) -> str:
    """Enqueue the next units, or finish the crawl when its frontier is empty.

    A unit that crawled something keeps the crawl going: up to SPAWN successors while URLs
    wait, or one watching unit while other units hold claims (if their worker died, the
    watcher takes the URLs back once the lease ran out). A unit that found nothing to claim
    ends quietly, unless the whole frontier is done: then it finalizes.
    """
    audit_id = audit.pk
    lease = settings.SEOAUDIT_DISTRIBUTED_LEASE_SECONDS
    counts = frontier_counts(audit_id=audit_id, lease_s=lease)
    _progress(audit, counts)
    waiting = counts.queued + counts.expired
    if waiting:
        if productive:
            batch = settings.SEOAUDIT_DISTRIBUTED_BATCH
            enqueue_units(audit_id=audit_id,
                          count=min(settings.SEOAUDIT_DISTRIBUTED_SPAWN, math.ceil(waiting / batch)))
        return "continue"
    if counts.claimed:
        if productive:
            enqueue_units(audit_id=audit_id, count=1, watch=True, countdown=lease + 1)
        return "watch"
    options = crawl_options_for(audit.normalized_url, audit.options)
    if counts.sitemap and frontier_promote_sitemap(audit_id=audit_id, max_pages=options.max_pages):
        enqueue_units(audit_id=audit_id, count=settings.SEOAUDIT_DISTRIBUTED_SPAWN)
        return "sitemap"
    return "finalized" if crawl_finalize(audit_id=audit_id) else "finalizing"


def _progress(audit: Audit, counts: FrontierCounts) -> None:
    from ..services import _save_progress

    job = CrawlJob.objects.only("pages_done", "admitted", "findings_error", "findings_warning",
                                "findings_notice", "current_url").get(pk=audit.pk)
    max_pages = crawl_options_for(audit.normalized_url, audit.options).max_pages
    _save_progress(audit, CrawlProgress(
        pages_crawled=job.pages_done, pages_queued=counts.in_flight,
        total_estimate=max(job.pages_done, min(max_pages, job.admitted + counts.sitemap)),
        current_url=job.current_url,
        findings_by_severity={Severity.ERROR: job.findings_error,
                              Severity.WARNING: job.findings_warning,
                              Severity.NOTICE: job.findings_notice}))


# --- the end -------------------------------------------------------------------------------

def crawl_finalize(*, audit_id: Any) -> bool:
    """Site-wide checks, score and completion, exactly once; True when this call did it.

    The finalizer is taken with a conditional UPDATE (a crashed one is taken over after
    SEOAUDIT_DISTRIBUTED_FINALIZE_LEASE_SECONDS); its writes and the audit's completion are
    one transaction under the job's row lock, checked against `finished`.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=settings.SEOAUDIT_DISTRIBUTED_FINALIZE_LEASE_SECONDS)
    if not CrawlJob.objects.filter(pk=audit_id, finished=False).filter(
            Q(finalize_started_at__isnull=True) | Q(finalize_started_at__lt=stale)
    ).update(finalize_started_at=now):
        return False
    audit = Audit.objects.get(pk=audit_id)
    counts = frontier_counts(audit_id=audit_id,
                             lease_s=settings.SEOAUDIT_DISTRIBUTED_LEASE_SECONDS)
    if audit.status != Audit.Status.RUNNING or counts.in_flight or (
            counts.sitemap and _room(audit)):
        # Work appeared since the caller looked (another unit queued the sitemap-only URLs):
        # the unit that ends last finalizes.
        CrawlJob.objects.filter(pk=audit_id, finalize_started_at=now).update(
            finalize_started_at=None)
        return False
    from ..services import _finish

    options = unit_options(crawl_options_for(audit.normalized_url, audit.options))
    crawler = _rebuild_crawler(audit, options)
    asyncio.run(_after_crawl(crawler))
    summary = crawler.finish()
    with transaction.atomic():
        job = CrawlJob.objects.select_for_update().only("finished").get(pk=audit_id)
        if job.finished:
            return False
        writer = AuditWriter(audit)
        writer.write_site_findings(summary.site_findings)
        writer.resolve_links()
        CrawlJob.objects.filter(pk=audit_id).update(finished=True)
        _finish(audit, summary)
    frontier_discard(audit_id=audit_id)
    log.info("distributed.finish", audit_id=str(audit_id), pages=summary.pages_crawled)
    return True


def _room(audit: Audit) -> bool:
    max_pages = crawl_options_for(audit.normalized_url, audit.options).max_pages
    return CrawlJob.objects.filter(pk=audit.pk, admitted__lt=max_pages).exists()


async def _after_crawl(crawler: Crawler) -> None:
    async with Fetcher(crawler.options) as fetcher:
        await crawler.after_crawl(fetcher)


def _rebuild_crawler(audit: Audit, options: CrawlOptions) -> Crawler:
    """A Crawler whose SiteView and counters are rebuilt from the stored rows, streamed."""
    job = CrawlJob.objects.get(pk=audit.pk)
    prepared: PreparedSite = pickle.loads(job.site_state)  # noqa: S301 - written by crawl_start
    code_pages = dict(Finding.objects.filter(audit_id=audit.pk, page__isnull=False)
                      .values_list("code").annotate(n=Count("id")).order_by())
    error_codes = [code for code in code_pages if counts_as_seo_error(code)]
    error_pages = set(Page.objects.filter(audit_id=audit.pk, findings__code__in=error_codes)
                      .values_list("url", flat=True).distinct()) if error_codes else set()
    started = audit.started_at or job.created_at
    crawler = Crawler(options)
    crawler.restore(prepared, pages_crawled=job.pages_done, code_pages=code_pages,
                    error_pages=error_pages, rejected=job.rejected,
                    elapsed_s=(timezone.now() - started).total_seconds())
    site = crawler.site
    for row in _stream(f"SELECT record FROM {CrawlURL._meta.db_table} "  # noqa: S608
                       "WHERE audit_id = %s AND state = 'done' AND record IS NOT NULL ORDER BY id",
                       [audit.pk]):
        record = row[0]
        site.add_page(PageRecord.from_row(json.loads(record) if isinstance(record, str) else record))
    urls = dict(Page.objects.filter(audit_id=audit.pk).values_list("id", "url").iterator(
        chunk_size=5000))
    for source_id, target, anchor, kind, internal in _stream(
            f"SELECT source_id, target_url, anchor, kind, internal FROM {Link._meta.db_table} "  # noqa: S608
            "WHERE audit_id = %s ORDER BY id", [audit.pk]):
        source = urls.get(source_id)
        if source is None:
            continue
        if internal:
            site.add_link(source, sys.intern(target), anchor, kind)
        elif kind in EXTERNAL_KINDS and target.startswith(("http://", "https://")):
            site.add_external_link(source, target, anchor, kind)
    return crawler


def _stream(sql: str, params: list[Any], chunk: int = 10_000) -> Any:
    """Rows of `sql` through a server-side cursor: memory bounded by `chunk`."""
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk):
            yield from rows
