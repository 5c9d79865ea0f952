"""The event stream over a real uvicorn server: format, ids, live events from Redis,
Last-Event-ID, heartbeat, termination, the per-user cap and the rate-limit exemption."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from django.utils import timezone

from audits import progress, services
from audits.engine.types import CrawlProgress
from audits.models import Audit
from audits.sse.views import slots

from .conftest import make_audit, open_stream

pytestmark = pytest.mark.django_db(transaction=True)

CONTRACT_KEYS = {"audit_id", "seq", "status", "progress", "pages_crawled", "total_pages",
                 "current_url", "findings", "seo_score", "geo_score", "started_at",
                 "finished_at", "elapsed_s", "eta_s", "error", "url"}


def _start(audit: Audit) -> None:
    """What the worker's claim does: PENDING -> RUNNING, published."""
    Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.RUNNING,
                                             started_at=timezone.now())
    progress.progress_publish_status(audit_id=audit.pk)


def _crawl_tick(audit: Audit, pages: int, *, errors: int = 0) -> dict:
    crawl = CrawlProgress(pages_crawled=pages, pages_queued=10 - pages, total_estimate=10,
                          current_url=f"https://example.com/p{pages}",
                          findings_by_severity={"error": errors, "warning": 2, "notice": 0})
    snapshot = progress.progress_record(audit_id=audit.pk, crawl=crawl, only_if_running=True,
                                        fields={"pages_crawled": pages, "total_pages": 10,
                                                "progress": pages * 10})
    assert snapshot is not None
    return snapshot


def test_finished_audit_sends_one_terminal_event_in_the_contract_shape(server, caller):
    audit = make_audit(caller.user, status=Audit.Status.COMPLETED, progress=100, pages_crawled=3,
                       total_pages=3, seo_score=91.5, geo_score=64.0,
                       started_at=timezone.now(), finished_at=timezone.now(),
                       summary={"findings_by_severity": {"error": 1, "warning": 4, "notice": 2}})
    with open_stream(server, audit.pk, headers=caller.bearer) as (response, reader):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert "no-cache" in response.headers["cache-control"]
        event = reader.next()
        assert reader.next() is None  # the stream ends after a terminal event
    assert event.event == "completed" and event.id == "0" and event.retry == 3000
    snapshot = event.snapshot
    assert set(snapshot) == CONTRACT_KEYS
    assert snapshot["audit_id"] == str(audit.pk) and snapshot["status"] == "COMPLETED"
    assert snapshot["seo_score"] == 91.5 and snapshot["geo_score"] == 64.0
    assert snapshot["findings"] == {"error": 1, "warning": 4, "notice": 2}
    assert snapshot["url"] == "https://example.com/" and snapshot["current_url"] is None


@pytest.mark.parametrize(("status", "event_type"), [(Audit.Status.FAILED, "failed"),
                                                    (Audit.Status.CANCELLED, "status")])
def test_other_terminal_statuses_end_the_stream(server, caller, status, event_type):
    audit = make_audit(caller.user, status=status, error="boom" if status == "FAILED" else "")
    with open_stream(server, audit.pk, headers=caller.bearer) as (_response, reader):
        event = reader.next()
        assert reader.next() is None
    assert event.event == event_type and event.snapshot["status"] == status
    if status == Audit.Status.FAILED:
        assert event.snapshot["error"] == "boom"


def test_live_events_status_progress_and_cancel_in_order(server, caller):
    audit = make_audit(caller.user)
    with open_stream(server, audit.pk, headers=caller.bearer) as (_response, reader):
        first = reader.next()
        assert first.event == "progress" and first.snapshot["status"] == "PENDING"
        _start(audit)
        running = reader.next()
        assert running.event == "status" and running.snapshot["status"] == "RUNNING"
        _crawl_tick(audit, 4, errors=3)
        tick = reader.next()
        assert tick.event == "progress"
        assert tick.snapshot["pages_crawled"] == 4 and tick.snapshot["total_pages"] == 10
        assert tick.snapshot["progress"] == 40
        assert tick.snapshot["findings"] == {"error": 3, "warning": 2, "notice": 0}
        assert tick.snapshot["current_url"] == "https://example.com/p4"
        assert tick.snapshot["eta_s"] is not None and tick.snapshot["elapsed_s"] is not None
        services.audit_cancel(audit=Audit.objects.get(pk=audit.pk))
        cancelled = reader.next()
        assert cancelled.event == "status" and cancelled.snapshot["status"] == "CANCELLED"
        # partial counts survive the cancel
        assert cancelled.snapshot["findings"]["error"] == 3
        assert reader.next() is None
    ids = [int(e.id) for e in (first, running, tick, cancelled)]
    assert ids == sorted(ids) and len(set(ids)) == 4
    assert [int(e.snapshot["seq"]) for e in (first, running, tick, cancelled)] == ids


