"""Project middleware: request logging and ids, trusted-proxy headers, security headers and
request validation. Rate limiting lives in `ratelimit.py`; errors use the one JSON shape."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import structlog
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty

from .client_ip import client_ip, strip_untrusted_forwarded_headers
from .http_errors import error_response

_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
access_log = structlog.get_logger("seoaudit.request")


def _user_label(request: HttpRequest) -> str:
    """The user id for the log line, without loading a session that nothing else needed."""
    user = request.__dict__.get("user")
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return "-"
    return str(user.pk) if getattr(user, "is_authenticated", False) else "anonymous"


class RequestIdMiddleware:
    """Outermost middleware. Binds a request id to every log line of a request, echoes it as
    X-Request-ID, times the request (X-Response-Time) and writes one structured access line
    (method, path without the query string, status, user, client IP, duration, request id).
    A client-supplied id is kept only when it looks like one (no log injection)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            response = self.get_response(request)
            duration_ms = (time.perf_counter() - started) * 1000
            response["X-Request-ID"] = request_id
            response["X-Response-Time"] = f"{duration_ms:.1f}ms"
            access_log.info("request", method=request.method, path=request.path,
                            status=response.status_code, user=_user_label(request),
                            client_ip=client_ip(request), duration_ms=round(duration_ms, 1))
        finally:
            structlog.contextvars.clear_contextvars()
        return response


class TrustedProxyMiddleware:
    """Drops X-Forwarded-* / Forwarded headers that did not come from a trusted proxy, before
    Django's SecurityMiddleware reads X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        strip_untrusted_forwarded_headers(request)
        return self.get_response(request)


def csp_header_value(policy: dict[str, list[str]]) -> str:
    """`{"default-src": ["'self'"], ...}` → `default-src 'self'; ...` (Django 6's SECURE_CSP
    format, so moving to Django's own CSP middleware keeps the setting as it is)."""
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


class SecurityHeadersMiddleware:
    """The headers Django 5.2's SecurityMiddleware does not set: Content-Security-Policy (from
    `SECURE_CSP`, unless the view set its own) and Permissions-Policy; X-Frame-Options for the
    responses made before XFrameOptionsMiddleware ran. HSTS, nosniff, Referrer-Policy and
    Cross-Origin-Opener-Policy come from SecurityMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csp = csp_header_value(settings.SECURE_CSP) if settings.SECURE_CSP else ""
        self.permissions_policy = settings.SEOAUDIT_PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.csp and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.csp
        if self.permissions_policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.permissions_policy
        if "X-Frame-Options" not in response and not getattr(response, "xframe_options_exempt", False):
            # Responses made before XFrameOptionsMiddleware (validation errors) get it here.
            response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
        return response


# --- request validation --------------------------------------------------------------------

def _has_traversal(path: str) -> bool:
    """`..` as a path segment, also when percent-encoded once more than the server decoded
    (`%2e%2e`) or written with backslashes."""
    for candidate in (path, unquote(path)):
        if any(segment == ".." for segment in re.split(r"[/\\]", candidate)):
            return True
    return False


def _has_nul(path: str, query: str) -> bool:
    return "\x00" in path or "\x00" in unquote(path) or "\x00" in unquote(query)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class RequestValidationMiddleware:
    """Refuses malformed requests early, in the one error shape:
    URL longer than SEOAUDIT_MAX_URL_LENGTH → 414; declared body over SEOAUDIT_MAX_REQUEST_BODY
    → 413 (from Content-Length, without reading the body; `asgi.BodySizeLimit` also stops a
    chunked body at the limit); NUL bytes or `..` segments in the path → 400; a body to the API
    (SEOAUDIT_JSON_API_PREFIXES) that is not JSON → 415, or JSON that does not parse → 400."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.max_url = settings.SEOAUDIT_MAX_URL_LENGTH
        self.max_body = settings.SEOAUDIT_MAX_REQUEST_BODY
        self.api_prefixes = tuple(settings.SEOAUDIT_JSON_API_PREFIXES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.refuse(request) or self.get_response(request)

    def refuse(self, request: HttpRequest) -> HttpResponse | None:
        query = request.META.get("QUERY_STRING", "")
        if len(request.get_full_path()) > self.max_url:
            return error_response(414, "uri_too_long", f"The URL is longer than {self.max_url} characters.",
                                  {"max_length": self.max_url})
        raw_length = request.META.get("CONTENT_LENGTH") or "0"
        if not raw_length.isdigit():
            return error_response(400, "bad_content_length", "Content-Length is not a number.")
        length = int(raw_length)
        if length > self.max_body:
            return error_response(413, "payload_too_large",
                                  f"The request body is larger than {self.max_body} bytes.",
                                  {"max_bytes": self.max_body})
        path = request.path
        if _has_nul(path, query):
            return error_response(400, "bad_request", "NUL bytes are not allowed in the URL.")
        if _has_traversal(path):
            return error_response(400, "bad_request", "Path traversal ('..' segments) is not allowed.")
        if (request.method in _BODY_METHODS and path.startswith(self.api_prefixes)
                and (length or "HTTP_TRANSFER_ENCODING" in request.META)):
            return self.refuse_body(request)
        return None

    def refuse_body(self, request: HttpRequest) -> HttpResponse | None:
        if request.content_type != "application/json":  # what the API parses (DRF JSONParser)
            return error_response(415, "unsupported_media_type",
                                  f"Unsupported media type {request.content_type or '(none)'!r}; "
                                  "send application/json.", {"supported": ["application/json"]})
        try:
            json.loads(request.body.decode(request.encoding or "utf-8"), parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            return error_response(400, "malformed_json", "The request body is not valid JSON.",
                                  {"reason": str(exc)[:200]})
        return None
