"""Health endpoints (public, not versioned): /health/live says the process answers,
/health/ready that its dependencies (database, cache, broker) answer, /health both in one
summary. Readiness failures answer 503 naming the failed component; the full error is
logged, not shown to anonymous callers."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import structlog
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

log = structlog.get_logger(__name__)


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value just written")
    cache.delete(key)


def _check_broker() -> None:
    from seoaudit.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=settings.HEALTH_BROKER_TIMEOUT_S)


CHECKS: dict[str, Callable[[], None]] = {
    "database": _check_database,
    "cache": _check_cache,
    "broker": _check_broker,
}


def readiness() -> tuple[bool, dict[str, Any]]:
    """Run every dependency check; (all ok, per-component result with its latency)."""
    results: dict[str, Any] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:  # noqa: BLE001 (any failure of a dependency means "not ready")
            log.warning("health.unavailable", component=name, error=f"{type(exc).__name__}: {exc}")
            results[name] = {"status": "unavailable", "error": type(exc).__name__}
        else:
            results[name] = {"status": "ok",
                             "latency_ms": round((time.perf_counter() - started) * 1000, 2)}
    return all(r["status"] == "ok" for r in results.values()), results


_component = inline_serializer("HealthComponent", fields={
    "status": serializers.ChoiceField(choices=["ok", "unavailable"]),
    "latency_ms": serializers.FloatField(required=False),
    "error": serializers.CharField(required=False),
})
_checks = inline_serializer("HealthChecks", fields={
    "database": _component, "cache": _component, "broker": _component})
_live = inline_serializer("HealthLive", fields={"status": serializers.ChoiceField(choices=["ok"])})
_ready = inline_serializer("HealthReady", fields={
    "status": serializers.ChoiceField(choices=["ok", "unavailable"]), "checks": _checks})
_summary = inline_serializer("HealthSummary", fields={
    "status": serializers.ChoiceField(choices=["ok", "degraded"]),
    "mode": serializers.CharField(), "checks": _checks})


class _PublicView(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = ()


class HealthLiveView(_PublicView):
    @extend_schema(tags=["health"], responses={200: _live}, summary="The process is up")
    def get(self, request: Request) -> Response:
        return Response({"status": "ok"})


class HealthReadyView(_PublicView):
    @extend_schema(tags=["health"], summary="Database, cache and broker reachable",
                   responses={200: _ready, 503: OpenApiResponse(_ready, "A dependency is down.")})
    def get(self, request: Request) -> Response:
        ok, checks = readiness()
        return Response({"status": "ok" if ok else "unavailable", "checks": checks},
                        status=200 if ok else 503)


class HealthSummaryView(_PublicView):
    @extend_schema(tags=["health"], responses={200: _summary},
                   summary="Health summary (always 200; see /health/ready for probes)")
    def get(self, request: Request) -> Response:
        ok, checks = readiness()
        return Response({"status": "ok" if ok else "degraded", "mode": settings.RUN_MODE,
                         "checks": checks})
