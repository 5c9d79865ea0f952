"""Keeping a running audit alive through faults, and stopping it promptly when it must stop.

- `db_retry`: a write that fails because PostgreSQL went away (restart, failover, network) is
  retried on a fresh connection with backoff for up to SEOAUDIT_DB_RETRY_SECONDS; then
  `DatabaseUnavailable` ends the run (the audit is failed or requeued once the database is
  back, by the task or by the watchdog).
- `shutdown_requested`: set when this worker begins a warm shutdown (SIGTERM); a running audit
  stops at its next check and is requeued for another worker.
- `RunMonitor`: a thread beside each running audit that checks its status every
  SEOAUDIT_CONTROL_POLL_SECONDS (a cancel from the API stops the crawl within about a second
  even while no page completes) and bumps its heartbeat every SEOAUDIT_HEARTBEAT_SECONDS (a slow
  but live crawl is never mistaken for a dead one by the watchdog).

Generic on purpose: anything that runs part of an audit (a distributed work unit) asks
`audit_stop_reason(audit_id)` between batches.
"""

from __future__ import annotations

import contextlib
import enum
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import structlog
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.utils import timezone

from .models import Audit

log = structlog.get_logger(__name__)

T = TypeVar("T")

#: Errors that mean "the database connection is gone", worth a retry on a new connection.
DB_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
#: First wait after a failed write; doubled each time, up to DB_RETRY_MAX_WAIT_S.
DB_RETRY_FIRST_WAIT_S = 0.25
DB_RETRY_MAX_WAIT_S = 4.0


class DatabaseUnavailable(Exception):
    """The database stayed unreachable for longer than SEOAUDIT_DB_RETRY_SECONDS."""


class StopReason(enum.StrEnum):
    CANCELLED = "cancelled"   # the audit left RUNNING (cancelled, deleted, failed, requeued)
    TAKEN_OVER = "taken_over"  # another run of the audit started (this worker was presumed dead)
    SHUTDOWN = "shutdown"     # this worker is shutting down: requeue


# --- database outages ------------------------------------------------------------------------

def _reset_connection() -> None:
    """Drop this thread's broken connection so the next query opens a new one. Inside an
    atomic block the connection cannot be swapped; the caller's transaction fails instead."""
    if connection.in_atomic_block:
        return
    with contextlib.suppress(DatabaseError):
        connection.close()


def db_retry(operation: Callable[[], T], *, what: str, audit_id: Any = None,
             budget_s: float | None = None) -> T:
    """Run `operation`, retrying it on a fresh connection while the database is unreachable.

    `operation` must be safe to repeat: a transaction that failed was rolled back as a whole.
    Raises DatabaseUnavailable after `budget_s` (SEOAUDIT_DB_RETRY_SECONDS) of failures.
    """
    budget = settings.SEOAUDIT_DB_RETRY_SECONDS if budget_s is None else budget_s
    deadline = time.monotonic() + budget
    wait = DB_RETRY_FIRST_WAIT_S
    failures = 0
    while True:
        try:
            result = operation()
        except DB_CONNECTION_ERRORS as exc:
            if connection.in_atomic_block:
                raise  # the enclosing transaction is lost: the caller retries it whole
            failures += 1
            _reset_connection()
            if failures == 1:
                log.warning("db.unavailable", what=what, audit_id=str(audit_id) if audit_id else None,
                            error=f"{type(exc).__name__}: {exc}"[:300], retry_for_s=budget)
            if time.monotonic() + wait > deadline:
                raise DatabaseUnavailable(
                    f"database unavailable for {budget:.0f} s during {what}: "
                    f"{type(exc).__name__}: {exc}"[:500]) from exc
            time.sleep(wait)
            wait = min(wait * 2, DB_RETRY_MAX_WAIT_S)
            continue
        if failures:
            log.info("db.recovered", what=what, audit_id=str(audit_id) if audit_id else None,
                     failures=failures)
        return result


