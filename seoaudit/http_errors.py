"""The one JSON error shape (STYLE.md) in plain Django, free of DRF imports so that the
middleware and the DRF throttle (loaded by DRF's own settings) can use it without an import
cycle; `seoaudit/api/errors.py` re-exports it and adds the DRF exception handler."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def error_response(status: int, code: str, message: str, details: dict[str, Any] | None = None
                   ) -> JsonResponse:
    """`{"error": {"code": ..., "message": ..., "details": {...}}}` with HTTP `status`."""
    return JsonResponse(error_body(code, message, details), status=status)
