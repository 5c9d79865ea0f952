"""Celery tasks: thin wrappers around the delivery service, idempotent (a message for a
delivery that is not due is a no-op)."""

from __future__ import annotations

from celery import shared_task

from . import delivery


@shared_task(name="webhooks.deliver", acks_late=True, ignore_result=True,
             soft_time_limit=90, time_limit=120)
def webhook_deliver(delivery_id: int) -> str | None:
    """Attempt one delivery if it is due."""
    result = delivery.delivery_attempt(delivery_id=delivery_id)
    return result.status if result is not None else None


@shared_task(name="webhooks.deliver_due", ignore_result=True, soft_time_limit=540, time_limit=600)
def webhooks_deliver_due() -> int:
    """Periodic sweep (Celery beat): due retries, and deliveries whose message was lost."""
    return delivery.deliveries_run_due()
