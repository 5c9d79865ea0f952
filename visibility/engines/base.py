"""The one interface every answer engine implements.

An engine takes a question (with the language and country it is asked in) and returns what the
engine answered: the text, the URLs it cited in their order, and what it cost. Engines are real
HTTP clients of their providers (OpenAI Responses API with web search, Perplexity Sonar, Gemini
with Google Search grounding, any OpenAI-compatible chat endpoint without retrieval); analysis of
the answer (brand mentions, citations, competitors) is done elsewhere, deterministically.

Errors are typed so callers can decide: `EngineRateLimited` (retry later, honour
`retry_after_s`), `EngineQuotaExceeded` (stop for today, do not retry), `EngineAuthError`
(configuration problem: tell the user), `EngineError` (anything else, message safe to show).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol


class EngineError(Exception):
    """A run failed; the message is safe to show to the user (no keys, no raw bodies)."""


class EngineAuthError(EngineError):
    """The provider refused the credentials (401/403)."""


class EngineRateLimited(EngineError):
    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class EngineQuotaExceeded(EngineError):
    """The account is out of quota/credit: retrying today will not help."""


@dataclass(frozen=True, slots=True)
class Citation:
    url: str
    title: str = ""
    #: 1-based order in which the engine cited it.
    position: int = 0
    #: The source's domain when `url` does not show it: Gemini's grounding chunks are redirect
    #: URLs (vertexaisearch.cloud.google.com/grounding-api-redirect/...) titled with the
    #: source's domain. Empty when the URL's own host is the source.
    domain: str = ""


@dataclass(frozen=True, slots=True)
class EngineAnswer:
    engine: str                      # "openai", "perplexity", "gemini", "openai_compatible"
    model: str
    text: str
    citations: tuple[Citation, ...] = ()
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: Decimal = Decimal("0")
    latency_ms: int = 0
    #: Provider response id or similar, for support requests.
    response_id: str = ""
    #: Small provider-specific extras worth keeping (search queries used, ...); JSON-safe.
    extra: dict[str, object] = field(default_factory=dict)


class AnswerEngine(Protocol):
    #: Stable short name used in settings, rows and the API.
    name: str
    #: True when the engine searches the web and can cite URLs.
    retrieval: bool

    def ask(self, question: str, *, language: str = "", country: str = "") -> EngineAnswer:
        """Ask one question; raise an EngineError subclass on failure."""
        ...
