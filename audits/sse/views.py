"""`GET /api/v1/audits/{id}/events`: an audit's live progress as Server-Sent Events.

A plain async Django view (not DRF: DRF views are synchronous), served by uvicorn; under the
WSGI dev server Django drives the same async iterator synchronously. Protocol (docs/sse.md):
the current snapshot first, then `progress` / `status` / `completed` / `failed` events with
`id: <seq>`, a `: heartbeat` comment every SSE_HEARTBEAT_S of silence, and the end of the
stream after a terminal status. Events come from Redis pub/sub through the process's hub
when it is reachable, else from polling the persisted snapshot; either way a stream also
checks the database at every heartbeat, so a lost pub/sub message is made up for.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import weakref
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import structlog
from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import AuthenticationFailed

from seoaudit.api.authentication import BearerAuthentication
from seoaudit.http_errors import error_response
from seoaudit.ratelimit import rate_limit_exempt

from .. import selectors
from ..models import Audit
from ..progress import event_for, is_terminal, progress_snapshot
from .hub import REDIS_LOST, Subscription, hub_for_running_loop
from .tokens import InvalidStreamToken, stream_token_user_id

log = structlog.get_logger(__name__)

#: Milliseconds a disconnected EventSource waits before reconnecting (`retry:`).
RECONNECT_MS = 3000


class StreamSlots:
    """Open streams per user in this process, capped at SSE_MAX_STREAMS_PER_USER."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: Counter[Any] = Counter()

    def acquire(self, user_id: Any) -> bool:
        with self._lock:
            if self._open[user_id] >= settings.SSE_MAX_STREAMS_PER_USER:
                return False
            self._open[user_id] += 1
            return True

    def release(self, user_id: Any) -> None:
        with self._lock:
            self._open[user_id] -= 1
            if self._open[user_id] <= 0:
                del self._open[user_id]

    def count(self, user_id: Any) -> int:
        with self._lock:
            return self._open.get(user_id, 0)


slots = StreamSlots()


class _Slot:
    """Releases a user's stream slot exactly once: when the stream ends, or when the response
    is dropped without ever being iterated (the client left before the first byte)."""

    __slots__ = ("_released", "user_id")

    def __init__(self, user_id: Any) -> None:
        self.user_id = user_id
        self._released = False

    def release(self) -> None:
        if not self._released:
            self._released = True
            slots.release(self.user_id)


def format_event(snapshot: dict[str, Any], event: str, *, retry_ms: int | None = None) -> bytes:
    """One SSE event: `id`, `event` and the snapshot as one `data:` line of JSON."""
    head = f"retry: {retry_ms}\n" if retry_ms is not None else ""
    data = json.dumps(snapshot, separators=(",", ":"))
    return f"{head}id: {snapshot['seq']}\nevent: {event}\ndata: {data}\n\n".encode()


HEARTBEAT = b": heartbeat\n\n"


def _unauthorized(code: str, message: str) -> HttpResponse:
    response = error_response(401, code, message)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


async def _authenticate(request: HttpRequest, audit_id: str) -> Any:
    """The caller (a user) or the 401 response: stream token, then bearer, then session."""
    token = request.GET.get("token")
    if token is not None:
        try:
            user_id = stream_token_user_id(token=token, audit_id=audit_id)
        except InvalidStreamToken as exc:
            return _unauthorized("invalid_stream_token", str(exc))
        user = await get_user_model().objects.filter(pk=user_id, is_active=True).afirst()
        return user or _unauthorized("invalid_stream_token", "the stream token's user is inactive")
    if request.headers.get("Authorization"):
        try:
            result = await sync_to_async(BearerAuthentication().authenticate)(request)
        except AuthenticationFailed as exc:
            return _unauthorized("authentication_failed", str(exc.detail))
        if result is None:
            return _unauthorized("authentication_failed", "Expected 'Authorization: Bearer <token>'.")
        return result[0]
    user = await request.auser()
    if not user.is_authenticated:
        return _unauthorized("not_authenticated", "Authentication credentials were not provided.")
    return user


