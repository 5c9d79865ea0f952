"""Redis down -> database polling (at connect and mid-stream); dropped streams leave no
Redis connection, task or slot behind."""

from __future__ import annotations

import asyncio
import gc
import socket
import threading
import time

import httpx
import pytest
from django.utils import timezone

from audits import progress
from audits.models import Audit
from audits.sse import hub as hub_module
from audits.sse.views import slots

from .conftest import make_audit, open_stream, redis_client

pytestmark = pytest.mark.django_db(transaction=True)


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"  # nothing listens there any more


def _run(audit: Audit) -> None:
    Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.RUNNING, started_at=timezone.now())
    progress.progress_publish_status(audit_id=audit.pk)


def _hub_clients() -> list[dict]:
    """Our hubs' pub/sub connections: pattern subscribers on this test's Redis db."""
    return [c for c in redis_client().client_list(_type="pubsub") if int(c.get("psub", 0)) > 0]


def test_redis_unreachable_streams_poll_the_database(server, caller, settings):
    settings.REDIS_URL = _closed_port_url()
    audit = make_audit(caller.user)
    with open_stream(server, audit.pk, headers=caller.bearer) as (response, reader):
        assert response.status_code == 200
        assert reader.next().snapshot["status"] == "PENDING"
        _run(audit)  # the publish fails quietly; the snapshot is persisted
        assert reader.next().event == "status"
        Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.COMPLETED, seo_score=80.0,
                                                 finished_at=timezone.now())
        progress.progress_publish_status(audit_id=audit.pk)
        done = reader.next()
        assert done.event == "completed" and done.snapshot["seo_score"] == 80.0
        assert reader.next() is None


def test_embedded_mode_without_redis_url_polls(server, caller, settings):
    settings.REDIS_URL = ""
    audit = make_audit(caller.user)
    with open_stream(server, audit.pk, headers=caller.bearer) as (_response, reader):
        reader.next()
        _run(audit)
        assert reader.next().snapshot["status"] == "RUNNING"


def test_redis_lost_mid_stream_falls_back_to_polling(server, caller):
    audit = make_audit(caller.user)
    with open_stream(server, audit.pk, headers=caller.bearer) as (_response, reader):
        reader.next()
        _run(audit)
        assert reader.next().snapshot["status"] == "RUNNING"  # delivered by Redis
        killed = redis_client().client_kill_filter(_type="pubsub", skipme=True)
        assert killed >= 1
        deadline = time.monotonic() + 5
        while _hub_clients() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _hub_clients()  # no hub listens any more: what follows is polled
        Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.CANCELLED,
                                                 finished_at=timezone.now())
        progress.progress_publish_status(audit_id=audit.pk)
        cancelled = reader.next()
        assert cancelled.snapshot["status"] == "CANCELLED"
        assert reader.next() is None


def test_publisher_survives_redis_down(caller, settings):
    settings.REDIS_URL = _closed_port_url()
    audit = make_audit(caller.user)
    _run(audit)  # must not raise
    audit.refresh_from_db()
    assert audit.progress_seq == 1 and audit.progress_snapshot["status"] == "RUNNING"
    assert progress.publisher.publish(audit.progress_snapshot, urgent=True) is False


def test_publish_reaches_the_channel(caller):
    audit = make_audit(caller.user)
    pubsub = redis_client().pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(progress.channel_for(audit.pk))
    try:
        _run(audit)
        deadline = time.monotonic() + 5
        message = None
        while message is None and time.monotonic() < deadline:
            message = pubsub.get_message(timeout=0.5)
    finally:
        pubsub.close()
    assert message is not None and message["channel"] == f"audit:progress:{audit.pk}".encode()
    snapshot = __import__("json").loads(message["data"])
    assert snapshot["status"] == "RUNNING" and snapshot["seq"] == 1


def test_dropped_streams_leave_nothing_behind(server, caller, settings):
    settings.SSE_MAX_STREAMS_PER_USER = 100
    audit = make_audit(caller.user)
    with open_stream(server, audit.pk, headers=caller.bearer) as (_response, reader):
        reader.next()  # the hub is up
    baseline = len(redis_client().client_list())
    threads_before = threading.active_count()

    async def open_and_drop(n: int) -> None:
        async with httpx.AsyncClient(base_url=server, timeout=10) as client:
            async def one() -> None:
                async with client.stream("GET", f"/api/v1/audits/{audit.pk}/events",
                                         headers=caller.bearer) as response:
                    async for _line in response.aiter_lines():
                        break  # first bytes arrived: the stream is open; now drop it
            await asyncio.gather(*(one() for _ in range(n)))

    for _round in range(4):
        asyncio.run(open_and_drop(20))
    deadline = time.monotonic() + 10
    while slots.count(caller.user.pk) and time.monotonic() < deadline:
        time.sleep(0.05)
    gc.collect()
    assert slots.count(caller.user.pk) == 0
    hubs = list(hub_module._hubs.values())
    assert hubs and all(h.stream_count() == 0 for h in hubs)
    assert len(redis_client().client_list()) <= baseline  # one shared connection, no leak
    assert len(_hub_clients()) == 1
    assert threading.active_count() <= threads_before + 2
