"""ASGI wrapper: event streams share one thread for their synchronous parts.

Django's ASGI handler gives every request a thread-sensitive context of its own, so the
synchronous middleware of a request runs on a thread created for it, which lives until the
response ends. For an event stream that is minutes: a thousand open streams would hold a
thousand idle threads (bench/sse.py measured ~1,000 threads and over 100 KiB per stream).
Requests for the stream path run in a `ThreadSensitiveContext` with one shared single-thread
executor instead (asgiref's supported way to choose the executor): their middleware,
authentication and ownership check run one at a time on that thread, and nothing stays
behind while they stream. Reads during the stream use the loop's default executor.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext

ASGIApp = Callable[[MutableMapping[str, Any], Any, Any], Awaitable[None]]

EVENTS_PATH = re.compile(r"^/api/v\d+/audits/[^/]+/events/?$")


class SharedStreamThread:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sse-sync")

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and EVENTS_PATH.match(scope.get("path", "")):
            async with ThreadSensitiveContext(executor=self.executor):
                await self.app(scope, receive, send)
            return
        await self.app(scope, receive, send)
