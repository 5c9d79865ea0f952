"""Thin Celery tasks (stable names, JSON arguments): each calls one service. All are safe to
run twice: tracking skips keywords already checked today; re-audits reuse an active audit."""

from __future__ import annotations

from typing import Any

import structlog
from celery import shared_task

from . import services, tracking
from .models import Keyword
from .providers import ProviderNotConfigured

log = structlog.get_logger(__name__)


@shared_task(name="keywords.track_due", time_limit=3 * 3600, soft_time_limit=3 * 3600 - 60)
def track_due() -> dict[str, Any]:
    """Hourly (Celery beat): keywords whose slot of the day has come. Without a provider the
    schedule is a no-op that says why (not an error every hour)."""
    try:
        return tracking.rank_track_due().as_dict()
    except ProviderNotConfigured as exc:
        log.warning("keywords.track_due_skipped", reason=str(exc))
        return {"skipped": str(exc)}


@shared_task(name="keywords.track_site", time_limit=3 * 3600, soft_time_limit=3 * 3600 - 60)
def track_site(site_id: int) -> dict[str, Any]:
    return tracking.rank_track(keywords=Keyword.objects.filter(site_id=site_id)).as_dict()


@shared_task(name="keywords.track_keywords", time_limit=3600, soft_time_limit=3540)
def track_keywords(keyword_ids: list[int]) -> dict[str, Any]:
    return tracking.rank_track(keywords=Keyword.objects.filter(pk__in=keyword_ids)).as_dict()


@shared_task(name="keywords.reaudit_site", time_limit=300)
def reaudit_site(site_id: int) -> str | None:
    audit = services.site_reaudit(site_id=site_id)
    return str(audit.pk) if audit else None
