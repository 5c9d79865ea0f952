"""Queue routing: every task goes to the queue of its kind, and the deployments consume them all."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from seoaudit.celery import app
from seoaudit.task_routing import ALL_QUEUES, all_tasks_to, queue_for

ROOT = Path(__file__).resolve().parents[2]

EXPECTED = {
    "audits.run_audit": "crawl",
    "audits.watchdog": "beat",
    "ai.generate_content": "ai",
    "reports.generate_report": "reports",
    "webhooks.deliver": "webhooks",
    "webhooks.deliver_due": "beat",
    "keywords.track_due": "beat",
    "keywords.track_site": "beat",
    "keywords.track_keywords": "beat",
    "keywords.reaudit_site": "beat",
    "pagespeed.measure": "crawl",
    "visibility.track_due": "beat",
    "visibility.run_prompt": "ai",
}


def _our_tasks() -> set[str]:
    app.loader.import_default_modules()
    return {name for name in app.tasks if not name.startswith("celery.")}


def test_every_task_has_the_queue_of_its_kind():
    assert set(EXPECTED) <= _our_tasks()
    for name, queue in EXPECTED.items():
        assert app.amqp.router.route({}, name)["queue"].name == queue, name
    # A task added later is routed by its app's prefix, not left on Celery's default queue.
    assert {name for name in _our_tasks() if queue_for(name) == "celery"} == set()


def test_every_periodic_task_goes_to_the_beat_queue():
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert queue_for(entry["task"]) == "beat", entry["task"]


def test_tests_can_pin_every_task_to_a_queue_of_their_own():
    with all_tasks_to("mine"):
        assert queue_for("audits.run_audit") == "mine"
    assert queue_for("audits.run_audit") == "crawl"


@pytest.mark.skipif(not settings.REDIS_URL, reason="the Redis broker only")
def test_visibility_timeout_outlasts_the_longest_task():
    """An acks_late message is handed to another worker after the visibility timeout: while the
    first worker may still run the task, that would be a second run."""
    from audits.tasks import run_audit

    limits = [task.time_limit or 0 for task in app.tasks.values()]
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > max(limits)
    assert max(limits) == run_audit.time_limit


def test_long_tasks_are_acknowledged_late_and_redelivered_when_the_worker_dies():
    from audits.tasks import run_audit

    assert run_audit.acks_late and run_audit.reject_on_worker_lost
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_TASK_ACKS_ON_FAILURE_OR_TIMEOUT is True


def test_a_worker_without_queue_options_consumes_every_queue():
    assert {queue.name for queue in app.conf.task_queues} == set(ALL_QUEUES)


def _queues_in(command: str) -> set[str]:
    match = re.search(r"-Q\s+(\S+)", command)
    return set(match.group(1).split(",")) if match else set()


def test_the_deployments_consume_every_queue():
    compose = (ROOT / "docker-compose.yml").read_text()
    commands = re.findall(r"celery -A seoaudit worker[^\n]*(?:\n\s+--?[^\n]*)*", compose)
    consumed = set().union(*(_queues_in(" ".join(c.split())) for c in commands))
    assert consumed == set(ALL_QUEUES)
    serve = " ".join((ROOT / "scripts" / "serve.sh").read_text().replace("\\\n", " ").split())
    assert _queues_in(serve[serve.index("celery -A seoaudit worker"):]) == set(ALL_QUEUES)
