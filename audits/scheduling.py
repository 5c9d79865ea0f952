"""When audits start: fair claims, dispatching waiting audits, the watchdog.

Fairness (docs/reliability.md): an owner may have SEOAUDIT_MAX_RUNNING_AUDITS_PER_OWNER audits
running at once (and everyone together SEOAUDIT_MAX_RUNNING_AUDITS, when set). A new audit is
PENDING; it gets a queue message only when its owner has a free slot (`audits_dispatch`),
otherwise it waits with `dispatched_at` null — holding no worker and no message — and is
dispatched when one of the owner's audits ends. Among the waiting, the owner with the fewest
audits running or queued goes first, then the oldest audit, so one owner's 50 audits cannot
push everyone else's to the back.

Every decision that counts running audits happens under one PostgreSQL advisory transaction
lock (a process lock on SQLite, whose embedded mode has one worker process), and every state
change is a conditional UPDATE: two workers cannot both claim an audit, and no slot is handed
out twice. A message that is lost or delivered twice does no harm: claims are conditional and
the watchdog re-sends messages that went missing.

The watchdog (beat, every minute): a RUNNING audit whose heartbeat is older than
SEOAUDIT_STALE_AUDIT_SECONDS lost its worker; it is requeued (a new attempt, its partial rows
deleted) until SEOAUDIT_AUDIT_MAX_ATTEMPTS runs were started, then FAILED with the reason.
"""

from __future__ import annotations

import enum
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import structlog
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from webhooks import services as webhook_events

from .models import Audit, CrawlJob, Finding, Link, Page
from .progress import progress_publish_status

log = structlog.get_logger(__name__)

#: pg_advisory_xact_lock key of scheduling decisions ("seoaudit" folded into 31 bits).
SCHEDULING_LOCK_KEY = 0x5E0A0D17
#: Waiting audits looked at per dispatch.
DISPATCH_SCAN = 500
#: Audits the watchdog handles per kind and sweep (it runs every minute).
WATCHDOG_BATCH = 200
_process_lock = threading.Lock()


class Claim(enum.StrEnum):
    CLAIMED = "claimed"      # this run owns the audit now
    DEFERRED = "deferred"    # the owner (or everyone) is at the cap: waits for a free slot
    SKIPPED = "skipped"      # finished, running elsewhere, or gone
    EXHAUSTED = "exhausted"  # too many attempts: the audit was failed


@dataclass(frozen=True, slots=True)
class ClaimResult:
    outcome: Claim
    #: The run's attempt number (fencing token: writes of an older run are refused).
    attempt: int = 0
    #: Took over a RUNNING audit whose worker died: partial rows must be deleted.
    takeover: bool = False


@dataclass(slots=True)
class WatchdogReport:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    resent: list[str] = field(default_factory=list)
    dispatched: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"requeued": len(self.requeued), "failed": len(self.failed),
                "resent": len(self.resent), "dispatched": len(self.dispatched)}


class _SchedulingLock:
    """Serialises scheduling decisions: an advisory lock held to the end of the transaction on
    PostgreSQL; a process lock elsewhere (SQLite: the embedded mode's single worker)."""

    def __enter__(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCHEDULING_LOCK_KEY])
        else:
            _process_lock.acquire()

    def __exit__(self, *exc: object) -> None:
        if connection.vendor != "postgresql":
            _process_lock.release()


def _owner_cap() -> int:
    return max(0, settings.SEOAUDIT_MAX_RUNNING_AUDITS_PER_OWNER)


def _global_cap() -> int:
    return max(0, settings.SEOAUDIT_MAX_RUNNING_AUDITS)


def _has_slot(*, owner_id: Any) -> bool:
    """Whether one more audit of this owner may run now (call under the scheduling lock)."""
    running = Audit.objects.filter(status=Audit.Status.RUNNING)
    if (cap := _owner_cap()) and running.filter(owner_id=owner_id).count() >= cap:
        return False
    return not ((cap := _global_cap()) and running.count() >= cap)


