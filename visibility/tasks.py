"""Thin Celery tasks (stable names, JSON arguments), each calling one service. Safe to run
twice: a run is claimed per prompt, engine and day before the engine is called."""

from __future__ import annotations

from typing import Any

import structlog
from celery import shared_task
from django.conf import settings

from . import tracking
from .engine_access import EngineNotConfigured
from .engines.base import EngineRateLimited
from .models import TrackedPrompt

log = structlog.get_logger(__name__)


@shared_task(name="visibility.track_due", time_limit=600, soft_time_limit=570)
def track_due() -> dict[str, Any]:
    """Hourly (Celery beat). Without an engine the schedule is a no-op that says why."""
    try:
        return {"queued": tracking.track_due_enqueue()}
    except EngineNotConfigured as exc:
        log.warning("visibility.track_due_skipped", reason=str(exc))
        return {"skipped": str(exc)}


@shared_task(bind=True, name="visibility.run_prompt", time_limit=300, soft_time_limit=280,
             max_retries=5)
def run_prompt(self: Any, prompt_id: int, engine: str) -> dict[str, Any]:
    """Ask one prompt on one engine today. A rate limit is retried after the provider's
    Retry-After (exponential without one); a wait longer than AI_VISIBILITY_MAX_RETRY_WAIT_S
    is left to the next hourly run. Quota and auth failures are not retried."""
    prompt = TrackedPrompt.objects.filter(pk=prompt_id).select_related("site").first()
    if prompt is None:
        return {"skipped": "prompt deleted"}
    try:
        run = tracking.prompt_run(prompt=prompt, engine_name=engine)
    except EngineRateLimited as exc:
        wait = exc.retry_after_s if exc.retry_after_s is not None else 30 * 2 ** self.request.retries
        if wait > settings.AI_VISIBILITY_MAX_RETRY_WAIT_S or self.request.retries >= self.max_retries:
            log.warning("visibility.rate_limited_gave_up", prompt_id=prompt_id, engine=engine, wait=wait)
            return {"status": "failed", "error_code": "rate_limited"}
        raise self.retry(countdown=wait, exc=exc) from exc
    return {"run_id": run.pk, "status": run.status, "error_code": run.error_code}
