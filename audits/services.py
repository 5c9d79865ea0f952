"""Audit writes: create, run, cancel. Views, tasks and the CLI call these; nothing else
changes an audit's state."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import structlog
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from pagespeed import services as pagespeed_services
from webhooks import services as webhook_events

from . import scheduling
from .distributed import services as distributed
from .engine.crawler import CrawlError, CrawlRun, CrawlSummary
from .engine.netguard import AddressGuard, BlockedAddress
from .engine.types import CrawlProgress
from .engine.urls import InvalidURL, normalize_url
from .exceptions import AuditNotActive, IdempotencyKeyReused, InvalidAuditOptions, InvalidAuditURL
from .models import Audit, Finding, Link, Page
from .options import clean_audit_options, crawl_options_for
from .persistence import AuditWriter
from .progress import PROGRESS_INTERVAL_S, progress_publish_status, progress_record
from .reliability import DB_CONNECTION_ERRORS, DatabaseUnavailable, RunMonitor, StopReason, db_retry

log = structlog.get_logger(__name__)

#: Longest URL an audit may start from (as entered and once normalized).
MAX_URL_LENGTH = 2048
#: How long an Idempotency-Key is remembered (seconds).
IDEMPOTENCY_TTL_S = 24 * 3600
#: Host names that always mean this machine (RFC 6761 section 6.3).
_LOCAL_NAMES = ("localhost", "localhost.localdomain")


def audit_create(*, owner: Any, url: str, options: dict[str, Any] | None = None,
                 enqueue: bool = True) -> Audit:
    """Create an audit and enqueue its crawl once the transaction commits.

    Idempotent: while an audit of the same normalized URL by the same owner is still
    PENDING or RUNNING, that audit is returned instead of a second one.
    """
    return _audit_get_or_create(owner=owner, url=url, options=options, enqueue=enqueue)[0]


def _audit_get_or_create(*, owner: Any, url: str, options: dict[str, Any] | None, enqueue: bool,
                         public_only: bool = False) -> tuple[Audit, bool]:
    """(audit, created): the owner's active audit of the same normalized URL, or a new one."""
    url, normalized = target_url_clean(url=url, public_only=public_only)
    cleaned = clean_audit_options(options)
    with transaction.atomic():
        active = (Audit.objects.select_for_update()
                  .filter(owner=owner, normalized_url=normalized,
                          status__in=Audit.ACTIVE_STATUSES).first())
        if active is not None:
            return active, False
        audit = Audit.objects.create(owner=owner, url=url, normalized_url=normalized,
                                     options=cleaned)
        webhook_events.audit_event_emit(audit=audit, type="audit.created")
        if enqueue:
            # Started when its owner has a free slot (fair scheduling: audits/scheduling.py).
            transaction.on_commit(scheduling.audits_dispatch)
    log.info("audit.created", audit_id=str(audit.pk), url=normalized)
    return audit, True


def target_url_clean(*, url: Any, public_only: bool) -> tuple[str, str]:
    """(url as entered with a scheme, normalized URL) of a site to audit or measure; raises
    InvalidAuditURL. `public_only` (API callers) also refuses loopback/private targets
    unless the deployment allows them (`_require_public_target`)."""
    if not isinstance(url, str) or not url.strip():
        raise InvalidAuditURL("a URL is required")
    url = url.strip()
    if "://" not in url[:12]:
        url = "https://" + url
    if len(url) > MAX_URL_LENGTH:
        raise InvalidAuditURL(f"the URL is longer than {MAX_URL_LENGTH} characters")
    try:
        normalized = normalize_url(url)
    except InvalidURL as exc:
        raise InvalidAuditURL(f"invalid URL: {exc}") from exc
    if len(normalized) > MAX_URL_LENGTH:
        raise InvalidAuditURL(f"the normalized URL is longer than {MAX_URL_LENGTH} characters")
    if public_only:
        _require_public_target(normalized)
    return url, normalized


