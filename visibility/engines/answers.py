"""Turning a parsed provider answer into an EngineAnswer (one place for cost, latency, logs)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from decimal import Decimal

import structlog

from .base import EngineAnswer
from .citations import numbered
from .config import EngineConfig, token_cost

log = structlog.get_logger(__name__)


def build_answer(config: EngineConfig, *, model: str, text: str,
                 sources: Iterable[tuple[str, str, str]], input_tokens: int, output_tokens: int,
                 started: float, searches: int = 0, reported_cost: Decimal | None = None,
                 response_id: str = "", extra: dict[str, object] | None = None) -> EngineAnswer:
    """The answer with citations numbered in first-seen order; the cost is the provider's own
    figure when it reports one, else tokens (and searches) times the configured prices."""
    cost = reported_cost if reported_cost is not None else token_cost(
        config, input_tokens=input_tokens, output_tokens=output_tokens, searches=searches)
    answer = EngineAnswer(engine=config.name, model=model or config.model, text=text,
                          citations=numbered(sources), input_tokens=input_tokens,
                          output_tokens=output_tokens, cost_usd=cost,
                          latency_ms=int((time.monotonic() - started) * 1000),
                          response_id=response_id, extra=extra or {})
    log.info("visibility.engine.answered", engine=answer.engine, model=answer.model,
             citations=len(answer.citations), input_tokens=input_tokens,
             output_tokens=output_tokens, cost_usd=str(cost), latency_ms=answer.latency_ms)
    return answer


def as_int(value: object) -> int:
    """A token count from JSON: a non-negative int, else 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
