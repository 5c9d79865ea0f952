"""A running audit through faults: database connections dying, cancels, warm shutdown, Redis
gone (cache and rate limits)."""

from __future__ import annotations

import socket
import threading
import time

import psycopg
import pytest
from celery.signals import worker_shutting_down
from django.db import connection
from django.utils import timezone

from audits import reliability, services
from audits.models import Audit, Page
from audits.persistence import AuditWriter
from audits.reliability import DatabaseUnavailable, RunMonitor, StopReason, db_retry
from tests.sites import Route, html, serve


def _kill_my_connection() -> None:
    """Terminate this thread's PostgreSQL backend from outside, as a server restart would."""
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    dsn = {k: v for k, v in params.items() if k in ("host", "port", "user", "password")}
    with psycopg.connect(dbname="postgres", autocommit=True, **dsn) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    time.sleep(0.05)


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again: connections are refused


@pytest.fixture
def audit(user):
    return Audit.objects.create(owner=user, url="https://example.com/",
                                normalized_url="https://example.com/",
                                status=Audit.Status.RUNNING, attempts=1,
                                started_at=timezone.now())


@pytest.mark.django_db(transaction=True)
def test_db_retry_reconnects_after_the_server_dropped_the_connection(audit):
    _kill_my_connection()
    assert db_retry(lambda: Audit.objects.filter(pk=audit.pk).count(), what="test") == 1


@pytest.mark.django_db(transaction=True)
def test_db_retry_gives_up_after_its_budget(audit):
    from django.db import OperationalError

    calls = []

    def always_down():
        calls.append(time.monotonic())
        raise OperationalError("connection refused")

    started = time.monotonic()
    with pytest.raises(DatabaseUnavailable, match="database unavailable for 1 s during test"):
        db_retry(always_down, what="test", budget_s=1.0)
    assert 0.5 < time.monotonic() - started < 2.5 and len(calls) >= 3  # backoff, bounded


@pytest.mark.django_db(transaction=True)
def test_a_failed_batch_stays_buffered_and_is_written_once(allow_private, audit):
    from audits.engine.crawler import run_crawl
    from audits.options import crawl_options_for

    links = "".join(f'<a href="/p{i}">page {i}</a>' for i in range(5))
    routes = {"/": Route(html("Home page of the batch retry site", links))}
    routes |= {f"/p{i}": Route(html(f"Page {i} of the batch retry site")) for i in range(5)}
    results = []
    with serve(routes) as base:
        run_crawl(crawl_options_for(base + "/", {}), on_page=results.append)
    writer = AuditWriter(audit)
    for result in results:
        writer._buffer.append(result)
    _kill_my_connection()
    with pytest.raises(reliability.DB_CONNECTION_ERRORS):
        writer.flush()
    db_retry(writer.flush, what="test")
    assert Page.objects.filter(audit=audit).count() == len(results) == 6
    assert writer.pages_written == 6


@pytest.mark.django_db(transaction=True)
def test_monitor_stops_a_run_promptly_when_cancelled(settings, audit):
    settings.SEOAUDIT_CONTROL_POLL_SECONDS = 0.1
    cancel = threading.Event()
    with RunMonitor(audit.pk, cancel, attempt=1) as monitor:
        time.sleep(0.3)
        assert not cancel.is_set()
        services.audit_cancel(audit=audit)
        assert cancel.wait(2.0)
    assert monitor.stop_reason == StopReason.CANCELLED


@pytest.mark.django_db(transaction=True)
def test_monitor_notices_a_takeover_and_bumps_the_heartbeat(settings, audit):
    settings.SEOAUDIT_CONTROL_POLL_SECONDS = 0.1
    settings.SEOAUDIT_HEARTBEAT_SECONDS = 0.2
    before = Audit.objects.get(pk=audit.pk).updated_at
    cancel = threading.Event()
    with RunMonitor(audit.pk, cancel, attempt=1) as monitor:
        time.sleep(0.6)
        assert Audit.objects.get(pk=audit.pk).updated_at > before  # alive while no page ends
        Audit.objects.filter(pk=audit.pk).update(attempts=2)  # another worker took over
        assert cancel.wait(2.0)
    assert monitor.stop_reason == StopReason.TAKEN_OVER