def audit_run(*, audit_id: Any, on_progress: Callable[[Audit, CrawlProgress], None] | None = None,
              distribute: bool = False) -> Audit:
    """Crawl and check the audit's site, persisting as it goes. Safe to call twice: a second
    call for an audit that is finished or running elsewhere returns it untouched, and one
    whose owner is at the running-audits cap leaves it PENDING for the dispatcher.

    Faults (docs/reliability.md): database writes are retried through an outage; a cancel
    or this worker's warm shutdown stops the crawl within SEOAUDIT_CONTROL_POLL_SECONDS (a
    shutdown requeues the audit for another worker); a run that cannot go on is requeued
    while attempts are left, else FAILED with the reason.

    With `distribute` (the Celery task), a large audit in production mode is only started
    here and crawled by work units on any worker (audits/distributed; docs/scaling.md); it
    is returned RUNNING.
    """
    claim = scheduling.audit_claim(audit_id=audit_id)
    if claim.outcome != scheduling.Claim.CLAIMED:
        log.info("audit.skip", audit_id=str(audit_id), reason=str(claim.outcome))
        return Audit.objects.get(pk=audit_id)
    audit = Audit.objects.get(pk=audit_id)
    attempt = claim.attempt
    webhook_events.audit_event_emit(audit=audit, type="audit.started")
    log.info("audit.start", audit_id=str(audit.pk), url=audit.normalized_url, attempt=attempt)
    cancel = threading.Event()
    monitor = RunMonitor(audit.pk, cancel, attempt=attempt)
    try:
        if distribute:
            options = crawl_options_for(audit.normalized_url, audit.options)
            if distributed.crawl_is_distributed(options) \
                    or distributed.crawl_job_exists(audit_id=audit.pk):
                distributed.crawl_start(audit=audit, options=options)
                return audit
        with monitor:
            options = crawl_options_for(audit.normalized_url, audit.options)
            summary = _crawl_and_persist(audit, options, on_progress, monitor=monitor)
    except CrawlError as exc:
        return _fail(audit, str(exc), attempt=attempt)
    except DatabaseUnavailable as exc:
        # Record the outcome once the database is back; if it stays away the watchdog will.
        reason = str(exc)
        db_retry(lambda: scheduling.audit_interrupted(audit_id=audit.pk, attempt=attempt,
                                                      reason=reason),
                 what="requeue after database outage", audit_id=audit.pk)
        audit.refresh_from_db()
        return audit
    except Exception as exc:
        log.exception("audit.crash", audit_id=str(audit.pk))
        return _fail(audit, f"internal error: {type(exc).__name__}: {exc}"[:1000], attempt=attempt)
    if monitor.stop_reason == StopReason.SHUTDOWN and summary.cancelled:
        # Warm shutdown cut the crawl short: give the audit back (not counted as an attempt)
        # for another worker. A crawl that had already ended is finished here instead.
        db_retry(lambda: scheduling.audit_requeue(audit_id=audit.pk, attempt=attempt,
                                                  reason="worker shutting down",
                                                  count_attempt=False),
                 what="requeue on shutdown", audit_id=audit.pk)
        audit.refresh_from_db()
        return audit
    if monitor.stop_reason == StopReason.TAKEN_OVER:
        log.warning("audit.superseded", audit_id=str(audit.pk), attempt=attempt)
        audit.refresh_from_db()
        return audit
    return db_retry(lambda: _finish(audit, summary, attempt=attempt), what="finish",
                    audit_id=audit.pk)


def _crawl_and_persist(audit: Audit, options: Any,
                       on_progress: Callable[[Audit, CrawlProgress], None] | None, *,
                       monitor: RunMonitor) -> CrawlSummary:
    cancel, attempt = monitor.cancel, monitor.attempt
    run = CrawlRun(options, cancel=cancel)
    writer = AuditWriter(audit)
    last = 0.0

    def tick(progress: CrawlProgress) -> bool:
        if not _save_progress(audit, progress, attempt=attempt):
            return False
        webhook_events.audit_progress_emit(audit=audit)
        return True

    for result in run:
        try:
            writer.add(result)
        except DB_CONNECTION_ERRORS:  # the batch stays buffered: write it again
            db_retry(writer.flush, what="write pages", audit_id=audit.pk)
        now = time.monotonic()
        if now - last >= PROGRESS_INTERVAL_S:
            last = now
            progress = run.progress()
            if not db_retry(lambda p=progress: tick(p), what="save progress", audit_id=audit.pk):
                cancel.set()  # cancelled (or taken over) meanwhile: stop crawling
            elif on_progress is not None:
                on_progress(audit, progress)
    # The exact page count before the site checks.
    db_retry(lambda: _save_progress(audit, run.progress(), attempt=attempt),
             what="save progress", audit_id=audit.pk)
    summary = run.summary
    assert summary is not None
    if monitor.stop_reason == StopReason.TAKEN_OVER or (
            monitor.stop_reason == StopReason.SHUTDOWN and summary.cancelled):
        return summary  # this run's rows are deleted (requeue) or not its own any more
    db_retry(writer.flush, what="write pages", audit_id=audit.pk)
    db_retry(lambda: writer.write_site_findings(summary.site_findings),
             what="write site findings", audit_id=audit.pk)
    db_retry(writer.resolve_links, what="count inlinks", audit_id=audit.pk)
    db_retry(lambda: pagespeed_services.audit_lab_persist(audit=audit, report=summary.lab),
             what="store page-speed figures", audit_id=audit.pk)
    return summary