# --- warm shutdown ---------------------------------------------------------------------------

shutdown_requested = threading.Event()


def _on_worker_shutting_down(sig: Any = None, how: Any = None, exitcode: Any = None,
                             **kwargs: Any) -> None:
    """Celery's `worker_shutting_down` (main process, threads/solo pools): running audits stop
    and are requeued instead of holding the shutdown for hours."""
    if how == "Warm" or how is None:
        shutdown_requested.set()
        log.info("worker.shutdown_requested", signal=str(sig), how=how)


def connect_worker_signals() -> None:
    from celery.signals import worker_shutting_down

    worker_shutting_down.connect(_on_worker_shutting_down, weak=False,
                                 dispatch_uid="audits.reliability.shutdown")


# --- stop checks and heartbeat ---------------------------------------------------------------

def audit_stop_reason(*, audit_id: Any, attempt: int | None = None) -> StopReason | None:
    """Why the run (`attempt`) of this audit should stop now, or None to go on. One indexed
    read; work units of a distributed crawl ask it between batches."""
    if shutdown_requested.is_set():
        return StopReason.SHUTDOWN
    row = Audit.objects.filter(pk=audit_id).values_list("status", "attempts").first()
    if row is None or row[0] != Audit.Status.RUNNING:
        return StopReason.CANCELLED
    if attempt is not None and row[1] != attempt:
        return StopReason.TAKEN_OVER
    return None


def audit_heartbeat(*, audit_id: Any, attempt: int | None = None) -> bool:
    """Bump a RUNNING audit's heartbeat; False when it is no longer RUNNING (or no longer at
    `attempt`)."""
    rows = Audit.objects.filter(pk=audit_id, status=Audit.Status.RUNNING)
    if attempt is not None:
        rows = rows.filter(attempts=attempt)
    return bool(rows.update(updated_at=timezone.now()))


class RunMonitor:
    """Watches one running audit from a thread of its own; sets `cancel` (the crawl's stop
    event) when the audit must stop, with the reason in `stop_reason`.

    A thread has its own database connection and cannot see rows the run's transaction has
    not committed: a run inside a transaction (tests, a caller's atomic block) is watched for
    shutdown only, and its progress saves notice a cancel."""

    def __init__(self, audit_id: Any, cancel: threading.Event, *, attempt: int | None = None
                 ) -> None:
        self.audit_id = audit_id
        self.attempt = attempt
        self.cancel = cancel
        self.poll_database = not connection.in_atomic_block
        self.stop_reason: StopReason | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"audit-monitor-{audit_id}",
                                        daemon=True)

    def __enter__(self) -> RunMonitor:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        poll = max(0.05, settings.SEOAUDIT_CONTROL_POLL_SECONDS)
        beat_every = max(poll, settings.SEOAUDIT_HEARTBEAT_SECONDS)
        next_beat = time.monotonic() + beat_every
        try:
            while not self._done.wait(poll):
                if shutdown_requested.is_set():
                    self._stop(StopReason.SHUTDOWN)
                    return
                if not self.poll_database:
                    continue
                try:
                    reason = audit_stop_reason(audit_id=self.audit_id, attempt=self.attempt)
                    if reason is None and time.monotonic() >= next_beat:
                        next_beat = time.monotonic() + beat_every
                        if not audit_heartbeat(audit_id=self.audit_id, attempt=self.attempt):
                            reason = StopReason.CANCELLED
                except DB_CONNECTION_ERRORS:
                    _reset_connection()  # the crawl thread's own writes retry and decide
                    continue
                if reason is not None:
                    self._stop(reason)
                    return
        finally:
            if self.poll_database:
                connection.close()  # this thread's connection

    def _stop(self, reason: StopReason) -> None:
        if self.stop_reason is None:
            self.stop_reason = reason
            log.info("audit.stop_requested", audit_id=str(self.audit_id), reason=str(reason))
        self.cancel.set()