@pytest.mark.django_db(transaction=True)
def test_warm_shutdown_stops_the_run_and_requeues_it(settings, allow_private, user,
                                                     monkeypatch):
    """SIGTERM to a worker (Celery's worker_shutting_down, how="Warm"): the crawl stops at
    the next check and the audit goes back to PENDING, not counted as an attempt."""
    settings.SEOAUDIT_CONTROL_POLL_SECONDS = 0.1
    settings.SEOAUDIT_MAX_RUNNING_AUDITS_PER_OWNER = 0
    import audits.tasks  # noqa: F401 - connects the worker signal, as the worker's import does

    monkeypatch.setattr(reliability, "shutdown_requested", threading.Event())
    sent: list[list[str]] = []
    from audits import scheduling

    monkeypatch.setattr(scheduling, "_send", lambda ids: sent.append(ids) or ids)
    links = "".join(f'<a href="/p{i}">page {i}</a>' for i in range(30))
    routes = {"/": Route(html("Home page of the shutdown site", links))}
    routes |= {f"/p{i}": Route(html(f"Page {i} of the shutdown site"), delay=0.1)
               for i in range(30)}
    with serve(routes) as base:
        audit = services.audit_create(owner=user, url=base + "/", options={"concurrency": 1},
                                      enqueue=False)
        timer = threading.Timer(0.8, lambda: worker_shutting_down.send(
            sender="worker@test", sig="SIGTERM", how="Warm", exitcode=0))
        timer.start()
        result = services.audit_run(audit_id=audit.pk)
    assert result.status == Audit.Status.PENDING and result.attempts == 0
    assert not Page.objects.filter(audit=result).exists()
    assert sent == [[str(audit.pk)]]  # handed to another worker


def test_cache_fails_over_to_process_memory_while_redis_is_down(settings):
    from django.core.cache import caches

    settings.CACHES = {"default": {"BACKEND": "seoaudit.cache.FailOpenRedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{_dead_port()}/0",
                                   "OPTIONS": {"socket_connect_timeout": 0.2,
                                               "socket_timeout": 0.2}}}
    cache = caches["default"]
    assert cache.get("missing", "default") == "default"
    assert cache.degraded
    assert cache.add("lock", 1, 30) is True
    assert cache.add("lock", 1, 30) is False  # a lock still works within the process
    cache.set("k", {"v": 1}, 30)
    assert cache.get("k") == {"v": 1}


def test_cache_uses_redis_when_it_is_up():
    from django.core.cache import cache

    cache.set("faults:up", "yes", 10)
    assert cache.get("faults:up") == "yes" and not cache.degraded
    cache.delete("faults:up")


@pytest.mark.django_db
def test_the_api_answers_with_redis_down(settings, user):
    """Cache and rate-limit storage unreachable: no 500, the idempotency key still replays."""
    from rest_framework.test import APIClient

    dead = f"redis://127.0.0.1:{_dead_port()}/0"
    settings.CACHES = {"default": {"BACKEND": "seoaudit.cache.FailOpenRedisCache",
                                   "LOCATION": dead,
                                   "OPTIONS": {"socket_connect_timeout": 0.2,
                                               "socket_timeout": 0.2}}}
    settings.SEOAUDIT_RATE_LIMIT_STORAGE = dead
    client = APIClient()
    client.force_authenticate(user)
    body = {"url": "https://example.com/"}
    first = client.post("/api/v1/audits", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/audits", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201
    assert again.status_code in (200, 201) and again.json()["id"] == first.json()["id"]
    assert client.get("/api/v1/audits").status_code == 200