def _save_progress(audit: Audit, progress: CrawlProgress, *, attempt: int | None = None) -> bool:
    total = max(progress.total_estimate, progress.pages_crawled, 1)
    percent = min(99, int(progress.pages_crawled * 100 / total))
    audit.progress, audit.pages_crawled, audit.total_pages = percent, progress.pages_crawled, total
    # Persisted with the live snapshot and published (audits/progress.py); False once the
    # audit is no longer RUNNING (cancelled meanwhile).
    return progress_record(audit_id=audit.pk, crawl=progress, only_if_running=True,
                           attempt=attempt,
                           fields={"progress": percent, "pages_crawled": progress.pages_crawled,
                                   "total_pages": total}) is not None


def _finish(audit: Audit, summary: CrawlSummary, *, attempt: int | None = None) -> Audit:
    score = summary.score
    geo = summary.geo
    fields = {
        "progress": 100, "pages_crawled": summary.pages_crawled,
        "total_pages": summary.pages_crawled, "seo_score": score.score,
        "geo_score": geo.score if geo is not None else None,
        "scores": {**score.as_dict(), "geo": geo.as_dict() if geo is not None else None},
        "summary": summary_as_dict(summary),
        "finished_at": timezone.now(), "updated_at": timezone.now(),
    }
    status = Audit.Status.CANCELLED if summary.cancelled else Audit.Status.COMPLETED
    # Conditional: an audit cancelled meanwhile stays CANCELLED (with its partial results);
    # one requeued or taken over by another run (`attempt` moved on) is left to that run.
    rows = Audit.objects.filter(pk=audit.pk)
    if attempt is not None:
        rows = rows.filter(attempts=attempt)
    updated = rows.filter(status=Audit.Status.RUNNING).update(status=status, **fields)
    if not updated and not rows.filter(status=Audit.Status.CANCELLED).update(**fields):
        audit.refresh_from_db()
        log.info("audit.finish_skipped", audit_id=str(audit.pk), status=audit.status)
        return audit
    progress_publish_status(audit_id=audit.pk)
    audit.refresh_from_db()
    webhook_events.audit_finished_emit(audit=audit)
    scheduling.audits_dispatch()  # the owner's slot is free
    log.info("audit.finish", audit_id=str(audit.pk), status=audit.status,
             pages=summary.pages_crawled, score=score.score,
             geo_score=geo.score if geo is not None else None, seconds=summary.elapsed_s)
    return audit


def _fail(audit: Audit, reason: str, *, attempt: int | None = None) -> Audit:
    db_retry(lambda: scheduling.audit_fail(audit_id=audit.pk, reason=reason, attempt=attempt),
             what="fail", audit_id=audit.pk)
    audit.refresh_from_db()
    return audit


def audit_cancel(*, audit: Audit) -> Audit:
    """Cancel a pending or running audit; a running crawl stops at its next progress save."""
    if Audit.objects.filter(pk=audit.pk, status__in=Audit.ACTIVE_STATUSES).update(
            status=Audit.Status.CANCELLED, finished_at=timezone.now(), updated_at=timezone.now()):
        progress_publish_status(audit_id=audit.pk)
        transaction.on_commit(scheduling.audits_dispatch)  # a slot (or queued place) is free
    audit.refresh_from_db()
    return audit


def summary_as_dict(summary: CrawlSummary) -> dict[str, Any]:
    return {
        "start_url": summary.start_url,
        "pages_crawled": summary.pages_crawled,
        "elapsed_s": summary.elapsed_s,
        "robots": {"status": summary.robots_status, "error": summary.robots_error},
        "sitemaps": [_sitemap_dict(s) for s in summary.sitemaps[:50]],
        "refused_urls": summary.rejected,
        "findings_by_severity": summary.findings_by_severity,
        "cancelled": summary.cancelled,
        "ai_access": summary.ai_access,
        "llms_txt_proposal": summary.llms_txt_proposal,
        "resource_checks": summary.resource_checks,
        "rendering": summary.rendering,
        "lab": summary.lab.summary() if summary.lab is not None else None,
        "geo": summary.geo.as_dict() if summary.geo is not None else None,
    }


def _sitemap_dict(info: Any) -> dict[str, Any]:
    keys = ("url", "status", "kind", "url_count", "error", "source")
    return {key: getattr(info, key, None) for key in keys}


# --- API-facing writes ---------------------------------------------------------------------

