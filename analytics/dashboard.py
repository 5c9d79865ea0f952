"""Staff dashboard reads (admin console): running audits, recent failures, audits per day,
slowest sites. Platform-wide, so only staff views call these. Each is one bounded query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Max, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from audits.models import Audit

from .selectors import annotate_site

#: Rows shown per dashboard table (the changelists have the rest).
DASHBOARD_ROWS = 20


def audits_running(*, limit: int = DASHBOARD_ROWS) -> list[Audit]:
    """Pending and running audits, oldest heartbeat first (stalled ones on top)."""
    return list(Audit.objects.filter(status__in=Audit.ACTIVE_STATUSES).select_related("owner")
                .only("id", "url", "status", "progress", "pages_crawled", "total_pages",
                      "created_at", "started_at", "updated_at", "owner__username")
                .order_by("updated_at")[:limit])


def audits_failed_since(*, hours: int = 24, limit: int = DASHBOARD_ROWS) -> list[Audit]:
    """Audits that failed in the last `hours`, newest first."""
    since = timezone.now() - timedelta(hours=hours)
    return list(Audit.objects.filter(status=Audit.Status.FAILED, finished_at__gte=since)
                .select_related("owner")
                .only("id", "url", "status", "error", "finished_at", "owner__username")
                .order_by("-finished_at")[:limit])


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    audits: int
    failed: int


def audits_per_day(*, days: int = 30) -> list[DayCount]:
    """Audits created per day (UTC) over the last `days` days, today included, with the
    failed ones among them; days without audits are zeros."""
    today = timezone.now().astimezone(timezone.get_default_timezone()).date()
    first = today - timedelta(days=days - 1)
    rows = (Audit.objects.filter(created_at__date__gte=first).order_by()
            .annotate(day=TruncDate("created_at")).values("day")
            .annotate(audits=Count("id"), failed=Count("id", filter=Q(status=Audit.Status.FAILED))))
    by_day = {row["day"]: row for row in rows}
    result = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        row = by_day.get(day, {})
        result.append(DayCount(day=day, audits=row.get("audits", 0), failed=row.get("failed", 0)))
    return result


def slowest_sites(*, days: int = 30, limit: int = 10) -> list[dict[str, Any]]:
    """Sites whose completed audits took longest on average over the last `days` days:
    site, audits, average and longest duration (seconds), average pages."""
    since = timezone.now() - timedelta(days=days)
    duration = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    rows = (annotate_site(Audit.objects.filter(status=Audit.Status.COMPLETED, finished_at__gte=since,
                                            started_at__isnull=False))
            .order_by().values("site")
            .annotate(audits=Count("id"), avg_duration=Avg(duration), max_duration=Max(duration),
                      avg_pages=Avg("pages_crawled"))
            .order_by("-avg_duration")[:limit])
    return [{"site": row["site"], "audits": row["audits"],
             "avg_seconds": row["avg_duration"].total_seconds() if row["avg_duration"] else 0.0,
             "max_seconds": row["max_duration"].total_seconds() if row["max_duration"] else 0.0,
             "avg_pages": round(row["avg_pages"] or 0)} for row in rows]


def status_counts() -> dict[str, int]:
    """How many audits are in each status (all time)."""
    counts = dict.fromkeys(Audit.Status.values, 0)
    for row in Audit.objects.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts
