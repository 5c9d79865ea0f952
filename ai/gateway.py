"""The one LLM gateway: chat completions over the OpenAI SDK, for any compatible server.

Base URL, model and key come from settings (AI_BASE_URL, AI_MODEL, AI_API_KEY), so the same
code talks to OpenAI, Moonshot/Kimi, Azure OpenAI, Ollama or vLLM. Retries on 429/5xx and
connection errors are the SDK's own (exponential backoff that honours Retry-After /
retry-after-ms), bounded by AI_MAX_RETRIES; every call has AI_TIMEOUT_S. Answers are cached in
Django's cache under sha256(model + messages + params), so repeating a generation costs nothing.
Tokens and cost (AI_PRICE_INPUT_PER_1K / AI_PRICE_OUTPUT_PER_1K) are reported per call."""

from __future__ import annotations

import functools
import hashlib
import json
import time
from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import structlog
from django.conf import settings
from django.core.cache import cache

if TYPE_CHECKING:
    import openai

log = structlog.get_logger(__name__)

CACHE_PREFIX = "ai:chat:"


class GatewayError(Exception):
    """A call that failed after the SDK's retries; `code` is stable for API clients."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class ChatResult:
    text: str
    model: str
    provider: str
    tokens_in: int
    tokens_out: int
    cost: Decimal
    latency_ms: int
    cached: bool = False
    #: The cache entry of this answer, so a caller can drop an answer it rejected.
    key: str = ""


def configured() -> bool:
    """True when a key (or a keyless local server such as Ollama) is configured."""
    return bool(settings.AI_API_KEY or settings.AI_BASE_URL)


def provider_name() -> str:
    """A label for the configured provider: AI_PROVIDER, else derived from the base URL host."""
    if settings.AI_PROVIDER:
        return settings.AI_PROVIDER
    host = urlsplit(settings.AI_BASE_URL or "").hostname or ""
    for needle, name in (("openai.azure", "azure"), ("moonshot", "moonshot"),
                         ("api.openai.com", "openai")):
        if needle in host:
            return name
    return "openai" if not host else "openai-compatible"


def cost_of(tokens_in: int, tokens_out: int) -> Decimal:
    """Cost in the price settings' currency, from the per-1k-token prices."""
    price_in = Decimal(str(settings.AI_PRICE_INPUT_PER_1K))
    price_out = Decimal(str(settings.AI_PRICE_OUTPUT_PER_1K))
    total = (price_in * tokens_in + price_out * tokens_out) / Decimal(1000)
    return total.quantize(Decimal("0.000001"))


def cache_key(*, model: str, messages: list[dict[str, str]], params: dict[str, Any]) -> str:
    raw = json.dumps({"model": model, "messages": messages, "params": params},
                     sort_keys=True, ensure_ascii=False)
    return CACHE_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def _sdk() -> Any:
    """The OpenAI SDK, imported on first use (~25 MB of modules that processes which never
    call an LLM, such as crawl workers, do not need)."""
    import openai

    return openai


def _client() -> openai.OpenAI:
    return _client_for(settings.AI_API_KEY, settings.AI_BASE_URL, settings.AI_TIMEOUT_S,
                       settings.AI_MAX_RETRIES, settings.AI_AZURE_API_VERSION)


@functools.lru_cache(maxsize=4)
def _client_for(api_key: str, base_url: str, timeout: float, max_retries: int,
                azure_api_version: str) -> openai.OpenAI:
    """One client (and its HTTP connection pool) per configuration: building one per call
    costs ~20 ms and a new connection."""
    openai = _sdk()
    common: dict[str, Any] = {"api_key": api_key or "not-needed", "timeout": timeout,
                              "max_retries": max_retries}
    if azure_api_version:
        return openai.AzureOpenAI(azure_endpoint=base_url, api_version=azure_api_version,
                                  **common)
    return openai.OpenAI(base_url=base_url or None, **common)


