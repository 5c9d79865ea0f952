"""Perplexity: web-grounded answers that always come with their sources.

Two protocols, chosen by PERPLEXITY_API:
- "agent" (default): the Agent API, `POST {base}/v1/agent` in the OpenAI Responses format with
  `tools: [{"type": "web_search", "user_location": {"country"}}]`; sources are the `output[]`
  item of type `search_results` (`results: [{url, title, date, ...}]`), url_citation
  annotations when present; `usage.input_tokens/output_tokens` and `usage.cost.total_cost`.
  Perplexity retired Sonar chat completions on 2026-09-27 in favour of this API
  (https://docs.perplexity.ai/docs/agent-api/migrate-from-sonar).
- "sonar": the legacy Sonar chat completions, `POST {base}/chat/completions`
  (https://docs.perplexity.ai/api-reference/chat-completions-post): OpenAI chat format plus
  top-level `citations` [url, ...] (the numbering of the answer's [1] markers) and
  `search_results` [{title, url, date}], `usage.prompt_tokens/completion_tokens` and
  `usage.cost.total_cost`.
Errors: `{"error": {"message", "type", "code"}}`; 401/403 bad key, 402 or credit/quota text ->
out of credit, 429 `request_rate_limit_exceeded` -> rate limited.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

from .answers import build_answer
from .base import Citation, EngineAnswer, EngineError, EngineQuotaExceeded
from .citations import clean_url
from .config import EngineConfig, reported_cost
from .openai_compatible import chat_messages, parse_chat_completion
from .openai_responses import parse_response_output
from .prompt import country_code, language_code
from .transport import ErrorReply, HttpEngine, bearer

_MARKER = re.compile(r"\[(\d{1,3})\]")
_CREDIT_WORDS = ("credit", "quota", "balance", "billing", "payment", "insufficient")
DEFAULT_MODELS = {"agent": "perplexity/sonar", "sonar": "sonar"}


def marker_positions(text: str, count: int) -> list[int]:
    """Citation numbers the text refers to with [n] markers, in first-use order, within 1..count."""
    seen: dict[int, None] = {}
    for match in _MARKER.finditer(text):
        number = int(match.group(1))
        if 1 <= number <= count:
            seen.setdefault(number)
    return list(seen)


def cited_positions(text: str, urls: list[str], citations: tuple[Citation, ...]) -> list[int]:
    """Our citation positions the answer's [n] markers point at (n numbers `urls`, the
    provider's source list), in first-use order: what the text cites inline."""
    by_url = {c.url: c.position for c in citations}
    positions: dict[int, None] = {}
    for number in marker_positions(text, len(urls)):
        position = by_url.get(clean_url(urls[number - 1]) or "")
        if position:
            positions.setdefault(position)
    return list(positions)


def classify_perplexity(reply: ErrorReply) -> EngineError | None:
    """Out-of-credit answers come as 402, or as 401/429 whose message talks about credit."""
    text = reply.message.lower()
    if reply.status in (401, 429) and any(word in text for word in _CREDIT_WORDS):
        return EngineQuotaExceeded(f"Perplexity says the account is out of credit: {reply.message}")
    return None


def _cost(usage: Any) -> Any:
    cost = usage.get("cost") if isinstance(usage, Mapping) else None
    return reported_cost(cost.get("total_cost")) if isinstance(cost, Mapping) else None


class PerplexityEngine(HttpEngine):
    name = "perplexity"
    retrieval = True
    label = "Perplexity"
    classify = staticmethod(classify_perplexity)

    def __init__(self, config: EngineConfig) -> None:
        super().__init__(config)
        self.api = (config.options.get("api") or "agent").lower()
        if self.api not in DEFAULT_MODELS:
            raise EngineError(f"PERPLEXITY_API must be 'agent' or 'sonar', not {self.api!r}.")
        model = config.model or DEFAULT_MODELS[self.api]
        # Sonar's bare model names do not exist on the Agent API: sonar is perplexity/sonar there.
        self.model = "perplexity/sonar" if self.api == "agent" and model == "sonar" else model

    def ask(self, question: str, *, language: str = "", country: str = "") -> EngineAnswer:
        started = time.monotonic()
        question = self.question(question)
        if self.api == "agent":
            return self._ask_agent(question, language=language, country=country, started=started)
        return self._ask_sonar(question, language=language, country=country, started=started)

    def agent_body(self, question: str, *, language: str, country: str) -> dict[str, Any]:
        tool: dict[str, Any] = {"type": "web_search"}
        if code := country_code(country):
            tool["user_location"] = {"country": code}
        # The Agent API rejects unknown fields (HTTP 400): send only documented ones.
        body: dict[str, Any] = {"model": self.model, "input": question, "tools": [tool],
                                "max_output_tokens": self.config.max_output_tokens}
        if preset := self.config.options.get("preset"):
            body["preset"] = preset
        if code := language_code(language):
            body["language_preference"] = code
        return body

    def _ask_agent(self, question: str, *, language: str, country: str,
                   started: float) -> EngineAnswer:
        payload = self.post("v1/agent", self.agent_body(question, language=language,
                                                        country=country),
                            bearer(self.config.api_key))
        parsed = parse_response_output(payload, label=self.label)
        results = [r for item in parsed.items.get("search_results", [])
                   for r in (item.get("results") or []) if isinstance(r, Mapping)]
        queries = [str(q) for item in parsed.items.get("search_results", [])
                   for q in (item.get("queries") or []) if isinstance(q, str)]
        sources = [(str(r.get("url") or ""), str(r.get("title") or ""), "") for r in results]
        answer = build_answer(
            self.config, model=str(payload.get("model") or self.model), text=parsed.text,
            # Annotated sources first (they are tied to the text), then the search results.
            sources=parsed.annotated + sources, input_tokens=parsed.input_tokens,
            output_tokens=parsed.output_tokens, started=started,
            reported_cost=_cost(payload.get("usage")), response_id=str(payload.get("id") or ""),
            extra={"api": "agent", "search_queries": queries or parsed.queries})
        answer.extra["cited_positions"] = cited_positions(answer.text, [s[0] for s in sources],
                                                          answer.citations)
        return answer

    def sonar_body(self, question: str, *, language: str, country: str) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model,
                                "messages": chat_messages(question, language=language, country=""),
                                "max_tokens": self.config.max_output_tokens}
        if code := country_code(country):
            body["web_search_options"] = {"user_location": {"country": code}}
        return body

    def _ask_sonar(self, question: str, *, language: str, country: str,
                   started: float) -> EngineAnswer:
        payload = self.post("chat/completions", self.sonar_body(question, language=language,
                                                                country=country),
                            bearer(self.config.api_key))
        chat = parse_chat_completion(payload, label=self.label)
        results = [r for r in payload.get("search_results") or [] if isinstance(r, Mapping)]
        titles = {str(r.get("url")): str(r.get("title") or "") for r in results}
        citations = [c for c in payload.get("citations") or [] if isinstance(c, str)]
        urls = citations or [str(r.get("url") or "") for r in results]
        answer = build_answer(
            self.config, model=chat.model or self.model, text=chat.text,
            sources=[(url, titles.get(url, ""), "") for url in urls],
            input_tokens=chat.input_tokens, output_tokens=chat.output_tokens, started=started,
            reported_cost=_cost(payload.get("usage")), response_id=chat.response_id,
            extra={"api": "sonar", "finish_reason": chat.finish_reason})
        answer.extra["cited_positions"] = cited_positions(answer.text, urls, answer.citations)
        return answer
