"""One Redis pub/sub connection per web worker process, fanned out to the open streams.

A connection per stream would cost every stream a socket, a Redis client slot and a reader
task; instead each event loop (one per uvicorn worker) has one `ProgressHub`: created lazily
by the first stream, pattern-subscribed to `audit:progress:*`, reading in one task and handing
each snapshot to the queues of the streams following that audit. Messages for audits nobody
here follows are dropped before they are parsed.

When Redis cannot be reached the hub says so (`subscribe` returns None) and streams poll the
database; when the connection breaks mid-stream every subscriber gets `REDIS_LOST` and falls
back to polling. A new connection is tried again after RETRY_S, by the next stream that opens.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import weakref
from typing import Any

import redis
import redis.asyncio as aioredis
import structlog
from django.conf import settings

from ..progress import CHANNEL_PREFIX

log = structlog.get_logger(__name__)

#: Seconds before a failed connection is tried again.
RETRY_S = 5.0
#: Snapshots a slow stream may have waiting; older ones are dropped (each is complete).
QUEUE_SIZE = 16
#: Put into every subscriber's queue when the pub/sub connection is lost.
REDIS_LOST: dict[str, Any] = {"redis_lost": True}


class Subscription:
    """One stream's view of the hub: the snapshots published for one audit."""

    __slots__ = ("_hub", "audit_id", "queue")

    def __init__(self, hub: ProgressHub, audit_id: str) -> None:
        self._hub = hub
        self.audit_id = audit_id
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=QUEUE_SIZE)

    async def get(self, wait_s: float) -> dict[str, Any] | None:
        """The next snapshot (or REDIS_LOST), None after `wait_s` seconds without one."""
        try:
            return await asyncio.wait_for(self.queue.get(), timeout=max(0.0, wait_s))
        except TimeoutError:
            return None

    def offer(self, item: dict[str, Any]) -> None:
        if self.queue.full():
            self.queue.get_nowait()  # the newest snapshot supersedes the oldest
        self.queue.put_nowait(item)

    def close(self) -> None:
        self._hub.unsubscribe(self)


class ProgressHub:
    def __init__(self, url: str) -> None:
        self.url = url
        self._subscribers: dict[str, set[Subscription]] = {}
        self._reader: asyncio.Task[None] | None = None
        self._connecting = asyncio.Lock()
        self._retry_at = 0.0

    @property
    def connected(self) -> bool:
        return self._reader is not None and not self._reader.done()

    def stream_count(self) -> int:
        return sum(len(subs) for subs in self._subscribers.values())

    async def subscribe(self, audit_id: str) -> Subscription | None:
        """Follow one audit's channel; None when Redis is not available (poll instead)."""
        if not await self._ensure_connected():
            return None
        subscription = Subscription(self, audit_id)
        self._subscribers.setdefault(audit_id, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        subs = self._subscribers.get(subscription.audit_id)
        if subs is not None:
            subs.discard(subscription)
            if not subs:
                del self._subscribers[subscription.audit_id]

    async def _ensure_connected(self) -> bool:
        if self.connected:
            return True
        if time.monotonic() < self._retry_at:
            return False
        async with self._connecting:
            if self.connected:
                return True
            client = aioredis.Redis.from_url(self.url, socket_connect_timeout=2.0,
                                             health_check_interval=10)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await asyncio.wait_for(pubsub.psubscribe(f"{CHANNEL_PREFIX}*"), timeout=3.0)
            except (redis.RedisError, OSError, TimeoutError) as exc:
                self._retry_at = time.monotonic() + RETRY_S
                log.warning("sse.redis_unavailable", error=f"{type(exc).__name__}: {exc}",
                            fallback="database polling")
                await _close(pubsub, client)
                return False
            self._reader = asyncio.create_task(self._read(pubsub, client), name="sse-hub-reader")
            log.info("sse.redis_connected")
            return True

    async def _read(self, pubsub: Any, client: Any) -> None:
        prefix_length = len(CHANNEL_PREFIX)
        try:
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5.0)
                if message is None or message.get("type") != "pmessage":
                    continue
                channel = message["channel"]
                audit_id = (channel.decode() if isinstance(channel, bytes) else channel)[prefix_length:]
                subs = self._subscribers.get(audit_id)
                if not subs:
                    continue
                try:
                    snapshot = json.loads(message["data"])
                except ValueError:
                    log.warning("sse.bad_message", audit_id=audit_id)
                    continue
                for subscription in tuple(subs):
                    subscription.offer(snapshot)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure means the same: fall back
            log.warning("sse.redis_lost", error=f"{type(exc).__name__}: {exc}",
                        streams=self.stream_count(), fallback="database polling")
        finally:
            self._retry_at = time.monotonic() + RETRY_S
            for subs in tuple(self._subscribers.values()):
                for subscription in tuple(subs):
                    subscription.offer(REDIS_LOST)
            self._subscribers.clear()
            await _close(pubsub, client)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader


async def _close(pubsub: Any, client: Any) -> None:
    with contextlib.suppress(Exception):
        await pubsub.aclose()
    with contextlib.suppress(Exception):
        await client.aclose()


_closing: set[asyncio.Task[None]] = set()
_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ProgressHub] = weakref.WeakKeyDictionary()


def hub_for_running_loop() -> ProgressHub | None:
    """This event loop's hub (created on first use); None without REDIS_URL (embedded mode)."""
    url = settings.REDIS_URL
    if not url:
        return None
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None or hub.url != url:
        if hub is not None:
            task = loop.create_task(hub.close())  # REDIS_URL changed (tests)
            _closing.add(task)
            task.add_done_callback(_closing.discard)
        hub = _hubs[loop] = ProgressHub(url)
    return hub