@csrf_exempt  # changes nothing: any other method than GET is answered 405 in the error shape
@rate_limit_exempt
async def audit_events(request: HttpRequest, audit_id: Any) -> HttpResponse:
    """Stream the progress of one of the caller's audits (docs/sse.md)."""
    if request.method != "GET":
        response = error_response(405, "method_not_allowed", f'Method "{request.method}" not allowed.')
        response["Allow"] = "GET"
        return response
    audit_id = str(audit_id)
    user = await _authenticate(request, audit_id)
    if isinstance(user, HttpResponse):
        return user
    try:
        await sync_to_async(selectors.audit_get_for_user)(user=user, audit_id=audit_id)
    except Audit.DoesNotExist:
        return error_response(404, "not_found", "No such audit.")
    if not slots.acquire(user.pk):
        response = error_response(429, "too_many_streams",
                                  "Too many open progress streams; close one first.",
                                  {"limit": settings.SSE_MAX_STREAMS_PER_USER})
        response["Retry-After"] = "5"
        return response
    # No await from here to the return: the slot is owned by the response from now on.
    slot = _Slot(user.pk)
    last_event_id = request.headers.get("Last-Event-ID")
    if hasattr(request, "scope"):  # ASGI (uvicorn): the async iterator, on the server's loop
        content: Any = _event_stream(audit_id, slot, last_event_id=last_event_id, asgi=True)
    else:  # WSGI (runserver): Django would buffer an async iterator to its end
        content = _blocking(_event_stream(audit_id, slot, last_event_id=last_event_id,
                                          asgi=False))
    response = StreamingHttpResponse(content, content_type="text/event-stream; charset=utf-8")
    weakref.finalize(response, slot.release)
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: do not buffer the stream
    return response


# A stream lives for minutes while its request thread idles: under ASGI every database read
# during the stream hands its connection back at once (to the pool with DB_POOL_SIZE, else
# closed), so open streams hold no connections. Under WSGI the server's thread owns it.
def _read_snapshot(audit_id: str, release: bool) -> dict[str, Any] | None:
    try:
        audit = Audit.objects.filter(pk=audit_id).first()
        return progress_snapshot(audit) if audit is not None else None
    finally:
        if release:
            connection.close()


def _read_seq(audit_id: str, release: bool) -> int | None:
    try:
        return Audit.objects.filter(pk=audit_id).values_list("progress_seq", flat=True).first()
    finally:
        if release:
            connection.close()


_current = sync_to_async(_read_snapshot)
_seq_in_db = sync_to_async(_read_seq)


def _blocking(stream: AsyncIterator[bytes]) -> Iterator[bytes]:
    """The async stream one event at a time for a WSGI server (each step on its own loop, so
    it polls the database: the Redis hub belongs to one event loop)."""
    async def step() -> bytes:
        return await anext(stream)

    async def close() -> None:
        await stream.aclose()

    try:
        while True:
            try:
                yield async_to_sync(step)()
            except StopAsyncIteration:
                return
    finally:
        async_to_sync(close)()


async def _event_stream(audit_id: str, slot: _Slot, *, last_event_id: str | None,
                        asgi: bool) -> AsyncIterator[bytes]:
    subscription: Subscription | None = None
    try:
        hub = hub_for_running_loop() if asgi else None
        # Subscribe before reading the snapshot: nothing published in between is missed.
        subscription = await hub.subscribe(audit_id) if hub is not None else None
        snapshot = await _current(audit_id, asgi)
        if snapshot is None:
            return
        log.debug("sse.open", audit_id=audit_id, last_event_id=last_event_id,
                  source="redis" if subscription is not None else "database")
        yield format_event(snapshot, event_for(snapshot, previous_status=None),
                           retry_ms=RECONNECT_MS)
        last_seq, last_status = snapshot["seq"], snapshot["status"]
        if is_terminal(last_status):
            return
        heartbeat_s = settings.SSE_HEARTBEAT_S
        next_beat = time.monotonic() + heartbeat_s
        while True:
            wait = next_beat - time.monotonic()
            item: dict[str, Any] | None = None
            if subscription is not None:
                item = await subscription.get(wait)
                if item is REDIS_LOST:
                    subscription.close()
                    subscription = None
                    continue
            else:
                await asyncio.sleep(max(0.0, min(wait, settings.SSE_POLL_INTERVAL_S)))
                seq = await _seq_in_db(audit_id, asgi)
                if seq is None:
                    return  # the audit was deleted
                if seq > last_seq:
                    item = await _current(audit_id, asgi)
            if item is None and time.monotonic() >= next_beat:
                # Reconcile at every heartbeat: pub/sub delivers at most once.
                if subscription is not None and (await _seq_in_db(audit_id, asgi) or 0) > last_seq:
                    item = await _current(audit_id, asgi)
                if item is None:
                    yield HEARTBEAT
                    next_beat = time.monotonic() + heartbeat_s
                    continue
            if item is None or item["seq"] <= last_seq:
                continue
            yield format_event(item, event_for(item, previous_status=last_status))
            last_seq, last_status = item["seq"], item["status"]
            next_beat = time.monotonic() + heartbeat_s
            if is_terminal(last_status):
                return
    finally:
        if subscription is not None:
            subscription.close()
        slot.release()

