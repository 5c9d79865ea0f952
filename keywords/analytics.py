"""Rank analytics: visibility (CTR-weighted by position), shares in the top 3/10/100,
winners and losers since a date, cannibalisation. The CTR curve is documented in
docs/keywords.md with its source."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db.models import QuerySet

from .models import Keyword, RankCheck

#: Expected organic click-through rate by position 1-10 (Backlinko's organic CTR study, about
#: 4 million Google results); 11-20: the 0.78 % of searchers who click anything on page two
#: (Backlinko's 5-million-result study) spread evenly over its ten positions; beyond 20: 0.
#: Sources and caveats: docs/keywords.md.
CTR_TOP10: tuple[float, ...] = (0.276, 0.158, 0.110, 0.084, 0.063, 0.049, 0.039, 0.033, 0.027, 0.024)
CTR_PAGE_TWO = 0.00078


def ctr_for_position(position: int | None) -> float:
    """The expected CTR of an organic position (None = not ranking = 0)."""
    if position is None or position < 1:
        return 0.0
    if position <= len(CTR_TOP10):
        return CTR_TOP10[position - 1]
    return CTR_PAGE_TWO if position <= 20 else 0.0


def visibility(positions: Sequence[int | None]) -> float:
    """Visibility in percent: the expected clicks of these positions over the clicks of
    ranking first for every keyword. 100 = every keyword at #1; 0 = none in the top 20."""
    if not positions:
        return 0.0
    return round(100.0 * sum(ctr_for_position(p) for p in positions)
                 / (len(positions) * CTR_TOP10[0]), 2)


def top_shares(positions: Sequence[int | None]) -> dict[str, float]:
    """Share (percent) of keywords ranking in the top 3, 10 and 100."""
    n = len(positions)
    share = {}
    for limit in (3, 10, 100):
        hits = sum(1 for p in positions if p is not None and p <= limit)
        share[f"top{limit}"] = round(100.0 * hits / n, 2) if n else 0.0
    return share


def latest_checks(keywords: QuerySet[Keyword], *, on_or_before: date | None = None
                  ) -> dict[int, RankCheck]:
    """The newest check of each keyword (on or before a day)."""
    checks = RankCheck.objects.filter(keyword__in=keywords)
    if on_or_before is not None:
        checks = checks.filter(checked_on__lte=on_or_before)
    latest: dict[int, RankCheck] = {}
    for check in checks.order_by("keyword_id", "checked_on").select_related("keyword"):
        latest[check.keyword_id] = check  # ascending: the last one seen is the newest
    return latest


def _rank(check: RankCheck) -> int:
    return check.position or check.depth + 1


def winners_losers(keywords: QuerySet[Keyword], *, since: date, limit: int = 20
                   ) -> dict[str, list[dict[str, Any]]]:
    """Keywords that gained or lost most places between their check on or before `since`
    and their latest check ("not in top N" counts as N + 1)."""
    before = latest_checks(keywords, on_or_before=since)
    now = latest_checks(keywords)
    moves = []
    for keyword_id, check in now.items():
        old = before.get(keyword_id)
        if old is None or old.pk == check.pk:
            continue
        change = _rank(old) - _rank(check)
        if change:
            moves.append({"keyword_id": keyword_id, "phrase": check.keyword.phrase,
                          "previous_position": old.position, "position": check.position,
                          "change": change})
    moves.sort(key=lambda m: (-m["change"], m["keyword_id"]))
    winners = [m for m in moves if m["change"] > 0][:limit]
    losers = [m for m in reversed(moves) if m["change"] < 0][:limit]
    return {"winners": winners, "losers": losers}


def cannibalisation(checks: Iterable[RankCheck]) -> list[dict[str, Any]]:
    """Keywords for which several URLs of the site rank in the same SERP."""
    found = []
    for check in checks:
        urls = list(dict.fromkeys(url for _pos, url in check.site_results))
        if len(urls) > 1:
            found.append({"keyword_id": check.keyword_id, "phrase": check.keyword.phrase,
                          "checked_on": check.checked_on, "urls": [
                              {"position": pos, "url": url} for pos, url in check.site_results]})
    return found


def site_summary(keywords: QuerySet[Keyword], *, since: date | None = None) -> dict[str, Any]:
    """Visibility, top shares, cannibalisation and (with `since`) winners and losers."""
    latest = latest_checks(keywords)
    positions = [c.position for c in latest.values()]
    summary: dict[str, Any] = {
        "keywords": keywords.count(), "keywords_checked": len(latest),
        "visibility": visibility(positions), "share": top_shares(positions),
        "cannibalisation": cannibalisation(latest.values()),
    }
    if since is not None:
        summary.update(winners_losers(keywords, since=since))
    return summary


def site_visibility_history(keywords: QuerySet[Keyword], *, since: date | None = None
                            ) -> list[dict[str, Any]]:
    """Per day: visibility and top shares over the keywords checked that day."""
    checks = RankCheck.objects.filter(keyword__in=keywords)
    if since is not None:
        checks = checks.filter(checked_on__gte=since)
    by_day: dict[date, list[int | None]] = {}
    for day, position in checks.order_by("checked_on").values_list("checked_on", "position"):
        by_day.setdefault(day, []).append(position)
    return [{"date": day, "keywords": len(positions), "visibility": visibility(positions),
             **top_shares(positions)} for day, positions in by_day.items()]
