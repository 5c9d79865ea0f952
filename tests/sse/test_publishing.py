"""A real crawl of a local site publishes its progress: status changes, throttled progress
with findings so far, the completion with scores; and the snapshot is persisted."""

from __future__ import annotations

import json
import threading
import time

import pytest

from audits import progress, services
from audits.models import Audit
from tests.sites import Route, html, serve

from .conftest import make_audit, redis_client

pytestmark = pytest.mark.django_db(transaction=True)


def _site(pages: int, delay: float) -> dict[str, Route]:
    links = "".join(f'<a href="/p{i}">Page {i}</a> ' for i in range(pages))
    routes = {"/": Route(html("Home page of the progress test site", links))}
    for i in range(pages):
        # every page lacks a meta description: findings accumulate while the crawl runs
        routes[f"/p{i}"] = Route(html(f"Page {i} of the progress test site", links,
                                      description=""), delay=delay)
    return routes


class ChannelRecorder:
    """Every message on one audit's channel, with the time it arrived."""

    def __init__(self, audit_id) -> None:
        self.pubsub = redis_client().pubsub(ignore_subscribe_messages=True)
        self.pubsub.subscribe(progress.channel_for(audit_id))
        self.messages: list[tuple[float, dict]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            message = self.pubsub.get_message(timeout=0.1)
            if message is not None:
                self.messages.append((time.monotonic(), json.loads(message["data"])))

    def stop(self) -> list[tuple[float, dict]]:
        time.sleep(0.3)
        self._stop.set()
        self._thread.join()
        self.pubsub.close()
        return self.messages


def test_crawl_publishes_status_throttled_progress_and_completion(caller, allow_private):
    with serve(_site(pages=24, delay=0.1)) as base:
        audit = services.audit_create(owner=caller.user, url=base + "/",
                                      options={"max_pages": 30}, enqueue=False)
        recorder = ChannelRecorder(audit.pk)
        started = time.monotonic()
        audit = services.audit_run(audit_id=audit.pk)
        elapsed = time.monotonic() - started
        messages = recorder.stop()
    assert audit.status == Audit.Status.COMPLETED, audit.error
    snapshots = [m for _t, m in messages]
    seqs = [s["seq"] for s in snapshots]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert snapshots[0]["status"] == "RUNNING" and snapshots[0]["started_at"]
    running = [s for s in snapshots if s["status"] == "RUNNING"]
    ticks = running[1:]
    assert ticks, "no progress while crawling"
    assert any(s["current_url"] and s["current_url"].startswith(base) for s in ticks)
    assert any(s["findings"]["warning"] + s["findings"]["notice"] + s["findings"]["error"] > 0
               for s in ticks)
    crawled = [s["pages_crawled"] for s in ticks]
    assert crawled == sorted(crawled)
    # throttled: at most 4 progress snapshots per second (+ the one after the crawl loop)
    assert len(ticks) <= elapsed * 4 + 2
    final = snapshots[-1]
    assert final["status"] == "COMPLETED" and final["progress"] == 100
    assert final["seo_score"] is not None and final["finished_at"] and final["eta_s"] is None
    assert final["findings"] == {k: audit.summary["findings_by_severity"].get(k, 0)
                                 for k in ("error", "warning", "notice")}
    audit.refresh_from_db()
    assert audit.progress_seq == final["seq"] and audit.progress_snapshot["status"] == "COMPLETED"


def test_unreachable_site_publishes_failed(caller, allow_private):
    audit = services.audit_create(owner=caller.user, url="http://127.0.0.1:9/", enqueue=False)
    recorder = ChannelRecorder(audit.pk)
    audit = services.audit_run(audit_id=audit.pk)
    snapshots = [m for _t, m in recorder.stop()]
    assert audit.status == Audit.Status.FAILED
    assert [s["status"] for s in snapshots][-1] == "FAILED" and snapshots[-1]["error"]


def test_crawl_with_redis_down_still_persists_progress(caller, allow_private, settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    with serve(_site(pages=3, delay=0)) as base:
        audit = services.audit_create(owner=caller.user, url=base + "/", enqueue=False)
        audit = services.audit_run(audit_id=audit.pk)
    assert audit.status == Audit.Status.COMPLETED, audit.error
    assert audit.progress_seq >= 2 and audit.progress_snapshot["status"] == "COMPLETED"


def test_cancel_while_running_is_published_once_and_stops_progress(caller):
    audit = make_audit(caller.user, status=Audit.Status.RUNNING)
    recorder = ChannelRecorder(audit.pk)
    services.audit_cancel(audit=audit)
    services.audit_cancel(audit=audit)  # already cancelled: no second event
    assert progress.progress_record(audit_id=audit.pk, only_if_running=True) is None
    snapshots = [m for _t, m in recorder.stop()]
    assert [s["status"] for s in snapshots] == ["CANCELLED"]
