"""The one HTTP path every engine client takes: POST JSON, read a bounded JSON answer.

Why httpx2 and not the OpenAI SDK: two of the four providers (Gemini, Perplexity) have no SDK
here, and the four need the same things the SDK does not give: redirects never followed (the SDK
follows them), a hard cap on the decoded body size, one deadline for all attempts, 429 split into
"slow down" (EngineRateLimited with the provider's wait) and "out of quota" (EngineQuotaExceeded)
from the error body, and no retry of a 429 behind the caller's back (the caller schedules it).

Policy: 2xx -> parsed JSON object; 3xx -> EngineError (not followed); 5xx and failed connections
-> retried `max_retries` times with exponential backoff and jitter, never past the deadline;
401/403 -> EngineAuthError; 402 -> EngineQuotaExceeded; 429 -> the engine's classifier decides
quota vs rate limit; other 4xx -> EngineError with the provider's message. A read timeout is not
retried (the provider may already be doing, and billing, the work). Messages never carry keys.
"""

from __future__ import annotations

import email.utils
import json
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx2
import structlog

from .base import EngineAuthError, EngineError, EngineQuotaExceeded, EngineRateLimited
from .config import EngineConfig

log = structlog.get_logger(__name__)

USER_AGENT = "seoaudit-ai-visibility/1.0"
RETRYABLE_STATUSES = frozenset({500, 502, 503, 504, 529})
#: Provider messages are shown to users: keep them short.
MESSAGE_LIMIT = 300
#: Tracked questions are what people type into an answer engine: short.
MAX_QUESTION_CHARS = 4000
# Key-shaped tokens providers sometimes echo in error messages (OpenAI, Google, Perplexity).
_KEYLIKE = re.compile(r"\b(?:sk-[A-Za-z0-9_*.\-]{6,}|AIza[0-9A-Za-z_\-]{10,}|pplx-[A-Za-z0-9_*\-]{6,})")


@dataclass(frozen=True, slots=True)
class ErrorReply:
    """A non-2xx answer, handed to the engine's classifier."""

    status: int
    payload: Any
    headers: Mapping[str, str]
    message: str
    #: The provider as messages name it.
    label: str = ""


#: Returns the exception for an error answer, or None to use the generic mapping.
Classifier = Callable[[ErrorReply], EngineError | None]


def redact(text: str, secret: str = "") -> str:
    """`text` without the API key or anything shaped like one."""
    if secret and len(secret) >= 4:
        text = text.replace(secret, "[redacted]")
    return _KEYLIKE.sub("[redacted]", text)


