"""Celery task: a thin, idempotent wrapper around measurement_run."""

from __future__ import annotations

from celery import shared_task

from . import services

#: Two lab loads (30 s each at most) plus browser start, or two PSI calls (90 s each).
MEASURE_TIME_LIMIT_S = 300


@shared_task(name="pagespeed.measure", acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=MEASURE_TIME_LIMIT_S - 30, time_limit=MEASURE_TIME_LIMIT_S,
             ignore_result=True)
def measure(measurement_ids: list[str]) -> list[str]:
    """Run the measurements of one request; rows already run (redelivery) are left alone."""
    return [row.status for row in services.measurement_run(measurement_ids=measurement_ids)]
