"""API rate limits: a sliding (moving) window per class and caller, atomic across processes.

The counting is the `limits` library's moving-window strategy: the storage keeps the timestamp
of every accepted request of the window and admits a new one only when fewer than `limit` lie
within the last period, so no period anywhere holds more than `limit` (a fixed-window counter
lets 2 × limit through around a window edge). On Redis the check-and-insert is one Lua script,
so it is atomic across processes and hosts; in embedded mode (one process) it is in memory,
under a lock. See docs/decisions.md ("Rate limiting").

Who is counted: on API (DRF) views the user for authenticated requests (session, JWT or
personal token — all of a user's tokens share one budget), else the client address; on plain
Django views (admin, health probes) always the client address (`client_ip`; IPv6 by /64, since one
host usually owns a whole /64). Which class: a view's `throttle_scope` (DRF's attribute name),
`"default"` without one. Trusted addresses bypass; views marked `rate_limit_exempt` (SSE
streams) are not counted.

Two layers share the counting:
- `SlidingWindowThrottle`, a DRF throttle (DEFAULT_THROTTLE_CLASSES), counts DRF views after
  DRF authenticated the caller, so a user is one key whichever credential they use;
- `RateLimitMiddleware` counts plain Django views, adds the `X-RateLimit-*` headers to every
  counted response and closes DRF's gap: DRF authenticates before it throttles, so a request
  with a bad token fails with 401 without ever being counted. The middleware counts those
  failures per client address in the `auth` class and, once the budget is spent, answers 429
  to further requests with credentials from that address *before* they are checked — so token
  and password guessing hits the limit and gets no valid/invalid answer past it.

Storage errors fail open (logged): an unreachable Redis must not take the API down."""

from __future__ import annotations

import contextlib
import ipaddress
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import structlog
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from rest_framework.throttling import BaseThrottle

from .client_ip import client_ip, in_networks, networks_setting, parse_ip
from .http_errors import error_response

logger = structlog.get_logger(__name__)

DEFAULT_SCOPE = "default"
#: The class that failed authentications count in (per client address).
AUTH_FAILURE_SCOPE = "auth"
_AUTH_FAILURE_BUCKET = "auth-failures"


@dataclass(frozen=True, slots=True)
class RateLimitResult:
    """The outcome of counting one request: what the X-RateLimit-* headers say."""

    allowed: bool
    limit: int
    remaining: int
    #: Unix time at which the oldest request of the window leaves it (a slot frees).
    reset: float

    def retry_after(self, now: float | None = None) -> int:
        """Whole seconds until a request can succeed again (≥ 1)."""
        return max(1, math.ceil(self.reset - (time.time() if now is None else now)))

    def headers(self) -> dict[str, str]:
        headers = {"X-RateLimit-Limit": str(self.limit),
                   "X-RateLimit-Remaining": str(max(0, self.remaining)),
                   "X-RateLimit-Reset": str(math.ceil(self.reset))}
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after())
        return headers


# --- counting ------------------------------------------------------------------------------

_LIMITERS: dict[str, tuple[MovingWindowRateLimiter, threading.Lock | None]] = {}
_LIMITERS_LOCK = threading.Lock()


def _limiter(storage_uri: str) -> tuple[MovingWindowRateLimiter, threading.Lock | None]:
    """One limiter per storage URI and process (redis-py pools are per process), made under a
    lock: concurrent first requests would otherwise import the storage driver concurrently and
    see it half-initialised. The second lock is for the memory storage only, whose moving
    window is not atomic on its own."""
    found = _LIMITERS.get(storage_uri)
    if found is not None:
        return found
    with _LIMITERS_LOCK:
        if storage_uri not in _LIMITERS:
            options: dict[str, Any] = {}
            if storage_uri.startswith(("redis://", "rediss://", "redis+unix://")):
                options = {"key_prefix": "seoaudit-rl", "socket_timeout": 0.5,
                           "socket_connect_timeout": 0.5}
            storage = storage_from_string(storage_uri, **options)
            lock = threading.Lock() if isinstance(storage, MemoryStorage) else None
            _LIMITERS[storage_uri] = (MovingWindowRateLimiter(storage), lock)
        return _LIMITERS[storage_uri]


@lru_cache(maxsize=64)
def _item(rate: str) -> RateLimitItem:
    return parse(rate)


def rate_for(scope: str) -> RateLimitItem:
    rates = settings.SEOAUDIT_RATE_LIMITS
    if scope not in rates:
        raise ImproperlyConfigured(f"rate limit class {scope!r} is not in SEOAUDIT_RATE_LIMITS")
    return _item(rates[scope])


def _count(scope: str, identity: str, *, bucket: str | None = None,
           consume: bool = True) -> RateLimitResult | None:
    """Count (or with `consume=False` only look at) one request of `identity` in class
    `scope`. None when the storage failed (fail open)."""
    item = rate_for(scope)
    key = (settings.SEOAUDIT_RATE_LIMIT_NAMESPACE, bucket or scope, identity)
    try:
        limiter, lock = _limiter(settings.SEOAUDIT_RATE_LIMIT_STORAGE)
        with lock or contextlib.nullcontext():
            allowed = limiter.hit(item, *key) if consume else None
            stats = limiter.get_window_stats(item, *key)
    except Exception:  # any storage failure: let the request through (logged)
        logger.exception("ratelimit.storage_error", scope=scope)
        return None
    return RateLimitResult(allowed=stats.remaining > 0 if allowed is None else allowed,
                           limit=item.amount, remaining=stats.remaining, reset=stats.reset_time)


