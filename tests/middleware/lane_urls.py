"""Views for the ASGI lane tests: which thread runs a sync view, how many run at once, and an
async view that waits (an SSE stream stand-in)."""

from __future__ import annotations

import threading

from django.http import HttpRequest, JsonResponse
from django.urls import path

state: dict = {"running": 0, "most": 0, "lock": threading.Lock(), "barrier": None, "release": None}


def thread_name(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"thread": threading.current_thread().name})


def pair(request: HttpRequest) -> JsonResponse:
    """Counts how many run at once; meets one other request at the barrier."""
    with state["lock"]:
        state["running"] += 1
        state["most"] = max(state["most"], state["running"])
    try:
        state["barrier"].wait(timeout=10)
    finally:
        with state["lock"]:
            state["running"] -= 1
    return JsonResponse({"thread": threading.current_thread().name})


async def waiting(request: HttpRequest) -> JsonResponse:
    await state["release"].wait()
    return JsonResponse({"thread": threading.current_thread().name})


urlpatterns = [path("thread", thread_name), path("pair", pair), path("waiting", waiting)]
