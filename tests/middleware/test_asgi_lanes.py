"""LaneASGIHandler: sync requests run on a fixed set of reused threads, at most `lanes` at
once; async views (SSE streams) do not take a lane."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from asgiref.testing import ApplicationCommunicator

from seoaudit.asgi_lanes import LaneASGIHandler
from tests.middleware import lane_urls


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.ROOT_URLCONF = "tests.middleware.lane_urls"
    settings.SEOAUDIT_RATE_LIMITS_ENABLED = False


async def _get(app: LaneASGIHandler, path: str) -> tuple[int, dict]:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
             "root_path": "", "headers": [(b"host", b"testserver")],
             "client": ("127.0.0.1", 40000), "server": ("testserver", 80)}
    communicator = ApplicationCommunicator(app, scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(10)
    body = await communicator.receive_output(10)
    return start["status"], json.loads(body["body"])


def test_sync_requests_reuse_the_lane_threads():
    async def run() -> list[str]:
        app = LaneASGIHandler(lanes=2)
        return [(await _get(app, "/thread"))[1]["thread"] for _ in range(6)]

    names = asyncio.run(run())
    assert all(name.startswith("django-lane-") for name in names)
    assert len(set(names)) <= 2  # Django's own handler starts a new thread for each request


def test_at_most_lanes_requests_run_at_once():
    lane_urls.state.update(running=0, most=0, barrier=threading.Barrier(2))

    async def run() -> list[tuple[int, dict]]:
        app = LaneASGIHandler(lanes=2)
        return await asyncio.gather(*(_get(app, "/pair") for _ in range(4)))

    results = asyncio.run(run())
    assert [status for status, _ in results] == [200] * 4  # pairs met: two ran at once
    assert lane_urls.state["most"] == 2
    assert len({body["thread"] for _, body in results}) == 2


def test_async_views_do_not_hold_a_lane():
    async def run() -> tuple[dict, dict]:
        lane_urls.state["release"] = asyncio.Event()
        app = LaneASGIHandler(lanes=1)
        streams = [asyncio.create_task(_get(app, "/waiting")) for _ in range(3)]
        await asyncio.sleep(0.05)
        status, synced = await _get(app, "/thread")  # the one lane is free
        assert status == 200
        lane_urls.state["release"].set()
        return synced, (await streams[0])[1]

    synced, streamed = asyncio.run(run())
    assert synced["thread"].startswith("django-lane-")
    assert not streamed["thread"].startswith("django-lane-")
