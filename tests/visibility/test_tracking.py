"""Running prompts: stored answers and analysis, idempotency per day (also concurrent),
budgets (also concurrent), failures, the change event, the task and the beat job."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from celery.exceptions import Retry
from django.db import connection
from django.utils import timezone

from visibility import tasks, tracking
from visibility.budget import budget_reserve, budget_status
from visibility.engines.base import EngineError, EngineQuotaExceeded, EngineRateLimited
from visibility.models import AnswerRun, TrackedPrompt, VisibilityBudget, VisibilityUsage
from webhooks import services as webhook_services
from webhooks.models import WebhookEvent

from .conftest import RecordedEngine, answer_from, load_fixture

pytestmark = pytest.mark.django_db


def test_a_run_stores_the_answer_and_its_analysis(engine, prompt):
    run = tracking.prompt_run(prompt=prompt, engine_name="openai")
    assert engine.asked == [("Best managed Postgres hosting?", "en", "us")]
    run.refresh_from_db()
    assert run.status == "ok" and run.model == "gpt-4.1-mini" and run.run_on == timezone.now().date()
    assert run.brand_mentioned and run.brand_sentence.startswith("1. Acme Cloud")
    assert run.cited and run.cited_position == 2
    assert run.cited_urls == ["https://www.acme-cloud.com/pricing"]
    assert run.competitors_mentioned == ["Globex"] and run.competitors_cited == ["Globex"]
    assert run.citations[0] == {"position": 1, "url": "https://globex.io/postgres",
                                "title": "Managed Postgres | Globex", "domain": "globex.io"}
    assert run.input_tokens == 812 and str(run.cost_usd) == "0.010700"
    assert budget_status(owner_id=prompt.site.owner_id).used == 1


def test_same_day_is_idempotent(engine, prompt):
    first = tracking.prompt_run(prompt=prompt, engine_name="openai")
    second = tracking.prompt_run(prompt=prompt, engine_name="openai")
    assert first.pk == second.pk and len(engine.asked) == 1
    assert budget_status(owner_id=prompt.site.owner_id).used == 1
    tomorrow = timezone.now().date() + timedelta(days=1)
    third = tracking.prompt_run(prompt=prompt, engine_name="openai", day=tomorrow)
    assert third.pk != first.pk and len(engine.asked) == 2


def test_long_answers_are_capped(engines, prompt, settings):
    settings.AI_VISIBILITY_ANSWER_MAX_CHARS = 100
    engines(RecordedEngine("openai", answer_from(load_fixture("openai_brand_cited.json")["answer"],
                                                 text="Acme Cloud " * 100)))
    run = tracking.prompt_run(prompt=prompt, engine_name="openai")
    assert len(run.answer) == 100 and run.brand_mentioned


def test_budget_stops_runs_without_calling_the_engine(engine, site, settings):
    settings.AI_VISIBILITY_MAX_RUNS_PER_DAY = 2
    prompts = [TrackedPrompt.objects.create(site=site, question=f"question {i}") for i in range(3)]
    runs = [tracking.prompt_run(prompt=p, engine_name="openai") for p in prompts]
    assert [r.status for r in runs] == ["ok", "ok", "skipped"]
    assert runs[2].error_code == "budget_exhausted" and "2 engine runs" in runs[2].error
    assert len(engine.asked) == 2
    # Staff raise this owner's budget: the skipped run is taken again.
    VisibilityBudget.objects.create(owner=site.owner, max_runs_per_day=5)
    again = tracking.prompt_run(prompt=prompts[2], engine_name="openai")
    assert again.status == "ok" and len(engine.asked) == 3
    status = budget_status(owner_id=site.owner_id)
    assert (status.used, status.limit, status.remaining, status.custom) == (3, 5, 2, True)


def test_a_zero_budget_stops_everything(engine, prompt):
    VisibilityBudget.objects.create(owner=prompt.site.owner, max_runs_per_day=0)
    assert tracking.prompt_run(prompt=prompt, engine_name="openai").status == "skipped"
    assert engine.asked == []


def test_rate_limit_is_recorded_refunded_and_retried(engine, prompt):
    engine.queue.append(EngineRateLimited("slow down", retry_after_s=7))
    with pytest.raises(EngineRateLimited):
        tracking.prompt_run(prompt=prompt, engine_name="openai")
    run = AnswerRun.objects.get(prompt=prompt)
    assert (run.status, run.error_code, run.attempts) == ("failed", "rate_limited", 1)
    assert budget_status(owner_id=prompt.site.owner_id).used == 0
    run = tracking.prompt_run(prompt=prompt, engine_name="openai")
    assert run.status == "ok" and run.attempts == 2 and len(engine.asked) == 2


def test_quota_is_final_for_the_day(engine, prompt):
    engine.queue.append(EngineQuotaExceeded("You exceeded your current quota"))
    run = tracking.prompt_run(prompt=prompt, engine_name="openai")
    assert (run.status, run.error_code) == ("failed", "quota_exceeded")
    assert tracking.prompt_run(prompt=prompt, engine_name="openai").pk == run.pk
    assert len(engine.asked) == 1
    assert budget_status(owner_id=prompt.site.owner_id).used == 0


def test_errors_are_retried_at_most_max_attempts(engine, prompt, settings):
    settings.AI_VISIBILITY_MAX_ATTEMPTS = 2
    engine.queue += [EngineError("upstream 500"), EngineError("upstream 502")]
    assert tracking.prompt_run(prompt=prompt, engine_name="openai").error_code == "engine_error"
    run = tracking.prompt_run(prompt=prompt, engine_name="openai")
    assert (run.status, run.attempts, run.error) == ("failed", 2, "upstream 502")
    assert tracking.prompt_run(prompt=prompt, engine_name="openai").status == "failed"
    assert len(engine.asked) == 2


def test_a_crashing_client_does_not_leave_the_run_running(engines, prompt):
    class Broken(RecordedEngine):
        def ask(self, question, *, language="", country=""):
            raise KeyError("choices")

    engines(Broken("openai"))
    run = tracking.prompt_run(prompt=prompt, engine_name="openai")
    assert (run.status, run.error_code) == ("failed", "engine_error") and "KeyError" in run.error


def test_unconfigured_engine_is_a_skip(engine, prompt):
    run = tracking.prompt_run(prompt=prompt, engine_name="perplexity")
    assert (run.status, run.error_code) == ("skipped", "no_engine_configured")
    assert "'perplexity' is not configured" in run.error
    assert budget_status(owner_id=prompt.site.owner_id).used == 0


def test_registry_errors_for_an_engine_read_as_not_configured(prompt, monkeypatch):
    from types import SimpleNamespace

    from visibility import engine_access

    def get_engine(name):
        raise EngineError(f"The {name} engine is not configured: set AI_VISIBILITY_GEMINI_API_KEY.")

    registry = SimpleNamespace(configured_engines=lambda: ["gemini"], get_engine=get_engine,
                               not_configured_message=lambda: "")
    monkeypatch.setattr(engine_access, "_registry", lambda: registry)
    run = tracking.prompt_run(prompt=prompt, engine_name="gemini")
    assert (run.status, run.error_code) == ("skipped", "no_engine_configured")
    assert "AI_VISIBILITY_GEMINI_API_KEY" in run.error


def test_change_event_when_mention_or_citation_is_gained_or_lost(engines, prompt):
    endpoint = webhook_services.endpoint_create(owner=prompt.site.owner, url="https://hooks.example.com/x")
    quiet = answer_from(load_fixture("openai_brand_cited.json")["answer"],
                        text="Globex is the usual pick.", citations=[])
    engine = engines(RecordedEngine("openai"))[0]
    engine.queue += [quiet, engine.default, engine.default]
    today = timezone.now().date()
    tracking.prompt_run(prompt=prompt, engine_name="openai", day=today - timedelta(days=2))
    assert WebhookEvent.objects.count() == 0  # no previous run: nothing to compare
    tracking.prompt_run(prompt=prompt, engine_name="openai", day=today - timedelta(days=1))
    event = WebhookEvent.objects.get(type="ai_visibility.changed")
    data = __import__("json").loads(event.body)["data"]
    assert data["mention"] == "gained" and data["citation"] == "gained"
    assert data["cited_position"] == 2 and data["previous_cited_position"] is None
    assert data["question"] == prompt.question and data["site"] == "acme-cloud.com"
    assert event.deliveries.get().endpoint == endpoint
    tracking.prompt_run(prompt=prompt, engine_name="openai", day=today)
    assert WebhookEvent.objects.count() == 1  # unchanged: no event


def test_pending_pairs_respect_budget_and_final_runs(engines, site, settings):
    settings.AI_VISIBILITY_MAX_RUNS_PER_DAY = 3
    engines(RecordedEngine("openai"), RecordedEngine("perplexity"))
    prompts = [TrackedPrompt.objects.create(site=site, question=f"q{i}") for i in range(3)]
    TrackedPrompt.objects.create(site=site, question="inactive", active=False)
    day = timezone.now().date()
    tracking.prompt_run(prompt=prompts[0], engine_name="openai", day=day)
    pending, over = tracking.pairs_pending(TrackedPrompt.objects.all(), ["openai", "perplexity"], day=day)
    assert [(p.question, e) for p, e in pending] == [("q0", "perplexity"), ("q1", "openai")]
    assert len(over) == 3


def test_task_retries_a_rate_limit_after_retry_after(engine, prompt):
    engine.queue.append(EngineRateLimited("429", retry_after_s=1))
    with pytest.raises(Retry, match="Retry in 1s"):  # the countdown is the provider's Retry-After
        tasks.run_prompt.apply(args=[prompt.pk, "openai"], throw=True)
    assert AnswerRun.objects.get(prompt=prompt).error_code == "rate_limited"
    engine.queue.append(EngineRateLimited("429", retry_after_s=1))
    result = tasks.run_prompt.apply(args=[prompt.pk, "openai"], throw=False)  # eager: retried at once
    assert result.get()["status"] == "ok"
    run = AnswerRun.objects.get(prompt=prompt)
    assert run.status == "ok" and run.attempts == 3 and len(engine.asked) == 3


def test_task_gives_up_on_a_long_retry_after(engine, prompt, eager, settings):
    settings.AI_VISIBILITY_MAX_RETRY_WAIT_S = 60
    engine.queue.append(EngineRateLimited("429", retry_after_s=3600))
    result = tasks.run_prompt.delay(prompt.pk, "openai").get()
    assert result == {"status": "failed", "error_code": "rate_limited"} and len(engine.asked) == 1


def test_task_does_not_retry_quota(engine, prompt, eager):
    engine.queue.append(EngineQuotaExceeded("insufficient_quota"))
    result = tasks.run_prompt.delay(prompt.pk, "openai").get()
    assert result["status"] == "failed" and result["error_code"] == "quota_exceeded"
    assert len(engine.asked) == 1


def test_beat_job_runs_due_prompts_once_a_day(engine, site, eager, monkeypatch):
    prompts = [TrackedPrompt.objects.create(site=site, question=f"q{i}") for i in range(6)]
    late = timezone.now().replace(hour=23, minute=30)
    monkeypatch.setattr(timezone, "now", lambda: late)
    assert tasks.track_due.delay().get() == {"queued": 6}
    assert AnswerRun.objects.filter(status="ok").count() == 6 and len(engine.asked) == 6
    assert tasks.track_due.delay().get() == {"queued": 0}
    assert len(engine.asked) == 6
    early = late.replace(hour=0)
    due, _over = tracking.pairs_due(now=early + timedelta(days=1))
    from keywords.tracking import keyword_slot_hour
    assert {p.pk for p, _e in due} == {p.pk for p in prompts if keyword_slot_hour(p.pk) == 0}


def test_beat_job_without_engines_says_why(no_engines, prompt):
    result = tasks.track_due.apply().get()
    assert "No answer engine is configured" in result["skipped"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_ask_once_and_budget_never_overspends(engines, user, settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locking")
    from keywords import services as keyword_services

    site = keyword_services.site_create(owner=user, url="https://acme-cloud.com/")
    prompt = TrackedPrompt.objects.create(site=site, question="q")
    engine = engines(RecordedEngine("openai"))[0]
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait()
            tracking.prompt_run(prompt=prompt, engine_name="openai")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(engine.asked) == 1 and AnswerRun.objects.count() == 1

    settings.AI_VISIBILITY_MAX_RUNS_PER_DAY = 5
    day = date(2030, 1, 1)
    granted: list[bool] = []
    barrier = threading.Barrier(12)

    def reserve():
        try:
            barrier.wait()
            granted.append(budget_reserve(owner_id=user.pk, day=day))
        finally:
            connection.close()

    threads = [threading.Thread(target=reserve) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert granted.count(True) == 5 and granted.count(False) == 7
    assert VisibilityUsage.objects.get(owner=user, day=day).runs == 5
