"""The watchdog: lost workers are requeued or failed, lost messages re-sent, never a double run."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import redis
from django.conf import settings as django_settings
from django.utils import timezone

from audits import scheduling, services
from audits.models import Audit, Finding, Page
from audits.tasks import watchdog
from seoaudit.task_routing import all_tasks_to
from tests.sites import Route, html, serve

pytestmark = pytest.mark.django_db


def _stale(owner, *, attempts: int, minutes: int = 30) -> Audit:
    audit = Audit.objects.create(owner=owner, url="https://example.com/",
                                 normalized_url="https://example.com/",
                                 status=Audit.Status.RUNNING, attempts=attempts,
                                 started_at=timezone.now(), pages_crawled=3, progress=40)
    page = Page.objects.create(audit=audit, url="https://example.com/", url_hash="a" * 16)
    Finding.objects.create(audit=audit, page=page, code="title_missing", severity="error",
                           category="content")
    Audit.objects.filter(pk=audit.pk).update(
        updated_at=timezone.now() - timedelta(minutes=minutes))
    return audit


def test_a_lost_run_is_requeued_with_a_clean_slate(settings, user,
                                                   django_capture_on_commit_callbacks):
    settings.SEOAUDIT_STALE_AUDIT_SECONDS = 600
    audit = _stale(user, attempts=1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = scheduling.audits_watchdog()
    assert report.requeued == [str(audit.pk)]
    audit.refresh_from_db()
    assert audit.status == Audit.Status.PENDING and audit.attempts == 1
    assert audit.pages_crawled == 0 and audit.dispatched_at is not None
    assert not Page.objects.filter(audit=audit).exists()
    assert not Finding.objects.filter(audit=audit).exists()
    assert callbacks  # its run_audit message goes out on commit


def test_after_the_last_attempt_the_audit_fails_with_the_reason(settings, user):
    settings.SEOAUDIT_STALE_AUDIT_SECONDS = 600
    settings.SEOAUDIT_AUDIT_MAX_ATTEMPTS = 3
    audit = _stale(user, attempts=3)
    assert scheduling.audits_watchdog().failed == [str(audit.pk)]
    audit.refresh_from_db()
    assert audit.status == Audit.Status.FAILED
    assert audit.error == "worker lost: no progress for 10 min (gave up after 3 attempts)"
    assert audit.finished_at is not None
    assert audit.progress_snapshot["status"] == "FAILED"


def test_a_live_run_is_left_alone(settings, user):
    settings.SEOAUDIT_STALE_AUDIT_SECONDS = 600
    audit = _stale(user, attempts=1, minutes=2)
    assert scheduling.audits_watchdog().as_dict() == {"requeued": 0, "failed": 0, "resent": 0,
                                                      "dispatched": 0}
    audit.refresh_from_db()
    assert audit.status == Audit.Status.RUNNING and Page.objects.filter(audit=audit).exists()


def test_a_redelivered_message_takes_over_a_stale_run_once(settings, user):
    settings.SEOAUDIT_STALE_AUDIT_SECONDS = 600
    audit = _stale(user, attempts=1)
    first = scheduling.audit_claim(audit_id=audit.pk)
    assert first.outcome == scheduling.Claim.CLAIMED and first.takeover and first.attempt == 2
    assert not Page.objects.filter(audit=audit).exists()
    # The heartbeat is fresh now: a second copy of the message is a no-op.
    assert scheduling.audit_claim(audit_id=audit.pk).outcome == scheduling.Claim.SKIPPED


def test_an_overtaken_run_cannot_finish_the_audit(settings, allow_private, user,
                                                   django_capture_on_commit_callbacks):
    """Fencing: the old run (attempt 1) comes back after a takeover (attempt 2); its results
    must not overwrite the new run's audit."""
    with serve({"/": Route(html("Home page of the fencing test site"))}) as base, \
            django_capture_on_commit_callbacks(execute=False):
        audit = services.audit_create(owner=user, url=base + "/", enqueue=False)
        assert services.audit_run(audit_id=audit.pk).status == Audit.Status.COMPLETED
        Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.RUNNING, attempts=2,
                                                 progress=5)
        from audits.engine.crawler import run_crawl
        from audits.options import crawl_options_for

        summary = run_crawl(crawl_options_for(audit.normalized_url, audit.options),
                            on_page=lambda result: None)
        services._finish(audit, summary, attempt=1)
    audit.refresh_from_db()
    assert audit.status == Audit.Status.RUNNING and audit.progress == 5


def test_a_pending_audit_whose_message_was_lost_is_sent_again(settings, user):
    settings.SEOAUDIT_PENDING_REDISPATCH_SECONDS = 600
    old = timezone.now() - timedelta(minutes=30)
    audit = Audit.objects.create(owner=user, url="https://example.com/",
                                 normalized_url="https://example.com/", dispatched_at=old)
    recent = Audit.objects.create(owner=user, url="https://b.example.com/",
                                  normalized_url="https://b.example.com/",
                                  dispatched_at=timezone.now())
    recent_at = recent.dispatched_at
    queue = f"faults-test-{uuid.uuid4().hex[:10]}"
    broker = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    try:
        with all_tasks_to(queue):
            report = scheduling.audits_watchdog()
        assert report.resent == [str(audit.pk)]
        assert broker.llen(queue) == 1  # a real run_audit message on the broker
        assert str(audit.pk).encode() in broker.lindex(queue, 0)
    finally:
        broker.delete(queue)
    audit.refresh_from_db()
    recent.refresh_from_db()
    assert audit.dispatched_at > old
    # Sent recently: not re-sent (it may just be waiting in a long queue).
    assert recent.dispatched_at == recent_at


def test_watchdog_runs_every_minute_on_the_beat_queue():
    entry = django_settings.CELERY_BEAT_SCHEDULE["audits-watchdog"]
    assert entry == {"task": "audits.watchdog", "schedule": 60.0}
    assert watchdog.name == "audits.watchdog"
