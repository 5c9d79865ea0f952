"""A real uvicorn server in a thread of the test process (so it sees the test database and
the test's settings), an SSE client over httpx, and users with their credentials."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import redis
import uvicorn
from django.conf import settings as django_settings
from django.test import Client

from accounts import services as account_services
from audits.models import Audit
from tests.audits.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _sse_settings(settings):
    settings.SEOAUDIT_RATE_LIMITS_ENABLED = False
    settings.SSE_HEARTBEAT_S = 15.0
    settings.SSE_POLL_INTERVAL_S = 0.1
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings


@pytest.fixture
def server(transactional_db) -> Iterator[str]:
    """http://127.0.0.1:<port> of seoaudit.asgi:application under uvicorn (one worker)."""
    from seoaudit.asgi import application

    port = _free_port()
    config = uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning",
                            lifespan="off")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=10)


@dataclass
class Event:
    id: str | None = None
    event: str | None = None
    data: str = ""
    retry: int | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def snapshot(self) -> dict[str, Any]:
        return json.loads(self.data)


class SSEReader:
    """Reads an open text/event-stream response event by event (comments kept apart)."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = response.iter_lines()
        self.comments: list[str] = []

    def next(self) -> Event | None:
        """The next event; None when the server closed the stream."""
        current = Event()
        seen = False
        for line in self._lines:
            if line == "":
                if seen:
                    return current
                continue
            if line.startswith(":"):
                self.comments.append(line[1:].strip())
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            seen = True
            if name == "data":
                current.data = f"{current.data}\n{value}" if current.data else value
            elif name == "id":
                current.id = value
            elif name == "event":
                current.event = value
            elif name == "retry":
                current.retry = int(value)
        return current if seen else None

    def next_comment(self) -> str | None:
        """Read until a comment line arrives (e.g. a heartbeat); None if the stream ends."""
        for line in self._lines:
            if line.startswith(":"):
                self.comments.append(line[1:].strip())
                return self.comments[-1]
        return None


@contextmanager
def open_stream(base: str, audit_id: Any, *, headers: dict[str, str] | None = None,
                params: dict[str, str] | None = None, cookies: dict[str, str] | None = None,
                timeout: float = 10.0) -> Iterator[tuple[httpx.Response, SSEReader]]:
    with httpx.Client(base_url=base, timeout=timeout, cookies=cookies) as client, \
            client.stream("GET", f"/api/v1/audits/{audit_id}/events", headers=headers,
                          params=params) as response:
        yield response, SSEReader(response)


@dataclass
class Caller:
    user: Any
    token: str

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_caller() -> Caller:
    user = UserFactory()
    _api_token, raw = account_services.api_token_create(user=user, name="sse tests")
    return Caller(user=user, token=raw)


@pytest.fixture
def caller(transactional_db) -> Caller:
    return make_caller()


@pytest.fixture
def other_caller(transactional_db) -> Caller:
    return make_caller()


def make_audit(owner: Any, *, status: str = Audit.Status.PENDING, **fields: Any) -> Audit:
    return Audit.objects.create(owner=owner, url="https://example.com/",
                                normalized_url="https://example.com/", status=status, **fields)


def session_cookies(user: Any) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    return {name: client.cookies[name].value}


def redis_client() -> redis.Redis:
    return redis.Redis.from_url(django_settings.REDIS_URL)
