"""Rank tracking: fetch the SERP of each keyword and store one check per keyword and day.

Idempotent per day: keywords that already have today's check are skipped before any SERP
request, and the (keyword, checked_on) unique constraint makes a concurrent second run
insert nothing (`ignore_conflicts`). SERP requests run concurrently, bounded per provider
(SERP_CONCURRENCY); database writes happen after each batch's requests, outside asyncio.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import structlog
from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from .models import Keyword, RankCheck
from .providers import Serp, SerpError, SerpProvider, SerpQuery, provider_from_settings, serp_fetch_many
from .services import _emit, url_is_on_site

log = structlog.get_logger(__name__)

BATCH_SIZE = 500


@dataclass(slots=True)
class TrackResult:
    checked: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    events: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"checked": self.checked, "skipped": self.skipped, "failed": self.failed,
                "errors": self.errors[:100], "events": self.events}


ProgressFn = Callable[[Keyword, RankCheck | None, SerpError | None, int, int], None]


def keywords_without_check(queryset: QuerySet[Keyword], *, day: date) -> QuerySet[Keyword]:
    """Active keywords of `queryset` that have no check on `day`."""
    done = RankCheck.objects.filter(keyword=OuterRef("pk"), checked_on=day)
    return queryset.filter(active=True).exclude(Exists(done))


def keyword_slot_hour(keyword_id: int) -> int:
    """The hour of the day (UTC) a keyword is due: spread evenly and stable across runs."""
    return zlib.crc32(str(keyword_id).encode()) % 24


def keywords_due(*, now: Any = None) -> QuerySet[Keyword]:
    """Keywords whose slot hour has come today and that have no check today (a missed slot
    is caught up by the next hourly run)."""
    now = now or timezone.now()
    pending = keywords_without_check(Keyword.objects.all(), day=now.date())
    due_ids = [pk for pk in pending.values_list("pk", flat=True)
               if keyword_slot_hour(pk) <= now.hour]
    return Keyword.objects.filter(pk__in=due_ids)


def rank_track(*, keywords: QuerySet[Keyword], day: date | None = None,
               provider: SerpProvider | None = None, on_progress: ProgressFn | None = None
               ) -> TrackResult:
    """Check every active keyword of `keywords` that has no check on `day` (today, UTC).

    Raises ProviderNotConfigured (a SerpError) before doing anything when no provider is set.
    A keyword whose search fails gets no check (a later run retries it) and is counted in
    `failed` with the reason.
    """
    provider = provider or provider_from_settings()
    day = day or timezone.now().date()
    result = TrackResult()
    requested = keywords.count()
    pending = list(keywords_without_check(keywords, day=day).select_related("site", "site__owner")
                   .order_by("pk"))
    result.skipped = requested - len(pending)
    total, done = len(pending), 0
    for start in range(0, total, BATCH_SIZE):
        batch = pending[start:start + BATCH_SIZE]
        serps = serp_fetch_many(provider, [_query(k) for k in batch], depth=settings.SERP_DEPTH,
                                concurrency=settings.SERP_CONCURRENCY)
        checks, failures = [], []
        for keyword, serp in zip(batch, serps, strict=True):
            if isinstance(serp, SerpError):
                failures.append((keyword, serp))
            else:
                checks.append(_check_from_serp(keyword, serp, day))
        RankCheck.objects.bulk_create(checks, ignore_conflicts=True, batch_size=1000)
        # ignore_conflicts hands back every object; count what is stored for today instead
        # (a concurrent run's rows for the same keywords are the same checks, not new ones).
        result.checked += RankCheck.objects.filter(
            keyword_id__in=[c.keyword_id for c in checks], checked_on=day).count()
        result.events += _emit_changes(checks, day=day)
        for keyword, error in failures:
            result.failed += 1
            result.errors.append({"keyword_id": keyword.pk, "phrase": keyword.phrase,
                                  "code": error.code, "message": str(error)})
            log.warning("keywords.rank_check_failed", keyword_id=keyword.pk, code=error.code,
                        error=str(error))
        if on_progress:
            by_keyword = {c.keyword_id: c for c in checks}
            errors = dict((k.pk, e) for k, e in failures)
            for keyword in batch:
                done += 1
                on_progress(keyword, by_keyword.get(keyword.pk), errors.get(keyword.pk), done, total)
    log.info("keywords.rank_track", **result.as_dict() | {"errors": len(result.errors)})
    return result


def rank_check_run(*, keyword: Keyword, day: date | None = None,
                   provider: SerpProvider | None = None) -> RankCheck | None:
    """Check one keyword today (or return today's check when it exists)."""
    day = day or timezone.now().date()
    existing = RankCheck.objects.filter(keyword=keyword, checked_on=day).first()
    if existing:
        return existing
    result = rank_track(keywords=Keyword.objects.filter(pk=keyword.pk), day=day, provider=provider)
    if result.errors:
        raise SerpError(result.errors[0]["message"])
    return RankCheck.objects.filter(keyword=keyword, checked_on=day).first()


def rank_track_due(*, now: Any = None) -> TrackResult:
    """The hourly beat job: due keywords, one run at a time per provider (a cache lock), so
    overlapping beats never double the provider's concurrency."""
    provider = provider_from_settings()
    now = now or timezone.now()
    lock = f"keywords:track_due:{provider.name}"
    if not cache.add(lock, "1", timeout=3600):
        log.info("keywords.track_due_skipped", reason="another run holds the lock")
        return TrackResult()
    try:
        return rank_track(keywords=keywords_due(now=now), day=now.date(), provider=provider)
    finally:
        cache.delete(lock)


def _query(keyword: Keyword) -> SerpQuery:
    return SerpQuery(phrase=keyword.phrase, country=keyword.country, language=keyword.language,
                     device=keyword.device, search_engine=keyword.search_engine)


def _check_from_serp(keyword: Keyword, serp: Serp, day: date) -> RankCheck:
    host = keyword.site.host
    own = [(r.position, r.url) for r in serp.results if url_is_on_site(r.url, host)]
    return RankCheck(
        keyword=keyword, checked_on=day, position=own[0][0] if own else None,
        ranking_url=own[0][1] if own else "", depth=serp.depth, provider=serp.provider,
        serp_features=list(serp.features),
        top_results=[[r.position, r.url, r.title[:120]] for r in serp.results[:settings.SERP_KEEP_RESULTS]],
        site_results=[[pos, url] for pos, url in own[:20]])


def _emit_changes(checks: Iterable[RankCheck], *, day: date) -> int:
    """`rank.changed` for keywords that moved more than RANK_CHANGE_THRESHOLD places since
    their previous check ("not in top N" counts as position N + 1)."""
    checks = list(checks)
    if not checks:
        return 0
    threshold = settings.RANK_CHANGE_THRESHOLD
    previous: dict[int, RankCheck] = {}
    for check in (RankCheck.objects.filter(keyword_id__in=[c.keyword_id for c in checks],
                                           checked_on__lt=day)
                  .order_by("keyword_id", "-checked_on").distinct("keyword_id")
                  if _distinct_on() else _previous_fallback(checks, day)):
        previous[check.keyword_id] = check
    sent = 0
    for check in checks:
        before = previous.get(check.keyword_id)
        if before is None:
            continue
        old = before.position or before.depth + 1
        new = check.position or check.depth + 1
        if abs(old - new) <= threshold:
            continue
        keyword = check.keyword
        sent += _emit(owner=keyword.site.owner, type="rank.changed", data={
            "keyword_id": keyword.pk, "phrase": keyword.phrase, "site": keyword.site.host,
            "previous_position": before.position, "position": check.position,
            "previous_date": before.checked_on.isoformat(), "date": day.isoformat(),
            "change": old - new, "ranking_url": check.ranking_url})
    return sent


def _distinct_on() -> bool:
    from django.db import connection

    return connection.features.can_distinct_on_fields


def _previous_fallback(checks: list[RankCheck], day: date) -> list[RankCheck]:
    latest: dict[int, RankCheck] = {}
    for check in (RankCheck.objects.filter(keyword_id__in=[c.keyword_id for c in checks],
                                           checked_on__lt=day).order_by("checked_on")):
        latest[check.keyword_id] = check
    return list(latest.values())