# --- claiming ---------------------------------------------------------------------------------

def audit_claim(*, audit_id: Any) -> ClaimResult:
    """Move PENDING -> RUNNING if the owner has a free slot, or take over a RUNNING audit whose
    heartbeat went stale (its worker died). Conditional UPDATEs under the scheduling lock, so
    two workers can never both win and no cap is exceeded."""
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.SEOAUDIT_STALE_AUDIT_SECONDS)
    result: ClaimResult
    with transaction.atomic(), _SchedulingLock():
        audit = (Audit.objects.filter(pk=audit_id)
                 .values("status", "owner_id", "attempts", "updated_at").first())
        if audit is None:
            return ClaimResult(Claim.SKIPPED)
        attempt = audit["attempts"] + 1
        status = audit["status"]
        if status == Audit.Status.PENDING:
            if not _has_slot(owner_id=audit["owner_id"]):
                Audit.objects.filter(pk=audit_id, status=Audit.Status.PENDING).update(
                    dispatched_at=None)
                log.info("audit.deferred", audit_id=str(audit_id), reason="no free slot")
                return ClaimResult(Claim.DEFERRED)
            changed = Audit.objects.filter(pk=audit_id, status=Audit.Status.PENDING).update(
                status=Audit.Status.RUNNING, started_at=now, updated_at=now, error="",
                attempts=attempt, dispatched_at=None)
            result = ClaimResult(Claim.CLAIMED if changed else Claim.SKIPPED, attempt)
        elif status == Audit.Status.RUNNING and audit["updated_at"] < stale_before:
            if audit["attempts"] >= settings.SEOAUDIT_AUDIT_MAX_ATTEMPTS:
                result = ClaimResult(Claim.EXHAUSTED)
            else:
                changed = Audit.objects.filter(
                    pk=audit_id, status=Audit.Status.RUNNING, attempts=audit["attempts"],
                    updated_at__lt=stale_before).update(started_at=now, updated_at=now,
                                                       attempts=attempt)
                result = ClaimResult(Claim.CLAIMED if changed else Claim.SKIPPED, attempt,
                                     takeover=True)
        else:
            return ClaimResult(Claim.SKIPPED)
    if result.outcome == Claim.EXHAUSTED:
        _fail_lost(audit_id=audit_id, attempts=audit["attempts"], stale_before=stale_before)
        return result
    if result.outcome == Claim.CLAIMED:
        if result.takeover and not CrawlJob.objects.filter(pk=audit_id).exists():
            # Start over cleanly: the dead run may have written part of the pages. (A
            # distributed crawl resumes from its shared frontier instead: docs/scaling.md.)
            audit_partial_rows_delete(audit_id=audit_id)
            log.warning("audit.takeover", audit_id=str(audit_id), attempt=attempt)
        progress_publish_status(audit_id=audit_id)
    return result


def audit_partial_rows_delete(*, audit_id: Any) -> None:
    """Delete what an abandoned run wrote (findings, links, pages), so the next run starts clean
    and nothing is counted twice."""
    with transaction.atomic():
        Finding.objects.filter(audit_id=audit_id).delete()
        Link.objects.filter(audit_id=audit_id).delete()
        Page.objects.filter(audit_id=audit_id).delete()


# --- dispatching ------------------------------------------------------------------------------

def _send(audit_ids: list[str]) -> list[str]:
    """Send run_audit for each audit; the ones the broker refused wait for the next dispatch
    (dispatched_at back to null) instead of failing the caller."""
    from .tasks import run_audit

    sent: list[str] = []
    for audit_id in audit_ids:
        try:
            run_audit.delay(audit_id)
        except Exception as exc:  # noqa: BLE001 - kombu/redis errors vary by transport
            log.warning("audit.enqueue_failed", audit_id=audit_id,
                        error=f"{type(exc).__name__}: {exc}"[:300], retry="next dispatch")
            Audit.objects.filter(pk=audit_id, status=Audit.Status.PENDING).update(
                dispatched_at=None)
            continue
        sent.append(audit_id)
    return sent