def _require_public_target(normalized_url: str) -> None:
    """Refuse loopback/private/reserved IP literals, local names and odd ports unless the
    deployment allows private networks. Host names are checked again on every connection by
    the crawler's guarded resolver (DNS can change between now and the crawl)."""
    if settings.SEOAUDIT_ALLOW_PRIVATE_NETWORKS:
        return
    parts = urlsplit(normalized_url)
    host = (parts.hostname or "").rstrip(".").lower()
    if host in _LOCAL_NAMES or host.endswith(".localhost"):
        raise InvalidAuditURL(f"{host} is this machine; only public sites can be audited here")
    try:
        AddressGuard(allow_private=False).check_target(host, parts.port)
    except BlockedAddress as exc:
        raise InvalidAuditURL(f"{exc}; only public sites can be audited here") from exc
    except ValueError as exc:  # port out of range
        raise InvalidAuditURL(f"invalid URL: {exc}") from exc


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def audit_submit(*, owner: Any, url: str, options: dict[str, Any] | None = None,
                 idempotency_key: str | None = None) -> tuple[Audit, bool]:
    """Create an audit for an API client: (audit, created).

    On top of `audit_create` (validation, one active audit per owner and URL): the target
    must be public unless the deployment allows private networks, options that only trusted
    callers may set are refused, and an `Idempotency-Key` replays the first result for 24 h
    (the same key with a different request is an error, not a silent replay).
    """
    options = dict(options or {})
    if "allow_private" in options:
        raise InvalidAuditOptions("allow_private is set by the deployment, not per audit")
    if _has_nul(options):  # PostgreSQL text and jsonb cannot store NUL
        raise InvalidAuditOptions("options must not contain NUL characters")
    if not idempotency_key:
        return _audit_get_or_create(owner=owner, url=url, options=options, enqueue=True,
                                    public_only=True)
    digest = hashlib.sha256(idempotency_key.encode("utf-8", "surrogatepass")).hexdigest()
    cache_key = f"idempotency:audit:{owner.pk}:{digest}"
    fingerprint = hashlib.sha256(json.dumps({"url": url, "options": options}, sort_keys=True,
                                            default=str).encode()).hexdigest()
    if not cache.add(cache_key, {"fingerprint": fingerprint, "audit_id": None}, IDEMPOTENCY_TTL_S):
        return _idempotent_replay(owner=owner, cache_key=cache_key, fingerprint=fingerprint)
    try:
        audit, created = _audit_get_or_create(owner=owner, url=url, options=options, enqueue=True,
                                              public_only=True)
    except Exception:
        cache.delete(cache_key)  # a refused request may be corrected and retried with the key
        raise
    cache.set(cache_key, {"fingerprint": fingerprint, "audit_id": str(audit.pk)}, IDEMPOTENCY_TTL_S)
    return audit, created


def _idempotent_replay(*, owner: Any, cache_key: str, fingerprint: str) -> tuple[Audit, bool]:
    stored = cache.get(cache_key) or {}
    if stored.get("fingerprint") != fingerprint:
        raise IdempotencyKeyReused("this Idempotency-Key was used with a different request")
    audit = Audit.objects.filter(owner=owner, pk=stored.get("audit_id")).first() \
        if stored.get("audit_id") else None
    if audit is None:
        raise IdempotencyKeyReused("the first request with this Idempotency-Key has not finished")
    return audit, False


def audit_rerun(*, audit: Audit) -> tuple[Audit, bool]:
    """Start a new audit of the same URL with the same options (the active one if any)."""
    options = {k: v for k, v in audit.options.items() if k != "allow_private"}
    return _audit_get_or_create(owner=audit.owner, url=audit.url, options=options, enqueue=True,
                                public_only=True)


def audit_cancel_active(*, audit: Audit) -> Audit:
    """Cancel a pending or running audit; AuditNotActive when it has already finished."""
    if not Audit.objects.filter(pk=audit.pk, status__in=Audit.ACTIVE_STATUSES).exists():
        raise AuditNotActive(f"the audit is {audit.status.lower()}; only pending or running "
                             "audits can be cancelled")
    return audit_cancel(audit=audit)


def audit_delete(*, audit: Audit) -> None:
    """Delete an audit with its pages, links and findings; a running crawl is cancelled first
    so its worker stops at the next progress save instead of writing into deleted rows."""
    audit_cancel(audit=audit)
    audit_id = str(audit.pk)
    with transaction.atomic():
        Finding.objects.filter(audit=audit).delete()
        Link.objects.filter(audit=audit).delete()
        Page.objects.filter(audit=audit).delete()
        audit.delete()
    log.info("audit.deleted", audit_id=audit_id)
