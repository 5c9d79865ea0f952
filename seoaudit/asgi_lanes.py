"""Django's ASGI handler with a fixed set of request threads ("lanes") per process.

Django (5.2) runs the sync part of every ASGI request — the whole middleware chain and a sync
view — in a thread of its own: `ASGIHandler.__call__` opens a `ThreadSensitiveContext()`, and
asgiref makes a new single-thread executor for each such context, so every request starts and
joins a thread, and per-thread database connections (CONN_MAX_AGE) are opened per request.
Here a request takes one of `lanes` long-lived single-thread executors instead (asgiref's
caller-owned `ThreadSensitiveContext(executor=...)`), waits for a free one when all are busy
(the same back-pressure as gunicorn's gthread workers), and gives it back at the end. Thread
sensitivity is kept: all sync code of one request runs on one thread, one request at a time.

Async views (SSE streams) keep Django's own path: they may stay open for minutes and must not
hold a lane. Measured in docs/performance.md ("API")."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import django
from asgiref.sync import ThreadSensitiveContext, iscoroutinefunction, sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.urls import Resolver404, get_resolver

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class LaneASGIHandler(ASGIHandler):
    def __init__(self, *, lanes: int) -> None:
        self.lanes = lanes  # read by load_middleware, which ASGIHandler.__init__ calls
        super().__init__()
        self._free: asyncio.Queue[ThreadPoolExecutor] = asyncio.Queue()
        for i in range(lanes):  # threads start on first use
            self._free.put_nowait(ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"django-lane-{i}"))

    def load_middleware(self, is_async: bool = False) -> None:
        """With lanes, the sync middleware chain calls sync views directly on the lane (the
        WSGI handler's path) and is entered once from the event loop. Django's async chain
        around our sync-only middleware would leave the lane for the event loop
        (`_get_response_async`) and come back for the view: two more thread hops a request."""
        if self.lanes <= 0:
            super().load_middleware(is_async=is_async)
            return
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.lanes <= 0 or self._is_async_view(scope):
            await super().__call__(scope, receive, send)
            return
        lane = await self._free.get()
        try:
            async with ThreadSensitiveContext(executor=lane):
                await self.handle(scope, receive, send)
        finally:
            self._free.put_nowait(lane)

    @staticmethod
    def _is_async_view(scope: Scope) -> bool:
        path, root = scope.get("path", ""), scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root):]
        try:
            return iscoroutinefunction(get_resolver().resolve(path or "/").func)
        except Resolver404:
            return False


def get_lane_asgi_application(*, lanes: int) -> LaneASGIHandler:
    """`django.core.asgi.get_asgi_application` with request lanes (0: Django's own threading)."""
    django.setup(set_prefix=False)
    return LaneASGIHandler(lanes=lanes)
