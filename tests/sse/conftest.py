"""A real uvicorn server in a thread of the test process (so it sees the test database and
the test's settings), an SSE client over httpx, and users with their credentials."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import psutil
import pytest
import redis
from django.conf import settings as django_settings
from django.test import Client

from accounts import services as account_services
from audits.models import Audit
from tests.audits.factories import UserFactory
from tests.livestack import asgi_server

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_publisher(monkeypatch):
    """The publisher backs off after a failure; one test's dead Redis must not mute the next."""
    from audits import progress

    monkeypatch.setattr(progress, "publisher", progress.ProgressPublisher())


@pytest.fixture(autouse=True)
def _sse_settings(settings):
    settings.SEOAUDIT_RATE_LIMITS_ENABLED = False
    settings.SSE_HEARTBEAT_S = 15.0
    settings.SSE_POLL_INTERVAL_S = 0.1
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings


@pytest.fixture
def server(transactional_db) -> Iterator[str]:
    """http://127.0.0.1:<port> of the production ASGI stack under uvicorn (one worker)."""
    with asgi_server() as running:
        yield running.url


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


def redis_clients_of_this_db() -> list[dict]:
    """CLIENT LIST entries connected to the test's Redis database from this process (the
    server runs in it; other test workers share the Redis server and may share the db)."""
    client = redis_client()
    db = str(client.connection_pool.connection_kwargs.get("db", 0))
    ours = {f"{c.laddr.ip}:{c.laddr.port}" for c in psutil.Process().net_connections("tcp")
            if c.raddr}
    return [c for c in client.client_list() if c.get("db") == db and c.get("addr") in ours]
