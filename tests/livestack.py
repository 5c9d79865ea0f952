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
from django.db import connections

from seoaudit.asgi import build_application
from seoaudit.celery import app as celery_app
from seoaudit.task_routing import all_tasks_to


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AsgiServer:
    """uvicorn in a thread serving a fresh copy of the production ASGI stack (built at start, so
    it sees the test's settings) on one port; `restart()` drops every open connection, as a deploy would."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        application = build_application()
        # Open event streams would hold a graceful shutdown for its whole timeout.
        server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=self.port,
                                               lifespan="off", log_level="warning",
                                               timeout_graceful_shutdown=1))
        thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
        thread.start()
        deadline = time.monotonic() + 15
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        self._server, self._thread = server, thread

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=15)
            self._server = self._thread = None

    def restart(self) -> None:
        self.stop()
        self.start()


@contextmanager
def asgi_server() -> Iterator[AsgiServer]:
    """A started AsgiServer (`.url` is its base URL), stopped on exit."""
    server = AsgiServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def celery_worker() -> Iterator[None]:
    """A real Celery worker (solo pool, in a thread) on a queue of its own, so it takes only
    the tasks this test enqueues (the broker may be shared with parallel test processes)."""
    queue = f"browser-test-{uuid.uuid4().hex[:12]}"
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        with all_tasks_to(queue), start_worker(celery_app, pool="solo", concurrency=1,
                                               perform_ping_check=False, queues=[queue],
                                               shutdown_timeout=30):
            yield
    finally:
        celery_app.conf.task_default_queue = previous
        connections.close_all()