def rate_limit_hit(*, scope: str, identity: str) -> RateLimitResult | None:
    """Count one request of `identity` in class `scope`."""
    return _count(scope, identity)


# --- who and which class -------------------------------------------------------------------

def address_identity(address: str) -> str:
    """`ip:<address>`; IPv6 by its /64 (one host or customer usually owns the whole /64, so a
    per-address key would hand out 2**64 budgets)."""
    parsed = parse_ip(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        return f"ip:{ipaddress.IPv6Network((parsed, 64), strict=False)}"
    return f"ip:{parsed or address}"


def caller_identity(request: HttpRequest, user: Any) -> str:
    if user is not None and getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    return address_identity(client_ip(request))


def rate_limits_off_for(request: HttpRequest) -> bool:
    """Limits switched off, or the client is a trusted address (monitoring, internal jobs)."""
    if not settings.SEOAUDIT_RATE_LIMITS_ENABLED:
        return True
    return in_networks(parse_ip(client_ip(request)), networks_setting("SEOAUDIT_RATE_LIMIT_TRUSTED_IPS"))


def rate_limit_exempt(view: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a function view as not rate limited (SSE streams: one long request, reconnects are
    the browser's business). DRF views set the class attribute `rate_limit_exempt = True`."""
    view.rate_limit_exempt = True  # type: ignore[attr-defined]
    return view


def _view_class(view_func: Callable[..., Any]) -> type | None:
    return getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)


def view_scope(view: Any) -> str:
    return getattr(view, "throttle_scope", None) or DEFAULT_SCOPE


def too_many_requests(result: RateLimitResult) -> HttpResponse:
    response = error_response(429, "rate_limited", "Too many requests; retry after the time in "
                              "the Retry-After header.", {"limit": result.limit,
                                                          "retry_after": result.retry_after()})
    for name, value in result.headers().items():
        response[name] = value
    return response


# --- DRF -----------------------------------------------------------------------------------

class SlidingWindowThrottle(BaseThrottle):
    """DRF throttle for every API view (REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]). Runs after
    DRF authentication, so JWT and personal-token users are counted as users."""

    def __init__(self) -> None:
        self.result: RateLimitResult | None = None

    def allow_request(self, request: Any, view: Any) -> bool:
        django_request: HttpRequest = request._request
        if getattr(view, "rate_limit_exempt", False) or rate_limits_off_for(django_request):
            return True
        self.result = rate_limit_hit(scope=view_scope(view),
                                     identity=caller_identity(django_request, request.user))
        django_request.rate_limit = self.result  # type: ignore[attr-defined] # headers: middleware
        django_request.rate_limit_counted = True  # type: ignore[attr-defined]
        return self.result is None or self.result.allowed

    def wait(self) -> float | None:
        return float(self.result.retry_after()) if self.result else None


# --- middleware ----------------------------------------------------------------------------

def _presents_credentials(request: HttpRequest) -> bool:
    return bool(request.META.get("HTTP_AUTHORIZATION"))


def _is_drf_view(view_func: Callable[..., Any]) -> bool:
    # Duck-typed: importing rest_framework.views here would be circular (DRF imports this
    # module while building APIView's defaults).
    throttles = getattr(_view_class(view_func), "throttle_classes", None) or ()
    return any(isinstance(t, type) and issubclass(t, SlidingWindowThrottle) for t in throttles)


class RateLimitMiddleware:
    """Counts plain Django views, guards DRF views against credential guessing and puts the
    X-RateLimit-* headers on counted responses. Goes after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (getattr(request, "rate_limit_guard", False) and not getattr(request, "rate_limit_counted", False)
                and response.status_code in (401, 403) and not request.user.is_authenticated):
            # DRF refused the credentials before its throttle ran: count the failure.
            failure = _count(AUTH_FAILURE_SCOPE, address_identity(client_ip(request)),
                             bucket=_AUTH_FAILURE_BUCKET)
            if failure is not None and not failure.allowed:
                return too_many_requests(failure)
        result: RateLimitResult | None = getattr(request, "rate_limit", None)
        if result is not None:
            for name, value in result.headers().items():
                if name not in response:
                    response[name] = value
        return response

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any],
                     view_args: Any, view_kwargs: Any) -> HttpResponse | None:
        cls = _view_class(view_func)
        if (getattr(view_func, "rate_limit_exempt", False) or getattr(cls, "rate_limit_exempt", False)
                or rate_limits_off_for(request)):
            return None
        if _is_drf_view(view_func):
            if _presents_credentials(request):
                request.rate_limit_guard = True  # type: ignore[attr-defined]
                spent = _count(AUTH_FAILURE_SCOPE, address_identity(client_ip(request)),
                               bucket=_AUTH_FAILURE_BUCKET, consume=False)
                if spent is not None and not spent.allowed:
                    return too_many_requests(spent)
            return None  # SlidingWindowThrottle counts it once DRF knows the user
        scope = view_scope(view_func)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in settings.SEOAUDIT_RATE_LIMIT_AUTH_VIEWS:
            scope = AUTH_FAILURE_SCOPE
        # Plain views (admin, health probes) by address: resolving the session user would cost
        # two queries on every health probe; API callers are counted per user by the throttle.
        result = rate_limit_hit(scope=scope, identity=address_identity(client_ip(request)))
        request.rate_limit = result  # type: ignore[attr-defined]
        if result is not None and not result.allowed:
            return too_many_requests(result)
        return None