def retry_after_s(headers: Mapping[str, str]) -> float | None:
    """The wait a 429/503 asks for: retry-after-ms (OpenAI), Retry-After as delta-seconds or an
    HTTP date (RFC 9110 section 10.2.3); None when absent or unreadable."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000)
        except ValueError:
            pass
    raw = (headers.get("retry-after") or "").strip()
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - time.time())


def error_message(payload: Any) -> str:
    """The human message of an error body: {"error": {"message"}} (OpenAI, Google, Perplexity),
    {"error": "..."}, {"detail": ...} or {"message": ...}."""
    if isinstance(payload, list) and payload:  # Google sometimes wraps the error in a list
        payload = payload[0]
    if not isinstance(payload, Mapping):
        return ""
    error = payload.get("error")
    if isinstance(error, Mapping):
        value = error.get("message") or error.get("code") or error.get("type")
        return str(value) if value else ""
    for key in ("error", "detail", "message"):
        value = payload.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, Mapping) and value.get("message"):
            return str(value["message"])
    return ""


class _ClientPool(threading.local):
    client: httpx2.Client | None = None


_pool = _ClientPool()


def _client() -> httpx2.Client:
    """One pooled client per thread; redirects never followed, no proxy/netrc from the env."""
    if _pool.client is None:
        _pool.client = httpx2.Client(follow_redirects=False, trust_env=False,
                                     headers={"User-Agent": USER_AGENT},
                                     limits=httpx2.Limits(max_keepalive_connections=10))
    return _pool.client


class _Retry(Exception):
    """Internal: an attempt failed in a way worth another try."""

    def __init__(self, error: EngineError, wait_hint: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.wait_hint = wait_hint


def post_json(config: EngineConfig, *, url: str, body: Mapping[str, Any],
              headers: Mapping[str, str], label: str,
              classify: Classifier | None = None) -> dict[str, Any]:
    """POST `body` as JSON and return the JSON object answered, under the module's policy.
    `label` names the provider in messages ("OpenAI", "Perplexity", ...)."""
    deadline = time.monotonic() + config.timeout_s
    attempt = 0
    while True:
        try:
            return _attempt(config, url=url, body=body, headers=headers, label=label,
                            classify=classify, deadline=deadline)
        except _Retry as retry:
            remaining = deadline - time.monotonic()
            if attempt >= config.max_retries or remaining <= 0:
                raise retry.error from None
            wait = config.retry_backoff_s * (2 ** attempt) * random.uniform(0.5, 1.0)
            if retry.wait_hint is not None:
                wait = max(wait, retry.wait_hint)
            if wait >= remaining:
                raise retry.error from None
            attempt += 1
            log.warning("visibility.engine.retry", engine=config.name, attempt=attempt,
                        wait_s=round(wait, 3), reason=str(retry.error)[:120])
            time.sleep(wait)


def _attempt(config: EngineConfig, *, url: str, body: Mapping[str, Any],
             headers: Mapping[str, str], label: str, classify: Classifier | None,
             deadline: float) -> dict[str, Any]:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise EngineError(f"{label} did not answer within {config.timeout_s:g} s.")
    timeout = httpx2.Timeout(remaining, connect=min(config.connect_timeout_s, remaining))
    try:
        with _client().stream("POST", url, json=dict(body), headers=dict(headers),
                              timeout=timeout) as response:
            raw = _read_bounded(response, config, label=label, deadline=deadline)
            status, reply_headers = response.status_code, response.headers
    except (httpx2.ConnectError, httpx2.ConnectTimeout) as exc:
        raise _Retry(EngineError(f"Cannot connect to {label} ({_host(url)}): "
                                 f"{redact(str(exc), config.api_key)[:120]}")) from exc
    except httpx2.TimeoutException as exc:
        raise EngineError(f"{label} did not answer within {config.timeout_s:g} s.") from exc
    except (httpx2.RemoteProtocolError, httpx2.ReadError) as exc:
        raise _Retry(EngineError(f"The connection to {label} broke: {type(exc).__name__}.")) from exc
    except httpx2.HTTPError as exc:
        raise EngineError(f"{label} request failed: {type(exc).__name__}.") from exc
    payload = _parse_json(raw)
    if 200 <= status < 300:
        if not isinstance(payload, dict):
            raise EngineError(f"{label} sent a malformed answer (HTTP {status}, not a JSON object).")
        return payload
    message = redact(error_message(payload), config.api_key)[:MESSAGE_LIMIT]
    reply = ErrorReply(status=status, payload=payload, headers=reply_headers, message=message,
                       label=label)
    if 300 <= status < 400:
        raise EngineError(f"{label} answered HTTP {status} (a redirect, not followed): check the "
                          "engine's base URL setting.")
    if status in RETRYABLE_STATUSES:
        detail = f": {message}" if message else ""
        raise _Retry(EngineError(f"{label} failed with HTTP {status}{detail}"),
                     wait_hint=retry_after_s(reply_headers) if status == 503 else None)
    if classify is not None and (error := classify(reply)) is not None:
        raise error
    raise default_error(reply, label=label)


def default_error(reply: ErrorReply, *, label: str) -> EngineError:
    """The generic mapping of an error answer (after the engine's own classifier declined)."""
    detail = f": {reply.message}" if reply.message else ""
    if reply.status in (401, 403):
        return EngineAuthError(f"{label} refused the credentials (HTTP {reply.status}){detail}. "
                               "Check the engine's API key setting.")
    if reply.status == 402:
        return EngineQuotaExceeded(f"{label} says the account is out of credit (HTTP 402){detail}")
    if reply.status == 429:
        wait = retry_after_s(reply.headers)
        return EngineRateLimited(f"{label} is rate limiting requests (HTTP 429){detail}", wait)
    return EngineError(f"{label} rejected the request (HTTP {reply.status}){detail}")


def _read_bounded(response: httpx2.Response, config: EngineConfig, *, label: str,
                  deadline: float) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > config.max_response_bytes:
        raise EngineError(f"{label} sent {int(declared):,} bytes, more than the "
                          f"{config.max_response_bytes:,} allowed.")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():  # decoded: the cap also holds for compressed bodies
        size += len(chunk)
        if size > config.max_response_bytes:
            raise EngineError(f"{label} sent more than the {config.max_response_bytes:,} bytes "
                              "allowed.")
        if time.monotonic() > deadline:  # a server trickling bytes must not outlive the deadline
            raise EngineError(f"{label} did not answer within {config.timeout_s:g} s.")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None


def _host(url: str) -> str:
    try:
        return httpx2.URL(url).host or url
    except (ValueError, TypeError):
        return url


def bearer(api_key: str) -> dict[str, str]:
    """Authorization header for the OpenAI-style APIs (none for a keyless local server)."""
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}


class HttpEngine:
    """What the four clients share: their configuration and one way to POST to the provider.
    Subclasses set `name`, `retrieval`, `label` and (optionally) `classify`."""

    name: str = ""
    retrieval: bool = True
    #: The provider as messages name it.
    label: str = ""
    classify: Classifier | None = None

    def __init__(self, config: EngineConfig) -> None:
        self.config = config

    def question(self, question: str) -> str:
        """The question stripped; EngineError when empty or longer than MAX_QUESTION_CHARS
        (before anything is sent or billed)."""
        question = (question or "").strip()
        if not question:
            raise EngineError("The question is empty.")
        if len(question) > MAX_QUESTION_CHARS:
            raise EngineError(f"The question is longer than {MAX_QUESTION_CHARS:,} characters.")
        return question

    def post(self, path: str, body: Mapping[str, Any], headers: Mapping[str, str]) -> dict[str, Any]:
        return post_json(self.config, url=self.config.endpoint(path), body=body, headers=headers,
                         label=self.label, classify=type(self).classify)
