"""AI visibility reads for the API, the admin, the analytics page and the report. Everything
starts from the caller's own sites, so another user's site, prompt or run does not exist
for the caller (404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from keywords.models import TrackedSite

from .metrics import (
    ROW_FIELDS,
    Metrics,
    metrics_by,
    metrics_compute,
    metrics_history,
    period_before,
    winners_losers,
)
from .models import AnswerRun, TrackedPrompt

#: Default metrics window when the caller gives none.
DEFAULT_DAYS = 30


def site_list_for_user(*, user: Any) -> QuerySet[TrackedSite]:
    return (TrackedSite.objects.filter(owner=user).select_related("ai_brand")
            .annotate(prompt_count=Count("ai_prompts")))


def site_get_for_user(*, user: Any, site_id: Any) -> TrackedSite:
    """TrackedSite.DoesNotExist (-> 404) for another user's site."""
    return TrackedSite.objects.get(owner=user, pk=site_id)


def prompt_list_for_user(*, user: Any) -> QuerySet[TrackedPrompt]:
    return TrackedPrompt.objects.filter(site__owner=user).select_related("site")


def run_list_for_user(*, user: Any) -> QuerySet[AnswerRun]:
    return AnswerRun.objects.filter(prompt__site__owner=user).select_related("prompt")


@dataclass(frozen=True, slots=True)
class Period:
    since: date
    until: date

    @classmethod
    def of(cls, since: date | None = None, until: date | None = None) -> Period:
        until = until or timezone.now().date()
        return cls(since or until - timedelta(days=DEFAULT_DAYS - 1), until)


def _rows(runs: QuerySet[AnswerRun], period: Period, engine: str = "") -> list[dict[str, Any]]:
    runs = runs.filter(status=AnswerRun.Status.OK, run_on__gte=period.since, run_on__lte=period.until)
    if engine:
        runs = runs.filter(engine=engine)
    return list(runs.order_by().values(*ROW_FIELDS))


def visibility_metrics(*, runs: QuerySet[AnswerRun], period: Period, engine: str = "",
                       compare: bool = True) -> dict[str, Any]:
    """Metrics of a set of runs over a period: totals, per engine, per day (oldest first),
    and, with `compare`, winners and losers against the period of equal length before."""
    rows = _rows(runs, period, engine)
    out: dict[str, Any] = {
        "since": period.since, "until": period.until, "engine": engine or None,
        "totals": metrics_compute(rows).as_dict(),
        "engines": {name: m.as_dict() for name, m in metrics_by(rows, "engine").items()},
        "history": metrics_history(rows)}
    if compare:
        before = Period(*period_before(period.since, period.until))
        winners, losers = winners_losers(_rows(runs, before, engine), rows)
        questions = dict(TrackedPrompt.objects.filter(
            pk__in=[c.prompt_id for c in winners + losers]).values_list("pk", "question"))
        out["previous"] = {"since": before.since, "until": before.until}
        out["winners"] = [_change(c, questions) for c in winners]
        out["losers"] = [_change(c, questions) for c in losers]
    return out


def _change(change: Any, questions: dict[int, str]) -> dict[str, Any]:
    def brief(m: Metrics) -> dict[str, Any]:
        return {"runs": m.runs, "mention_rate": m.mention_rate, "citation_rate": m.citation_rate,
                "avg_citation_position": m.avg_citation_position}

    return {"prompt_id": change.prompt_id, "question": questions.get(change.prompt_id, ""),
            "score_change": change.score_change, "before": brief(change.before),
            "after": brief(change.after)}


def site_runs(*, site: TrackedSite) -> QuerySet[AnswerRun]:
    return AnswerRun.objects.filter(prompt__site=site)


def prompt_latest_runs(*, site: TrackedSite, since: date) -> list[AnswerRun]:
    """The newest successful run of every prompt and engine of the site since `since`."""
    runs = (AnswerRun.objects.filter(prompt__site=site, status=AnswerRun.Status.OK, run_on__gte=since)
            .select_related("prompt").order_by("prompt_id", "engine", "-run_on"))
    latest: dict[tuple[int, str], AnswerRun] = {}
    for run in runs:
        latest.setdefault((run.prompt_id, run.engine), run)
    return list(latest.values())


def runs_today_by_status(*, owner: Any) -> dict[str, int]:
    today = timezone.now().date()
    rows = (AnswerRun.objects.filter(prompt__site__owner=owner, run_on=today).values("status")
            .annotate(n=Count("id")).order_by())
    return {row["status"]: row["n"] for row in rows}


def prompts_matching(queryset: QuerySet[TrackedPrompt], *, tag: str = "", search: str = ""
                     ) -> QuerySet[TrackedPrompt]:
    if tag:
        from django.db import connection

        queryset = (queryset.filter(tags__contains=[tag]) if connection.features.supports_json_field_contains
                    else queryset.filter(tags__icontains=f'"{tag}"'))
    if search:
        queryset = queryset.filter(Q(question__icontains=search))
    return queryset
