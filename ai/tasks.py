"""Celery task: a thin, idempotent wrapper around ai_content_generate."""

from __future__ import annotations

from celery import shared_task

from . import services

GENERATE_TIME_LIMIT_S = 600


@shared_task(name="ai.generate_content", acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=GENERATE_TIME_LIMIT_S - 30, time_limit=GENERATE_TIME_LIMIT_S,
             ignore_result=True)
def generate_content(content_id: str) -> str:
    """Generate one content row; a redelivered message for a finished row is a no-op."""
    return services.ai_content_generate(content_id=content_id).status
