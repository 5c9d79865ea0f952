"""The Redis cache backend, failing over to a per-process memory cache while Redis is down.

The cache holds nothing that must survive (idempotency keys, throttles of progress webhooks,
the keyword-tracking lock, AI answers): an unreachable Redis must not turn every request and
every crawl progress tick into a 500. While Redis fails, each operation goes to a local
LocMemCache of this process instead (so throttles and locks still work within the process);
the first failure is logged, Redis is tried again after RETRY_S, and its recovery is logged.
What was written locally during the outage is not copied back (it is short-lived anyway).
Cross-process guarantees (one idempotency-key replay across web workers) are weaker meanwhile;
docs/reliability.md lists them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import redis
import structlog
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

log = structlog.get_logger(__name__)

#: Seconds the cache stays on the local fallback after a Redis failure before trying again.
RETRY_S = 5.0
_REDIS_ERRORS = (redis.ConnectionError, redis.TimeoutError, OSError)


class FailOpenRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._local = LocMemCache(f"failover-{id(self)}", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
        self._down_until = 0.0
        self._failing = False
        self._lock = threading.Lock()

    @property
    def degraded(self) -> bool:
        """True while operations go to the local fallback."""
        return time.monotonic() < self._down_until

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if not self.degraded:
            method: Callable[..., Any] = getattr(super(), name)
            try:
                result = method(*args, **kwargs)
            except _REDIS_ERRORS as exc:
                self._went_down(exc, name)
            else:
                if self._failing:
                    with self._lock:
                        self._failing = False
                    log.info("cache.redis_recovered")
                return result
        return getattr(self._local, name)(*args, **kwargs)

    def _went_down(self, exc: BaseException, operation: str) -> None:
        with self._lock:
            self._down_until = time.monotonic() + RETRY_S
            first, self._failing = not self._failing, True
        if first:
            log.warning("cache.redis_unavailable", operation=operation,
                        error=f"{type(exc).__name__}: {exc}", fallback="process memory")

    def clear(self) -> Any:
        self._local.clear()
        return self._call("clear")


#: The operations that go to Redis, or to the local fallback while Redis is down.
_OPERATIONS = ("add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many",
               "delete_many")


def _failing_over(name: str) -> Callable[..., Any]:
    def operation(self: FailOpenRedisCache, *args: Any, **kwargs: Any) -> Any:
        return self._call(name, *args, **kwargs)

    operation.__name__ = operation.__qualname__ = name
    return operation


for _name in _OPERATIONS:
    setattr(FailOpenRedisCache, _name, _failing_over(_name))
