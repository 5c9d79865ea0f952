"""What one engine client needs to know, as plain data (the registry builds it from settings).

Kept free of Django so the clients are pure Python and testable with nothing but a fake server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

_MICRO = Decimal("0.000001")


@dataclass(frozen=True, slots=True)
class EngineConfig:
    name: str
    base_url: str
    model: str
    api_key: str = ""
    #: Deadline for one question, all attempts and backoff included.
    timeout_s: float = 60.0
    connect_timeout_s: float = 10.0
    #: Extra attempts after a 5xx or a failed connection (429/quota are not retried here: the
    #: caller gets EngineRateLimited with retry_after_s and decides).
    max_retries: int = 2
    #: First backoff; doubles per attempt (with jitter), never past the deadline.
    retry_backoff_s: float = 1.0
    #: Larger (decoded) response bodies are refused.
    max_response_bytes: int = 2_000_000
    max_output_tokens: int = 1200
    #: Prices in USD; used when the provider does not report the cost itself.
    price_input_per_1k: Decimal = Decimal(0)
    price_output_per_1k: Decimal = Decimal(0)
    #: Per web search the engine ran (OpenAI web_search_call items, Gemini search queries).
    price_per_search: Decimal = Decimal(0)
    #: Engine-specific switches (web search tool name, API flavour, preset).
    options: Mapping[str, str] = field(default_factory=dict)

    def endpoint(self, path: str) -> str:
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")


def token_cost(config: EngineConfig, *, input_tokens: int, output_tokens: int,
               searches: int = 0) -> Decimal:
    """Cost in USD from the configured prices (per 1k tokens, per search), to the micro-dollar."""
    total = ((config.price_input_per_1k * input_tokens + config.price_output_per_1k * output_tokens)
             / Decimal(1000) + config.price_per_search * searches)
    return total.quantize(_MICRO)


def reported_cost(value: object) -> Decimal | None:
    """A cost the provider reported (number or numeric string), or None when absent/odd."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        cost = Decimal(str(value))
    except ArithmeticError:
        return None
    if not cost.is_finite() or cost < 0:
        return None
    return cost.quantize(_MICRO)
