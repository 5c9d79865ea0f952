"""Which Celery queue each task goes to (CELERY_TASK_ROUTES; docs/reliability.md).

Crawls, AI generation, reports, webhook deliveries and periodic housekeeping each get their own
queue, so a burst of one kind (50 audits queued at once) cannot starve another (a webhook
delivery or a report someone is waiting for), and each can get workers sized for it: crawls
are long and I/O-bound with their own parse processes, AI calls wait on a provider, reports
are CPU-bound. A task name's prefix (`audits.`, `ai.`, ...) picks the queue; beat-fired
periodic tasks are listed by name. A worker that should do everything (embedded mode,
scripts/serve.sh) consumes ALL_QUEUES.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

CRAWL_QUEUE = "crawl"
AI_QUEUE = "ai"
REPORTS_QUEUE = "reports"
WEBHOOKS_QUEUE = "webhooks"
BEAT_QUEUE = "beat"
#: Celery's own default queue: anything not routed below (none of our tasks).
DEFAULT_QUEUE = "celery"
ALL_QUEUES = (CRAWL_QUEUE, AI_QUEUE, REPORTS_QUEUE, WEBHOOKS_QUEUE, BEAT_QUEUE, DEFAULT_QUEUE)

#: Periodic tasks fired by Celery beat (and short housekeeping): the `beat` queue, checked
#: before the prefixes so the sweeps never wait behind hours of crawls or deliveries.
PERIODIC_TASKS = frozenset({
    "audits.watchdog",
    "webhooks.deliver_due",
    "keywords.track_due",
    "visibility.track_due",
})
#: Task name prefix -> queue. Keyword tracking is background SERP polling: `beat`.
PREFIX_QUEUES = (
    ("audits.", CRAWL_QUEUE),
    ("ai.", AI_QUEUE),
    ("reports.", REPORTS_QUEUE),
    ("webhooks.", WEBHOOKS_QUEUE),
    ("keywords.", BEAT_QUEUE),
    # A lab measurement drives Chromium through the crawl's fetcher: long and I/O-bound.
    ("pagespeed.", CRAWL_QUEUE),
    # Answer-engine runs wait on a provider, like AI content generation.
    ("visibility.", AI_QUEUE),
)

_pinned_global: list[str] = []


def queue_for(name: str) -> str:
    """The queue a task of this name is sent to."""
    if _pinned_global:
        return _pinned_global[-1]
    if name in PERIODIC_TASKS:
        return BEAT_QUEUE
    for prefix, queue in PREFIX_QUEUES:
        if name.startswith(prefix):
            return queue
    return DEFAULT_QUEUE


def route_task(name: str, args: Any, kwargs: Any, options: Any, task: Any = None,
               **kw: Any) -> dict[str, str]:
    """Celery router (CELERY_TASK_ROUTES): called for every message sent."""
    return {"queue": queue_for(name)}


@contextlib.contextmanager
def all_tasks_to(queue: str) -> Iterator[None]:
    """Send every task to `queue` while the block runs: tests start a worker on a queue of
    their own so it only takes what they enqueue (the broker may be shared)."""
    _pinned_global.append(queue)
    try:
        yield
    finally:
        _pinned_global.remove(queue)
