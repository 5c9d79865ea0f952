"""The one JSON error shape: {"error": {"code": "...", "message": "...", "details": {...}}}.

`error_response` is plain Django so middleware can use it; `api_exception_handler` is DRF's
EXCEPTION_HANDLER and turns every API exception (and the domain errors of the apps) into the
same shape. Nothing else builds error bodies.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from audits.exceptions import AuditError

from ..http_errors import error_body, error_response

__all__ = ["api_exception_handler", "error_body", "error_response"]


#: DRF exception class -> the stable error code clients can switch on.
_CODES: dict[type[exceptions.APIException], str] = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.ParseError: "malformed_request",
    exceptions.Throttled: "rate_limited",
    exceptions.ValidationError: "validation_error",
}


def _code_for(exc: exceptions.APIException) -> str:
    for klass in type(exc).__mro__:
        if klass in _CODES:
            return _CODES[klass]
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else (getattr(exc, "default_code", None) or "error")


def _message(detail: Any) -> str:
    """The first human message in a DRF detail structure."""
    if isinstance(detail, dict):
        if "detail" in detail:
            return _message(detail["detail"])
        for key, value in detail.items():
            text = _message(value)
            return text if key == "non_field_errors" else f"{key}: {text}"
        return ""
    if isinstance(detail, list):
        return _message(detail[0]) if detail else ""
    return str(detail)


def _details(exc: exceptions.APIException) -> dict[str, Any]:
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        return {"fields": detail} if isinstance(detail, dict) else {"errors": detail}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        return {"retry_after": int(exc.wait + 0.999)}
    if isinstance(exc.detail, dict):  # e.g. simplejwt's {"detail", "code", "messages"}
        return {key: value for key, value in exc.detail.items() if key not in ("detail", "code")}
    return {}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF EXCEPTION_HANDLER: every handled error in the one shape; unknown exceptions
    propagate (500, reported to Sentry) as DRF does."""
    if isinstance(exc, AuditError):  # domain errors of the audits app
        fields = {"invalid_url": "url", "invalid_options": "options"}
        details = {"fields": {fields[exc.code]: [str(exc)]}} if exc.code in fields else {}
        return Response(error_body(exc.code, str(exc), details),
                        status=getattr(exc, "http_status", 400))
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)  # headers: WWW-Authenticate, Retry-After, Allow
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    code = _code_for(exc)
    message = _message(exc.detail) or code.replace("_", " ")
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        message = f"Invalid input. {message}"
    response.data = error_body(code, message, _details(exc))
    return response


def _wants_json(request: HttpRequest) -> bool:
    """API and health paths, or a client that asks for JSON; the admin keeps its HTML pages."""
    return request.path.startswith(("/api/", "/health")) or \
        "application/json" in request.headers.get("Accept", "")


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: a URL that matches no route, in the error shape."""
    if not _wants_json(request):
        return defaults.page_not_found(request, exception or Http404())
    return error_response(404, "not_found", "No such resource.", {"path": request.path[:200]})


def json_server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an unexpected error, in the error shape (details are logged, not shown)."""
    if not _wants_json(request):
        return defaults.server_error(request)
    return error_response(500, "server_error", "Internal server error.")


def json_bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if not _wants_json(request):
        return defaults.bad_request(request, exception or Exception())
    return error_response(400, "bad_request", "Bad request.")


def json_permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if not _wants_json(request):
        return defaults.permission_denied(request, exception or PermissionDenied())
    return error_response(403, "permission_denied", "You do not have permission to do this.")