def audits_dispatch() -> list[str]:
    """Give free slots to waiting audits: enqueue them (after commit). Returns their ids.

    Slots are counted as RUNNING plus PENDING-with-a-message (dispatched, not yet claimed);
    the owner with the fewest of those goes first, oldest audit first within an owner.
    """
    chosen: list[str] = []
    owner_cap, global_cap = _owner_cap(), _global_cap()
    with transaction.atomic(), _SchedulingLock():
        waiting = list(Audit.objects.filter(status=Audit.Status.PENDING, dispatched_at__isnull=True)
                       .order_by("created_at").values_list("pk", "owner_id")[:DISPATCH_SCAN])
        if not waiting:
            return []
        busy = (Audit.objects.filter(status=Audit.Status.RUNNING)
                | Audit.objects.filter(status=Audit.Status.PENDING, dispatched_at__isnull=False))
        occupied: Counter[Any] = Counter(dict(
            busy.order_by().values_list("owner_id").annotate(n=Count("id"))))
        total = sum(occupied.values())
        queues: dict[Any, list[Any]] = {}
        for pk, owner_id in waiting:
            queues.setdefault(owner_id, []).append(pk)
        while queues and not (global_cap and total >= global_cap):
            owner_id = min(queues, key=lambda o: (occupied[o], str(queues[o][0])))
            if owner_cap and occupied[owner_id] >= owner_cap:
                break  # the least busy waiting owner is full, so every waiting owner is
            chosen.append(str(queues[owner_id].pop(0)))
            occupied[owner_id] += 1
            total += 1
            if not queues[owner_id]:
                del queues[owner_id]
        if chosen:
            Audit.objects.filter(pk__in=chosen, status=Audit.Status.PENDING).update(
                dispatched_at=timezone.now())
            transaction.on_commit(lambda: _send(chosen))
    if chosen:
        log.info("audit.dispatched", audits=len(chosen), waiting=len(waiting) - len(chosen))
    return chosen


def audit_queue_position(*, audit: Audit) -> int | None:
    """1 for the owner's next audit to start, 2 for the one after, ...; None unless PENDING.
    (Audits already sent to the crawl queue count first.)"""
    if audit.status != Audit.Status.PENDING:
        return None
    return Audit.objects.filter(owner_id=audit.owner_id, status=Audit.Status.PENDING,
                                created_at__lt=audit.created_at).count() + 1


# --- giving an audit back ---------------------------------------------------------------------

def audit_requeue(*, audit_id: Any, attempt: int, reason: str, count_attempt: bool = True,
                  only_if_stale_before: Any = None) -> bool:
    """Put a RUNNING audit back to PENDING for a fresh run (partial rows deleted), if it is
    still at `attempt`. A requeue that should not count (a graceful shutdown) gives the attempt
    back. Returns whether it was requeued; the next run is dispatched."""
    rows = Audit.objects.filter(pk=audit_id, status=Audit.Status.RUNNING, attempts=attempt)
    if only_if_stale_before is not None:
        rows = rows.filter(updated_at__lt=only_if_stale_before)
    changes: dict[str, Any] = {"status": Audit.Status.PENDING, "dispatched_at": None,
                               "progress": 0, "pages_crawled": 0, "total_pages": 0,
                               "started_at": None, "updated_at": timezone.now()}
    if not count_attempt:
        changes["attempts"] = F("attempts") - 1
    if not rows.update(**changes):
        return False
    audit_partial_rows_delete(audit_id=audit_id)
    progress_publish_status(audit_id=audit_id)
    log.warning("audit.requeued", audit_id=str(audit_id), attempt=attempt, reason=reason)
    audits_dispatch()
    return True


