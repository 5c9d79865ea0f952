"""The one JSON error shape (STYLE.md), for responses made outside DRF (middleware).

Local copy for the api-middleware branch: api-core writes `seoaudit/api/errors.py` with the same
`error_response`; at the merge this module re-exports that one (or goes away)."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse


def error_response(status: int, code: str, message: str,
                   details: dict[str, Any] | None = None) -> JsonResponse:
    """`{"error": {"code": ..., "message": ..., "details": {...}}}` with HTTP `status`."""
    return JsonResponse({"error": {"code": code, "message": message, "details": details or {}}},
                        status=status)
