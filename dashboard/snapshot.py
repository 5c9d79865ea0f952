"""TEMPORARY stand-in for `audits.progress.progress_snapshot` (helper "sse" writes the real one;
this file is deleted when that lands). Same JSON shape as the SSE contract."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils import timezone

from audits.models import Audit, Finding


def progress_snapshot(audit: Audit) -> dict[str, Any]:
    counts = {"error": 0, "warning": 0, "notice": 0}
    for row in Finding.objects.filter(audit=audit).values("severity").annotate(n=Count("id")).order_by():
        counts[row["severity"]] = row["n"]
    end = audit.finished_at or timezone.now()
    elapsed = (end - audit.started_at).total_seconds() if audit.started_at else None
    eta = None
    if audit.is_active and elapsed and audit.pages_crawled and audit.total_pages:
        eta = elapsed / audit.pages_crawled * max(audit.total_pages - audit.pages_crawled, 0)
    return {
        "audit_id": str(audit.pk), "seq": 0, "status": audit.status, "progress": audit.progress,
        "pages_crawled": audit.pages_crawled, "total_pages": audit.total_pages or None,
        "current_url": None, "findings": counts, "seo_score": audit.seo_score,
        "geo_score": audit.geo_score,
        "started_at": audit.started_at.isoformat() if audit.started_at else None,
        "finished_at": audit.finished_at.isoformat() if audit.finished_at else None,
        "elapsed_s": elapsed, "eta_s": eta, "error": audit.error or None, "url": audit.url,
    }