def audit_fail(*, audit_id: Any, reason: str, attempt: int | None = None,
               only_if_stale_before: Any = None) -> bool:
    """FAILED with `reason`, unless the audit already ended (or, with `attempt`, moved on to
    another run). Publishes, emits `audit.failed` and frees the owner's slot."""
    rows = Audit.objects.filter(pk=audit_id, status__in=Audit.ACTIVE_STATUSES)
    if attempt is not None:
        rows = rows.filter(attempts=attempt)
    if only_if_stale_before is not None:
        rows = rows.filter(updated_at__lt=only_if_stale_before)
    now = timezone.now()
    if not rows.update(status=Audit.Status.FAILED, error=reason[:1000], finished_at=now,
                       updated_at=now):
        return False
    progress_publish_status(audit_id=audit_id)
    audit = Audit.objects.get(pk=audit_id)
    webhook_events.audit_finished_emit(audit=audit)
    log.warning("audit.failed", audit_id=str(audit_id), reason=reason)
    audits_dispatch()
    return True


def audit_interrupted(*, audit_id: Any, attempt: int, reason: str) -> str:
    """A run that could not go on (database outage, lost worker): requeue while attempts are
    left, else FAILED with the reason. Returns the audit's new status."""
    if attempt < settings.SEOAUDIT_AUDIT_MAX_ATTEMPTS:
        if audit_requeue(audit_id=audit_id, attempt=attempt, reason=reason):
            return Audit.Status.PENDING
    else:
        audit_fail(audit_id=audit_id, attempt=attempt,
                   reason=f"{reason} (gave up after {attempt} attempts)")
    return Audit.objects.filter(pk=audit_id).values_list("status", flat=True).first() or ""


def _lost_reason(stale_s: float) -> str:
    minutes = stale_s / 60
    span = f"{minutes:.0f} min" if minutes >= 1 else f"{stale_s:.0f} s"
    return f"worker lost: no progress for {span}"


def _fail_lost(*, audit_id: Any, attempts: int, stale_before: Any) -> bool:
    reason = _lost_reason(settings.SEOAUDIT_STALE_AUDIT_SECONDS)
    return audit_fail(audit_id=audit_id, attempt=attempts, only_if_stale_before=stale_before,
               reason=f"{reason} (gave up after {attempts} attempts)")


# --- the watchdog -----------------------------------------------------------------------------

def audits_watchdog() -> WatchdogReport:
    """Requeue or fail RUNNING audits whose worker went silent, re-send messages of PENDING
    audits that were lost, and dispatch audits waiting for a slot. Safe to run anywhere,
    any number of times: every change is conditional."""
    report = WatchdogReport()
    now = timezone.now()
    stale_s = settings.SEOAUDIT_STALE_AUDIT_SECONDS
    stale_before = now - timedelta(seconds=stale_s)
    stale = list(Audit.objects.filter(status=Audit.Status.RUNNING, updated_at__lt=stale_before)
                 .order_by("updated_at").values_list("pk", "attempts")[:WATCHDOG_BATCH])
    for audit_id, attempts in stale:
        if attempts < settings.SEOAUDIT_AUDIT_MAX_ATTEMPTS:
            if audit_requeue(audit_id=audit_id, attempt=attempts, reason=_lost_reason(stale_s),
                             only_if_stale_before=stale_before):
                report.requeued.append(str(audit_id))
        elif _fail_lost(audit_id=audit_id, attempts=attempts, stale_before=stale_before):
            report.failed.append(str(audit_id))
    lost_before = now - timedelta(seconds=settings.SEOAUDIT_PENDING_REDISPATCH_SECONDS)
    lost = list(Audit.objects.filter(status=Audit.Status.PENDING, dispatched_at__lt=lost_before)
                .values_list("pk", flat=True)[:WATCHDOG_BATCH])
    for audit_id in lost:
        # Conditional, so two watchdogs do not both re-send.
        if Audit.objects.filter(pk=audit_id, status=Audit.Status.PENDING,
                                dispatched_at__lt=lost_before).update(dispatched_at=now):
            report.resent.extend(_send([str(audit_id)]))
    report.dispatched = audits_dispatch()
    if any(report.as_dict().values()):
        log.info("audits.watchdog", **report.as_dict())
    return report
