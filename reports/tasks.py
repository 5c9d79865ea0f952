"""Celery tasks of the reports app: thin, idempotent wrappers around services."""

from __future__ import annotations

from celery import shared_task

from . import services

#: A 1,000-page PDF renders in a few seconds (bench/report.py); this is a runaway guard.
REPORT_TIME_LIMIT_S = 15 * 60


@shared_task(name="reports.generate_report", acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=REPORT_TIME_LIMIT_S - 30, time_limit=REPORT_TIME_LIMIT_S,
             ignore_result=True)
def generate_report(report_id: str) -> str:
    """Generate one report file; a redelivered message for a finished report is a no-op."""
    return services.report_generate(report_id=report_id).status