def _error_code(exc: openai.OpenAIError) -> str:
    openai = _sdk()
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return "ai_auth_failed"
    if isinstance(exc, openai.RateLimitError):
        return "ai_rate_limited"
    if isinstance(exc, openai.APITimeoutError):
        return "ai_timeout"
    if isinstance(exc, openai.APIConnectionError):
        return "ai_unreachable"
    if isinstance(exc, openai.APIResponseValidationError):
        return "ai_bad_response"
    if isinstance(exc, openai.APIStatusError):
        return "ai_server_error" if exc.status_code >= 500 else "ai_request_rejected"
    return "ai_error"


def _call(client: openai.OpenAI, *, model: str, messages: list[dict[str, str]],
          params: dict[str, Any], stream: bool) -> tuple[str, int, int]:
    if not stream:
        response = client.chat.completions.create(model=model, messages=messages, **params)
        if not response.choices:
            raise GatewayError("ai_bad_response", "The model returned no choices.")
        usage = response.usage
        return (response.choices[0].message.content or "",
                usage.prompt_tokens if usage else 0, usage.completion_tokens if usage else 0)
    parts: list[str] = []
    tokens_in = tokens_out = 0
    chunks = client.chat.completions.create(model=model, messages=messages, stream=True,
                                            stream_options={"include_usage": True}, **params)
    for chunk in chunks:
        if chunk.choices and chunk.choices[0].delta.content:
            parts.append(chunk.choices[0].delta.content)
        if chunk.usage:
            tokens_in, tokens_out = chunk.usage.prompt_tokens, chunk.usage.completion_tokens
    return "".join(parts), tokens_in, tokens_out


def chat(*, messages: list[dict[str, str]], max_tokens: int = 800, temperature: float = 0.2,
         json_mode: bool = False, stream: bool | None = None, use_cache: bool = True) -> ChatResult:
    """One chat completion through the configured provider (cached, retried, accounted).
    Raises GatewayError when the provider fails after its retries or answers malformed data."""
    model = settings.AI_MODEL
    params: dict[str, Any] = {"max_tokens": max_tokens, "temperature": temperature}
    if json_mode and settings.AI_JSON_MODE:
        params["response_format"] = {"type": "json_object"}
    key = cache_key(model=model, messages=messages, params=params)
    if use_cache and (hit := cache.get(key)) is not None:
        result = ChatResult(**{**hit, "cost": Decimal(hit["cost"])})
        return replace(result, cached=True, cost=Decimal(0), latency_ms=0, key=key)
    started = time.monotonic()
    openai = _sdk()
    try:
        text, tokens_in, tokens_out = _call(
            _client(), model=model, messages=messages, params=params,
            stream=settings.AI_STREAM if stream is None else stream)
    except openai.OpenAIError as exc:
        log.warning("ai.gateway.failed", error=type(exc).__name__, model=model)
        raise GatewayError(_error_code(exc), str(exc)[:500]) from exc
    except (ValueError, json.JSONDecodeError) as exc:  # a server that sent broken JSON
        raise GatewayError("ai_bad_response", f"Malformed response: {exc}"[:500]) from exc
    result = ChatResult(text=text, model=model, provider=provider_name(), tokens_in=tokens_in,
                        tokens_out=tokens_out, cost=cost_of(tokens_in, tokens_out),
                        latency_ms=int((time.monotonic() - started) * 1000), key=key)
    if use_cache:
        cache.set(key, {**asdict(result), "cost": str(result.cost)}, settings.AI_CACHE_TTL_S)
    log.info("ai.gateway.done", model=model, tokens_in=tokens_in, tokens_out=tokens_out,
             latency_ms=result.latency_ms)
    return result


def forget(result: ChatResult) -> None:
    """Drop a cached answer the caller rejected, so a repeat asks the model again."""
    if result.key:
        cache.delete(result.key)
