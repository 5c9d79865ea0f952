"""Asking tracked prompts to answer engines: one run per prompt, engine and day (UTC).

Idempotent per day: the (prompt, engine, run_on) unique constraint holds one row, and a
worker only calls the engine after *claiming* that row — creating it, or taking over a
retryable failure or a stale "running" row with one conditional UPDATE — so two workers,
two beats or a beat and a "run now" never ask the same question twice on one day. Every
call is reserved on the owner's daily budget first (visibility/budget.py).

Failures: a rate limit is recorded and re-raised (the Celery task retries after the
provider's Retry-After); quota and auth failures are final for the day (retrying cannot
help); other engine errors are retried by the next hourly run, at most
AI_VISIBILITY_MAX_ATTEMPTS times a day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import structlog
from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from keywords.tracking import keyword_slot_hour
from webhooks.events import EventType
from webhooks.services import event_emit

from .analysis import CitationIn, Entity, analyse_answer, competitor_entities
from .budget import budget_refund, budget_reserve, budget_status
from .engine_access import EngineNotConfigured, engine_get, engine_names
from .engines.base import (
    AnswerEngine,
    EngineAnswer,
    EngineAuthError,
    EngineError,
    EngineQuotaExceeded,
    EngineRateLimited,
)
from .models import AnswerRun, TrackedPrompt, VisibilityBrand

log = structlog.get_logger(__name__)

Status = AnswerRun.Status
#: Failures the next run of the day may retry (quota and auth failures are final today).
RETRYABLE = ("rate_limited", "engine_error", "budget_exhausted", "no_engine_configured")
#: Skips that do not use one of the day's attempts (no call was made).
FREE_SKIPS = ("budget_exhausted", "no_engine_configured")


@dataclass(slots=True)
class TrackResult:
    ran: int = 0
    existing: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"ran": self.ran, "existing": self.existing, "failed": self.failed,
                "skipped": self.skipped, "errors": self.errors[:100]}


ProgressFn = Callable[[TrackedPrompt, str, AnswerRun, int, int], None]


def _retryable(now: datetime) -> Q:
    """Rows of today a new attempt may take over."""
    stale = now - timedelta(seconds=settings.AI_VISIBILITY_RUN_TIMEOUT_S)
    return (Q(status__in=[Status.FAILED, Status.SKIPPED], error_code__in=RETRYABLE,
              attempts__lt=settings.AI_VISIBILITY_MAX_ATTEMPTS)
            | Q(status=Status.RUNNING, updated_at__lt=stale))


def _claim(prompt: TrackedPrompt, engine: str, day: date) -> tuple[AnswerRun, bool]:
    """(the day's row, True when this caller may call the engine)."""
    run, created = AnswerRun.objects.get_or_create(
        prompt=prompt, engine=engine, run_on=day, defaults={"status": Status.RUNNING, "attempts": 1})
    if created:
        return run, True
    now = timezone.now()
    taken = AnswerRun.objects.filter(_retryable(now), pk=run.pk).update(
        status=Status.RUNNING, attempts=F("attempts") + 1, error_code="", error="", updated_at=now)
    run.refresh_from_db()
    return run, taken == 1


def prompt_run(*, prompt: TrackedPrompt, engine_name: str, day: date | None = None,
               engine: AnswerEngine | None = None) -> AnswerRun:
    """Ask `prompt` on one engine for `day` (today, UTC) and store the analysed answer.

    Returns the day's run: the existing one when the question was already asked (no call),
    a skipped one when the budget is used up or the engine is not configured, a failed one
    on quota/auth/engine errors. EngineRateLimited is re-raised after the failure is
    recorded, so a Celery task can retry after `retry_after_s`.
    """
    day = day or timezone.now().date()
    run, claimed = _claim(prompt, engine_name, day)
    if not claimed:
        return run
    owner_id = prompt.site.owner_id
    if not budget_reserve(owner_id=owner_id, day=day):
        limit = budget_status(owner_id=owner_id, day=day).limit
        return _fail(run, Status.SKIPPED, "budget_exhausted",
                     f"The daily budget of {limit} engine runs is used up; runs resume tomorrow.")
    try:
        engine = engine or engine_get(engine_name)
    except EngineNotConfigured as exc:
        budget_refund(owner_id=owner_id, day=day)
        return _fail(run, Status.SKIPPED, "no_engine_configured", str(exc))
    try:
        answer = engine.ask(prompt.question, language=prompt.language, country=prompt.country)
    except EngineRateLimited as exc:
        budget_refund(owner_id=owner_id, day=day)
        _fail(run, Status.FAILED, "rate_limited", str(exc))
        raise
    except EngineQuotaExceeded as exc:
        budget_refund(owner_id=owner_id, day=day)
        return _fail(run, Status.FAILED, "quota_exceeded", str(exc))
    except EngineAuthError as exc:
        budget_refund(owner_id=owner_id, day=day)
        return _fail(run, Status.FAILED, "auth_failed", str(exc))
    except EngineError as exc:
        budget_refund(owner_id=owner_id, day=day)
        return _fail(run, Status.FAILED, "engine_error", str(exc))
    except Exception as exc:  # a client bug must not leave the row "running"
        budget_refund(owner_id=owner_id, day=day)
        log.exception("visibility.engine_crashed", engine=engine_name, prompt_id=prompt.pk)
        return _fail(run, Status.FAILED, "engine_error", f"the engine client failed ({type(exc).__name__})")
    _store_answer(run, prompt, answer)
    log.info("visibility.run", prompt_id=prompt.pk, engine=engine_name, model=run.model,
             mentioned=run.brand_mentioned, cited=run.cited, position=run.cited_position,
             tokens=run.input_tokens + run.output_tokens, cost_usd=str(run.cost_usd))
    run_emit_change(run=run)
    return run


def _fail(run: AnswerRun, status: str, code: str, message: str) -> AnswerRun:
    run.status, run.error_code, run.error = status, code, message[:2000]
    fields = ["status", "error_code", "error", "updated_at"]
    if code in FREE_SKIPS and run.attempts > 0:
        run.attempts -= 1
        fields.append("attempts")
    run.save(update_fields=fields)
    log.warning("visibility.run_failed", run_id=run.pk, engine=run.engine, code=code, error=message)
    return run


def _store_answer(run: AnswerRun, prompt: TrackedPrompt, answer: EngineAnswer) -> None:
    brand = VisibilityBrand.objects.filter(site_id=prompt.site_id).first()
    site = prompt.site
    result = analyse_answer(
        text=answer.text,
        citations=[CitationIn(url=c.url, title=c.title, position=c.position,
                              domain=getattr(c, "domain", "") or "") for c in answer.citations],
        brand=Entity(brand.brand_name if brand and brand.brand_name else (site.name or ""),
                     tuple(brand.brand_variants) if brand else (),
                     tuple(brand.domains) if brand else ()),
        site_domains=[site.host], competitors=competitor_entities(prompt.competitors))
    run.status, run.error_code, run.error = Status.OK, "", ""
    run.model = answer.model[:100]
    run.answer = answer.text[:settings.AI_VISIBILITY_ANSWER_MAX_CHARS]
    run.citations = [c.as_dict() for c in result.citations[:100]]
    run.input_tokens, run.output_tokens = answer.input_tokens, answer.output_tokens
    run.cost_usd, run.latency_ms = answer.cost_usd, answer.latency_ms
    run.response_id = answer.response_id[:200]
    run.brand_mentioned, run.brand_sentence = result.brand_mentioned, result.brand_sentence
    run.mention_rank = result.mention_rank
    run.cited, run.cited_position = result.cited, result.cited_position
    run.cited_urls = list(result.cited_urls)
    run.competitors_mentioned = list(result.competitors_mentioned)
    run.competitors_cited = list(result.competitors_cited)
    run.save()


def run_emit_change(*, run: AnswerRun) -> bool:
    """`ai_visibility.changed` when this run gained or lost the brand mention or the
    citation against the previous successful run of the same prompt and engine."""
    previous = (AnswerRun.objects.filter(prompt_id=run.prompt_id, engine=run.engine, status=Status.OK,
                                         run_on__lt=run.run_on).order_by("-run_on").first())
    if previous is None or (previous.brand_mentioned == run.brand_mentioned
                            and previous.cited == run.cited):
        return False
    prompt = run.prompt

    def change(before: bool, after: bool) -> str:
        return "unchanged" if before == after else "gained" if after else "lost"

    data = {"run_id": run.pk, "prompt_id": prompt.pk, "question": prompt.question,
            "site": prompt.site.host, "engine": run.engine, "model": run.model,
            "date": run.run_on.isoformat(), "previous_date": previous.run_on.isoformat(),
            "mention": change(previous.brand_mentioned, run.brand_mentioned),
            "citation": change(previous.cited, run.cited),
            "brand_mentioned": run.brand_mentioned, "cited": run.cited,
            "cited_position": run.cited_position, "previous_cited_position": previous.cited_position,
            "cited_urls": run.cited_urls[:10], "brand_sentence": run.brand_sentence}
    return event_emit(owner=prompt.site.owner, type=EventType.AI_VISIBILITY_CHANGED, data=data) is not None


def pairs_pending(prompts: QuerySet[TrackedPrompt], engines: Iterable[str], *, day: date,
                  now: datetime | None = None) -> tuple[list[tuple[TrackedPrompt, str]],
                                                        list[tuple[TrackedPrompt, str]]]:
    """(prompt, engine) pairs of the active `prompts` with no final run on `day`, owners'
    remaining budgets respected (the first pairs by prompt id get them), and the pairs left
    out for lack of budget."""
    now = now or timezone.now()
    engines = list(engines)
    active = list(prompts.filter(active=True).select_related("site").order_by("pk"))
    final = set(AnswerRun.objects.filter(prompt_id__in=[p.pk for p in active], run_on=day)
                .exclude(_retryable(now)).values_list("prompt_id", "engine"))
    remaining: dict[int, int] = {}
    pending: list[tuple[TrackedPrompt, str]] = []
    over_budget: list[tuple[TrackedPrompt, str]] = []
    for prompt in active:
        owner_id = prompt.site.owner_id
        if owner_id not in remaining:
            remaining[owner_id] = budget_status(owner_id=owner_id, day=day).remaining
        for engine in engines:
            if (prompt.pk, engine) in final:
                continue
            if remaining[owner_id] <= 0:
                over_budget.append((prompt, engine))
                continue
            remaining[owner_id] -= 1
            pending.append((prompt, engine))
    return pending, over_budget


def pairs_due(*, now: datetime | None = None) -> tuple[list[tuple[TrackedPrompt, str]],
                                                        list[tuple[TrackedPrompt, str]]]:
    """The hourly beat's work: prompts whose slot hour (spread over the day like rank
    tracking's keywords) has come, on every configured engine, without a final run today."""
    now = now or timezone.now()
    names = engine_names()
    ids = [pk for pk in TrackedPrompt.objects.filter(active=True).values_list("pk", flat=True)
           if keyword_slot_hour(pk) <= now.hour]
    return pairs_pending(TrackedPrompt.objects.filter(pk__in=ids), names, day=now.date(), now=now)


def track_due_enqueue(*, now: datetime | None = None) -> int:
    """Queue one `visibility.run_prompt` task per due pair; a cache lock keeps two
    overlapping beats from queueing the same pairs twice (the claim would stop the second
    call anyway)."""
    from .tasks import run_prompt

    if not cache.add("visibility:track_due", "1", timeout=600):
        log.info("visibility.track_due_skipped", reason="another run holds the lock")
        return 0
    try:
        pairs, over_budget = pairs_due(now=now)
        for prompt, engine in pairs:
            run_prompt.delay(prompt.pk, engine)
    finally:
        cache.delete("visibility:track_due")
    log.info("visibility.track_due", queued=len(pairs), over_budget=len(over_budget))
    return len(pairs)


def prompts_track(*, prompts: QuerySet[TrackedPrompt], engines: Iterable[str] | None = None,
                  day: date | None = None, on_progress: ProgressFn | None = None) -> TrackResult:
    """Run every pending (prompt, engine) pair now, one after the other (the cron command,
    the admin action). EngineNotConfigured when no engine is configured."""
    day = day or timezone.now().date()
    names = list(engines) if engines is not None else list(engine_names())
    requested = prompts.filter(active=True).count() * len(names)
    pairs, over_budget = pairs_pending(prompts, names, day=day)
    result = TrackResult()
    counted: dict[str, int] = defaultdict(int)
    for index, (prompt, engine) in enumerate(pairs, 1):
        try:
            run = prompt_run(prompt=prompt, engine_name=engine, day=day)
        except EngineRateLimited:
            run = AnswerRun.objects.get(prompt=prompt, engine=engine, run_on=day)
        counted[run.status] += 1
        if run.status in (Status.FAILED, Status.SKIPPED):
            result.errors.append({"prompt_id": prompt.pk, "engine": engine, "code": run.error_code,
                                  "message": run.error})
        if on_progress:
            on_progress(prompt, engine, run, index, len(pairs))
    result.ran = counted[Status.OK]
    result.failed = counted[Status.FAILED]
    result.skipped = counted[Status.SKIPPED] + len(over_budget)
    for prompt, engine in over_budget:
        result.errors.append({"prompt_id": prompt.pk, "engine": engine, "code": "budget_exhausted",
                              "message": "not asked: the daily budget is used up"})
    # Pairs already asked today (or being asked by another worker right now).
    result.existing = requested - len(pairs) - len(over_budget) + counted[Status.RUNNING]
    return result
