"""AI visibility reads for the API, the admin, the analytics page and the report. Everything
starts from the caller's own sites, so another user's site, prompt or run does not exist
for the caller (404)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Func, IntegerField, Q, QuerySet, Sum
from django.utils import timezone

from keywords.models import TrackedSite

from .metrics import Counts, Metrics, metrics_from, metrics_history, period_before, winners_losers
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


class _JSONArrayLength(Func):
    """Elements of a JSON array column (PostgreSQL jsonb_array_length, SQLite json_array_length)."""

    function = "jsonb_array_length"
    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="json_array_length", **extra)


def _ok_runs(runs: QuerySet[AnswerRun], period: Period, engine: str = "") -> QuerySet[AnswerRun]:
    runs = runs.filter(status=AnswerRun.Status.OK, run_on__gte=period.since, run_on__lte=period.until)
    return runs.filter(engine=engine) if engine else runs


def _counts_by(runs: QuerySet[AnswerRun], key: str) -> dict[Any, Counts]:
    """One SQL aggregate: the counts of the metrics per value of `key`."""
    cited = Q(cited=True)
    rows = (runs.order_by().values(key).annotate(
        n=Count("id"), mentions=Count("id", filter=Q(brand_mentioned=True)),
        citations=Count("id", filter=cited), position_sum=Sum("cited_position", filter=cited),
        positions=Count("cited_position", filter=cited),
        competitor_mentions=Sum(_JSONArrayLength("competitors_mentioned"))))
    return {row[key]: Counts(row["n"], row["mentions"], row["citations"], row["position_sum"] or 0,
                             row["positions"], row["competitor_mentions"] or 0) for row in rows}


def _competitors_by_engine(runs: QuerySet[AnswerRun]) -> dict[str, tuple[Counter[str], Counter[str]]]:
    """Answers naming / citing each competitor, per engine (only runs that name one)."""
    out: dict[str, tuple[Counter[str], Counter[str]]] = {}
    rows = (runs.exclude(competitors_mentioned=[], competitors_cited=[]).order_by()
            .values_list("engine", "competitors_mentioned", "competitors_cited"))
    for engine, named, cited in rows.iterator(chunk_size=5000):
        counters = out.setdefault(engine, (Counter(), Counter()))
        counters[0].update(set(named or ()))
        counters[1].update(set(cited or ()))
    return out


def visibility_metrics(*, runs: QuerySet[AnswerRun], period: Period, engine: str = "",
                       compare: bool = True) -> dict[str, Any]:
    """Metrics of a set of runs over a period: totals, per engine, per day (oldest first),
    and, with `compare`, winners and losers against the period of equal length before.
    A bounded number of aggregate queries whatever the number of runs."""
    current = _ok_runs(runs, period, engine)
    per_engine = _counts_by(current, "engine")
    for name, (named, cited) in _competitors_by_engine(current).items():
        if name in per_engine:
            per_engine[name].named, per_engine[name].cited_by = named, cited
    totals = Counts()
    for counts in per_engine.values():
        totals = totals.add(counts)
    out: dict[str, Any] = {
        "since": period.since, "until": period.until, "engine": engine or None,
        "totals": metrics_from(totals).as_dict(),
        "engines": {name: metrics_from(c).as_dict() for name, c in sorted(per_engine.items())},
        "history": metrics_history({day: metrics_from(c)
                                    for day, c in _counts_by(current, "run_on").items()})}
    if compare:
        before = Period(*period_before(period.since, period.until))
        winners, losers = winners_losers(
            {pid: metrics_from(c)
             for pid, c in _counts_by(_ok_runs(runs, before, engine), "prompt_id").items()},
            {pid: metrics_from(c) for pid, c in _counts_by(current, "prompt_id").items()})
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