def test_completion_event_carries_scores(server, caller):
    audit = make_audit(caller.user)
    _start(audit)
    with open_stream(server, audit.pk, headers=caller.bearer) as (_response, reader):
        assert reader.next().snapshot["status"] == "RUNNING"
        Audit.objects.filter(pk=audit.pk).update(
            status=Audit.Status.COMPLETED, progress=100, seo_score=77.0, geo_score=55.5,
            finished_at=timezone.now(),
            summary={"findings_by_severity": {"error": 2, "warning": 0, "notice": 9}})
        progress.progress_publish_status(audit_id=audit.pk)
        done = reader.next()
        assert reader.next() is None
    assert done.event == "completed"
    assert done.snapshot["seo_score"] == 77.0 and done.snapshot["geo_score"] == 55.5
    assert done.snapshot["findings"] == {"error": 2, "warning": 0, "notice": 9}


def test_last_event_id_reconnect_gets_the_current_snapshot_at_once(server, caller):
    audit = make_audit(caller.user)
    _start(audit)
    with open_stream(server, audit.pk, headers=caller.bearer) as (_response, reader):
        seen = reader.next()
    _crawl_tick(audit, 2)
    _crawl_tick(audit, 5)  # published while nobody listened
    started = time.monotonic()
    with open_stream(server, audit.pk, headers={**caller.bearer, "Last-Event-ID": seen.id}) \
            as (_response, reader):
        resumed = reader.next()
    assert time.monotonic() - started < 5  # at once, not at the next heartbeat (15 s)
    assert int(resumed.id) == int(seen.id) + 2
    assert resumed.snapshot["pages_crawled"] == 5 and resumed.event == "progress"


def test_heartbeat_comment_on_an_idle_stream(server, caller, settings):
    settings.SSE_HEARTBEAT_S = 0.3
    audit = make_audit(caller.user)
    with open_stream(server, audit.pk, headers=caller.bearer) as (_response, reader):
        reader.next()
        assert reader.next_comment() == "heartbeat"
        assert reader.next_comment() == "heartbeat"
        _start(audit)
        assert reader.next().snapshot["status"] == "RUNNING"  # still live after heartbeats


def test_streams_per_user_are_capped_and_slots_come_back(server, caller, other_caller, settings):
    settings.SSE_MAX_STREAMS_PER_USER = 2
    audit = make_audit(caller.user)
    with open_stream(server, audit.pk, headers=caller.bearer) as (_r1, first), \
            open_stream(server, audit.pk, headers=caller.bearer) as (_r2, second):
        first.next(), second.next()
        with httpx.Client(base_url=server, timeout=5) as client:
            refused = client.get(f"/api/v1/audits/{audit.pk}/events", headers=caller.bearer)
            assert refused.status_code == 429
            assert refused.json()["error"]["code"] == "too_many_streams"
            assert refused.headers["Retry-After"]
            # another user is not affected
            theirs = make_audit(other_caller.user, status=Audit.Status.COMPLETED)
            assert client.get(f"/api/v1/audits/{theirs.pk}/events",
                              headers=other_caller.bearer).status_code == 200
    deadline = time.monotonic() + 5
    while slots.count(caller.user.pk) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert slots.count(caller.user.pk) == 0
    with open_stream(server, audit.pk, headers=caller.bearer) as (response, reader):
        assert response.status_code == 200 and reader.next() is not None


def test_streams_are_exempt_from_the_rate_limiter(server, caller, settings):
    settings.SEOAUDIT_RATE_LIMITS_ENABLED = True
    settings.SEOAUDIT_RATE_LIMITS = {**settings.SEOAUDIT_RATE_LIMITS, "default": "2/minute",
                                     "audits": "2/minute"}
    audit = make_audit(caller.user, status=Audit.Status.COMPLETED)
    with httpx.Client(base_url=server, timeout=5) as client:
        statuses = [client.get(f"/api/v1/audits/{audit.pk}/events", headers=caller.bearer)
                    for _ in range(5)]
        assert [r.status_code for r in statuses] == [200] * 5
        assert all("X-RateLimit-Limit" not in r.headers for r in statuses)
        counted = [client.get(f"/api/v1/audits/{audit.pk}", headers=caller.bearer).status_code
                   for _ in range(3)]
    assert counted[-1] == 429  # the limiter is on: the stream was exempt, not the test


def test_progress_endpoint_returns_the_same_snapshot(server, caller):
    audit = make_audit(caller.user)
    _start(audit)
    snapshot = _crawl_tick(audit, 3, errors=1)
    with httpx.Client(base_url=server, timeout=5) as client:
        body = client.get(f"/api/v1/audits/{audit.pk}/progress", headers=caller.bearer).json()
    assert {k: body[k] for k in CONTRACT_KEYS} == json.loads(json.dumps(
        {**snapshot, "elapsed_s": body["elapsed_s"], "eta_s": body["eta_s"]}))
    assert body["updated_at"]


def test_non_get_methods_are_refused(server, caller):
    audit = make_audit(caller.user)
    with httpx.Client(base_url=server, timeout=5) as client:
        response = client.delete(f"/api/v1/audits/{audit.pk}/events", headers=caller.bearer)
    assert response.status_code == 405 and response.json()["error"]["code"] == "method_not_allowed"
