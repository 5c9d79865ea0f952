"""Per-host politeness shared by every worker of a distributed crawl, kept in Redis.

One sorted set per (audit, host) holds the leases in flight, scored by their expiry; one key
holds the earliest time the next request may start (robots.txt Crawl-delay or the audit's
crawl_delay). A Lua script drops expired leases, checks both and takes a lease atomically,
using Redis' own clock, so workers on several hosts agree without synchronised clocks. A
lease expires by itself (`lease_ttl_s`), so a SIGKILLed worker cannot hold a host's slots.

If Redis is unreachable the gate logs once and lets requests through for `FALLBACK_S`
seconds: each worker then still applies the Fetcher's own per-host limit, so the host sees
at most workers x per_host_concurrency instead of per_host_concurrency for that moment.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis
import redis.asyncio as aioredis
import structlog

log = structlog.get_logger(__name__)

#: Seconds the gate stays open (local limits only) after a Redis error before trying again.
FALLBACK_S = 5.0
#: Poll interval while a host's slots are all taken (seconds; jittered).
POLL_S = 0.01

# KEYS[1] leases (zset token -> expiry ms), KEYS[2] next start (ms).
# ARGV: limit, lease ttl ms, delay ms, token. Returns 0 when taken, -1 when full, or the
# milliseconds to wait for the crawl delay.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return -1 end
local delay = tonumber(ARGV[3])
if delay > 0 then
  local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
  if nxt > now then return nxt - now end
  redis.call('SET', KEYS[2], now + delay, 'PX', delay + 60000)
end
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[4])
redis.call('PEXPIRE', KEYS[1], ttl + 60000)
return 0
"""


class RedisHostGate:
    """`Fetcher(host_gate=...)`: at most `limit` requests in flight per host across workers."""

    def __init__(self, url: str, *, scope: str, limit: int, delay_s: float = 0.0,
                 lease_ttl_s: float = 60.0) -> None:
        self._client = aioredis.Redis.from_url(url, socket_timeout=2.0,
                                               socket_connect_timeout=2.0)
        self._script = self._client.register_script(_ACQUIRE)
        self._scope = scope
        self.limit = max(1, limit)
        self.delay_ms = max(0, int(delay_s * 1000))
        self._ttl_ms = max(1000, int(lease_ttl_s * 1000))
        self._open_until = 0.0
        #: Redis calls made (acquire attempts and releases), for the capacity model.
        self.calls = 0

    def set_delay(self, seconds: float) -> None:
        self.delay_ms = max(self.delay_ms, int(seconds * 1000))

    def _keys(self, host: str) -> list[str]:
        base = f"crawl:{self._scope}:host:{host}"
        return [base, base + ":next"]

    @asynccontextmanager
    async def lease(self, host: str) -> AsyncIterator[None]:
        token = await self._acquire(host)
        try:
            yield
        finally:
            if token is not None:
                await self._release(host, token)

    async def _acquire(self, host: str) -> str | None:
        keys = self._keys(host)
        token = uuid.uuid4().hex
        while True:
            if time.monotonic() < self._open_until:
                return None
            try:
                self.calls += 1
                wait_ms = int(await self._script(keys=keys, args=[self.limit, self._ttl_ms,
                                                                  self.delay_ms, token]))
            except (redis.RedisError, OSError) as exc:
                self._fail(exc)
                return None
            if wait_ms == 0:
                return token
            await asyncio.sleep(wait_ms / 1000 if wait_ms > 0
                                else POLL_S * (0.5 + random.random()))

    async def _release(self, host: str, token: str) -> None:
        try:
            self.calls += 1
            await self._client.zrem(self._keys(host)[0], token)
        except (redis.RedisError, OSError) as exc:
            self._fail(exc)  # the lease expires by itself

    def _fail(self, exc: BaseException) -> None:
        if time.monotonic() >= self._open_until:
            log.warning("politeness.redis_unavailable", error=repr(exc), fallback_s=FALLBACK_S)
        self._open_until = time.monotonic() + FALLBACK_S

    async def close(self) -> None:
        await self._client.aclose()
