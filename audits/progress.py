"""Live audit progress: the snapshot, its persisted copy and its publication.

One snapshot shape everywhere (docs/sse.md): published to the Redis channel
`audit:progress:{audit_id}`, persisted on the Audit (`progress_snapshot`, `progress_seq`) for
late subscribers and the embedded mode, sent as the SSE `data:` and returned by
`GET /api/v1/audits/{id}/progress`.

Every snapshot gets the next `seq` under a row lock, so the worker's progress and a cancel
from the API cannot hand out the same number. Progress is recorded at most every
PROGRESS_INTERVAL_S per audit (4 per second); status changes always. Publishing is best
effort: an unreachable Redis is logged once and skipped for a few seconds, the snapshot is
still persisted and streams fall back to reading it from the database.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime
from typing import Any

import redis
import structlog
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .engine.types import CrawlProgress, Severity
from .models import Audit

log = structlog.get_logger(__name__)

CHANNEL_PREFIX = "audit:progress:"
#: Shortest time between two progress snapshots of one audit: at most 4 per second.
PROGRESS_INTERVAL_S = 0.25
#: After a failed publish, progress (not status changes) skips Redis for this long.
PUBLISH_BACKOFF_S = 5.0
TERMINAL_STATUSES = frozenset({Audit.Status.COMPLETED, Audit.Status.FAILED, Audit.Status.CANCELLED})


def channel_for(audit_id: Any) -> str:
    """The Redis pub/sub channel of one audit."""
    return f"{CHANNEL_PREFIX}{audit_id}"


def is_terminal(status: str) -> bool:
    return status in TERMINAL_STATUSES


def event_for(snapshot: dict[str, Any], *, previous_status: str | None) -> str:
    """The SSE event type of a snapshot: `completed` / `failed` when the audit ended that way,
    `status` when the status changed (or is CANCELLED), else `progress`."""
    status = snapshot.get("status")
    if status == Audit.Status.COMPLETED:
        return "completed"
    if status == Audit.Status.FAILED:
        return "failed"
    if status == Audit.Status.CANCELLED:
        return "status"
    if previous_status is not None and status != previous_status:
        return "status"
    return "progress"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _findings(audit: Audit, crawl: CrawlProgress | None) -> dict[str, int]:
    counts: dict[str, Any] | None = None
    if crawl is not None:
        counts = crawl.findings_by_severity
    elif is_terminal(audit.status) and (audit.summary or {}).get("findings_by_severity"):
        counts = audit.summary["findings_by_severity"]
    elif audit.progress_snapshot:
        counts = audit.progress_snapshot.get("findings")
    counts = counts or {}
    return {severity: int(counts.get(severity, 0)) for severity in Severity.ALL}


def progress_snapshot(audit: Audit, *, crawl: CrawlProgress | None = None) -> dict[str, Any]:
    """The audit's live-progress snapshot (the contract shape in docs/sse.md).

    Built from the audit's fields; what only the running crawl knows (current URL, findings
    so far) comes from `crawl` when given, else from the last persisted snapshot.
    """
    previous = audit.progress_snapshot or {}
    running = audit.status == Audit.Status.RUNNING
    current_url = crawl.current_url if crawl is not None else previous.get("current_url")
    elapsed_s = eta_s = None
    if audit.started_at is not None:
        end = audit.finished_at or timezone.now()
        elapsed_s = round(max(0.0, (end - audit.started_at).total_seconds()), 3)
        if running and audit.pages_crawled and audit.total_pages > audit.pages_crawled:
            remaining = audit.total_pages - audit.pages_crawled
            eta_s = round(elapsed_s / audit.pages_crawled * remaining, 1)
    return {
        "audit_id": str(audit.pk), "seq": audit.progress_seq, "status": str(audit.status),
        "progress": audit.progress, "pages_crawled": audit.pages_crawled,
        "total_pages": audit.total_pages or None,
        "current_url": (current_url or None) if running else None,
        "findings": _findings(audit, crawl),
        "seo_score": audit.seo_score, "geo_score": audit.geo_score,
        "started_at": _iso(audit.started_at), "finished_at": _iso(audit.finished_at),
        "elapsed_s": elapsed_s, "eta_s": eta_s, "error": audit.error or None, "url": audit.url,
    }


def progress_record(*, audit_id: Any, crawl: CrawlProgress | None = None,
                    fields: dict[str, Any] | None = None,
                    only_if_running: bool = False,
                    attempt: int | None = None) -> dict[str, Any] | None:
    """Persist the audit's next snapshot (with `fields` applied to the audit first) and
    publish it once the transaction commits. Returns the snapshot, or None when the audit
    is gone or, with `only_if_running`, no longer RUNNING, or, with `attempt`, run by a
    newer attempt (then nothing is written)."""
    with transaction.atomic():
        audit = Audit.objects.select_for_update().filter(pk=audit_id).first()
        if audit is None or (only_if_running and audit.status != Audit.Status.RUNNING):
            return None
        if attempt is not None and audit.attempts != attempt:
            return None
        changes = dict(fields or {})
        for name, value in changes.items():
            setattr(audit, name, value)
        audit.progress_seq += 1
        snapshot = progress_snapshot(audit, crawl=crawl)
        audit.progress_snapshot = snapshot
        Audit.objects.filter(pk=audit.pk).update(
            progress_seq=audit.progress_seq, progress_snapshot=snapshot,
            updated_at=timezone.now(), **changes)
    urgent = crawl is None  # status changes are always sent
    transaction.on_commit(lambda: publisher.publish(snapshot, urgent=urgent))
    return snapshot


def progress_publish_status(*, audit_id: Any) -> dict[str, Any] | None:
    """Record and publish the audit's snapshot after a status change."""
    return progress_record(audit_id=audit_id)


class ProgressPublisher:
    """PUBLISH snapshots to Redis from the worker (synchronous, thread-safe client).

    Failures never reach the crawl: the first one is logged, later ones quietly until a
    publish works again; progress skips Redis for PUBLISH_BACKOFF_S after a failure so a
    dead Redis does not cost every tick a connection timeout."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._client: redis.Redis | None = None
        self._url = ""
        self._down_until = 0.0
        self._failing = False

    def _client_for(self, url: str) -> redis.Redis:
        with self._lock:
            if self._client is None or self._url != url:
                self._client = redis.Redis.from_url(url, socket_timeout=1.0,
                                                    socket_connect_timeout=1.0)
                self._url = url
                self._down_until, self._failing = 0.0, False  # another server: no backoff
            return self._client

    def publish(self, snapshot: dict[str, Any], *, urgent: bool = False) -> bool:
        """Send one snapshot; True when Redis took it."""
        url = settings.REDIS_URL
        if not url:
            return False
        client = self._client_for(url)
        if not urgent and time.monotonic() < self._down_until:
            return False
        payload = json.dumps(snapshot, separators=(",", ":"))
        try:
            client.publish(channel_for(snapshot["audit_id"]), payload)
        except (redis.RedisError, OSError) as exc:
            self._down_until = time.monotonic() + PUBLISH_BACKOFF_S
            if not self._failing:
                self._failing = True
                log.warning("progress.publish_failed", audit_id=snapshot["audit_id"],
                            error=f"{type(exc).__name__}: {exc}")
            return False
        if self._failing:
            self._failing = False
            log.info("progress.publish_recovered")
        return True


publisher = ProgressPublisher()
