"""Celery tasks: thin wrappers around services, idempotent and safe to run twice."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from . import scheduling, services
from .distributed import services as distributed
from .reliability import connect_worker_signals

#: Hard limit on one audit run; the soft limit fires first so the audit ends as FAILED.
#: The Redis broker's visibility timeout (CELERY_VISIBILITY_TIMEOUT_SECONDS) must exceed it.
AUDIT_TIME_LIMIT_S = 4 * 3600

# A warm shutdown (SIGTERM) stops running audits and requeues them (audits/reliability.py).
connect_worker_signals()


@shared_task(name="audits.run_audit", acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=AUDIT_TIME_LIMIT_S - 60, time_limit=AUDIT_TIME_LIMIT_S,
             ignore_result=True)
def run_audit(audit_id: str) -> str:
    """Run one audit. A redelivered message for a finished or live audit is a no-op."""
    return services.audit_run(audit_id=audit_id, distribute=True).status


#: A work unit crawls one batch (SEOAUDIT_DISTRIBUTED_BATCH URLs); its claims' lease is
#: renewed while it runs, so this only stops a unit that hangs.
UNIT_TIME_LIMIT_S = 1800


@shared_task(name="audits.crawl_unit", acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=UNIT_TIME_LIMIT_S - 60, time_limit=UNIT_TIME_LIMIT_S,
             ignore_result=True)
def crawl_unit(audit_id: str, watch: bool = False) -> str:
    """One work unit of a distributed crawl (audits/distributed). Idempotent: a redelivered
    unit claims what is left, a unit of a finished or cancelled audit does nothing."""
    return distributed.unit_run(audit_id=audit_id, watch=watch).outcome


@shared_task(name="audits.watchdog", ignore_result=True, soft_time_limit=50, time_limit=60)
def watchdog() -> dict[str, Any]:
    """Every minute (Celery beat): requeue or fail audits whose worker was lost, re-send lost
    queue messages, start audits waiting for a free slot."""
    return scheduling.audits_watchdog().as_dict()
