"""The whole stack on 127.0.0.1 for browser tests: the ASGI app under uvicorn (SSE needs
ASGI; pytest-django's live_server is WSGI) and a Celery worker, both in threads of the test
process so they share its test database."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.db import connections

from seoaudit.asgi_limits import BodySizeLimit
from seoaudit.celery import app as celery_app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def asgi_server() -> Iterator[str]:
    """uvicorn serving a fresh ASGI handler (built now, so it sees the test's settings);
    yields the base URL."""
    application = BodySizeLimit(ASGIHandler(), max_bytes=settings.SEOAUDIT_MAX_REQUEST_BODY)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port,
                                           lifespan="off", log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def celery_worker() -> Iterator[None]:
    """A real Celery worker (solo pool, in a thread) on a queue of its own, so it takes only
    the tasks this test enqueues (the broker may be shared with parallel test processes)."""
    queue = f"browser-test-{uuid.uuid4().hex[:12]}"
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        with start_worker(celery_app, pool="solo", concurrency=1, perform_ping_check=False,
                          queues=[queue], shutdown_timeout=30):
            yield
    finally:
        celery_app.conf.task_default_queue = previous
        connections.close_all()
