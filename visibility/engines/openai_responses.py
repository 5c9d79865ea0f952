"""OpenAI Responses API with the hosted web search tool.

Protocol (https://platform.openai.com/docs/api-reference/responses/create and
https://platform.openai.com/docs/guides/tools-web-search): `POST {base}/responses` with
`{"model", "input", "tools": [{"type": "web_search", "user_location": {"type": "approximate",
"country": "DE"}}]}` (older models take the tool type "web_search_preview": setting). The answer
is `output[]`: `web_search_call` items (one per search, `action.query`) and `message` items whose
`content[]` parts of type `output_text` carry `text` and `annotations` of type `url_citation`
`{url, title, start_index, end_index}`; `usage` has `input_tokens` / `output_tokens`. A 429 with
error code `insufficient_quota` means the account is out of credit
(https://platform.openai.com/docs/guides/error-codes).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .answers import as_int, build_answer
from .base import EngineAnswer, EngineError, EngineQuotaExceeded, EngineRateLimited
from .prompt import country_code, instructions
from .transport import ErrorReply, HttpEngine, bearer, retry_after_s

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
QUOTA_CODES = frozenset({"insufficient_quota", "billing_hard_limit_reached", "billing_not_active"})


@dataclass(slots=True)
class ResponseOutput:
    """What a Responses-format answer holds, provider-neutral (OpenAI and Perplexity's Agent API
    share the format)."""

    text: str = ""
    #: (url, title, domain) in reading order: annotations by their position in the text.
    annotated: list[tuple[str, str, str]] = field(default_factory=list)
    searches: int = 0
    queries: list[str] = field(default_factory=list)
    #: Other output items by type, raw (e.g. Perplexity's `search_results`).
    items: dict[str, list[Mapping[str, Any]]] = field(default_factory=dict)
    input_tokens: int = 0
    output_tokens: int = 0
    status: str = ""
    incomplete_reason: str = ""


def parse_response_output(payload: Mapping[str, Any], *, label: str) -> ResponseOutput:
    """Read a Responses-format answer; EngineError when it is failed, cancelled or malformed."""
    status = str(payload.get("status") or "")
    if status in ("failed", "cancelled"):
        error = payload.get("error")
        detail = error.get("message") if isinstance(error, Mapping) else None
        raise EngineError(f"{label} run {status}" + (f": {str(detail)[:300]}" if detail else "."))
    output = payload.get("output")
    if not isinstance(output, list):
        raise EngineError(f"{label} sent a malformed answer: no output list.")
    parsed = ResponseOutput(status=status)
    texts: list[str] = []
    for item in output:
        if not isinstance(item, Mapping):
            continue
        kind = str(item.get("type") or "")
        if kind == "message":
            for part in item.get("content") or ():
                if isinstance(part, Mapping) and part.get("type") == "output_text":
                    texts.append(str(part.get("text") or ""))
                    parsed.annotated.extend(_url_citations(part.get("annotations")))
        elif kind == "web_search_call":
            parsed.searches += 1
            action = item.get("action")
            if isinstance(action, Mapping):
                queries = action.get("queries") or [action.get("query")]
                parsed.queries.extend(str(q) for q in queries if isinstance(q, str) and q)
        else:
            parsed.items.setdefault(kind, []).append(item)
    if not texts and status != "incomplete":
        raise EngineError(f"{label} sent an answer without text.")
    parsed.text = "".join(texts).strip()
    usage = payload.get("usage")
    if isinstance(usage, Mapping):
        parsed.input_tokens = as_int(usage.get("input_tokens"))
        parsed.output_tokens = as_int(usage.get("output_tokens"))
    details = payload.get("incomplete_details")
    if isinstance(details, Mapping):
        parsed.incomplete_reason = str(details.get("reason") or "")
    return parsed


def _url_citations(annotations: Any) -> list[tuple[str, str, str]]:
    if not isinstance(annotations, list):
        return []
    rows = [a for a in annotations if isinstance(a, Mapping) and a.get("type") == "url_citation"
            and isinstance(a.get("url"), str)]
    rows.sort(key=lambda a: as_int(a.get("start_index")))  # reading order
    return [(a["url"], str(a.get("title") or ""), "") for a in rows]


def reset_after_s(headers: Mapping[str, str]) -> float | None:
    """The longer of OpenAI's x-ratelimit-reset-requests / -tokens ("1s", "6m0s", "20ms")."""
    waits = []
    for name in ("x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"):
        value = (headers.get(name) or "").strip()
        parts = _DURATION_PART.findall(value)
        if parts and "".join(n + u for n, u in parts) == value:
            waits.append(sum(float(n) * _DURATION_UNITS[u] for n, u in parts))
    return max(waits) if waits else None


def classify_openai(reply: ErrorReply) -> EngineError | None:
    """429 with an out-of-credit code is a quota problem, not a rate limit; a rate limit waits
    for Retry-After, else for the rate-limit reset headers."""
    if reply.status != 429:
        return None
    error = reply.payload.get("error") if isinstance(reply.payload, Mapping) else None
    if isinstance(error, Mapping) and (error.get("code") in QUOTA_CODES
                                       or error.get("type") in QUOTA_CODES):
        return EngineQuotaExceeded(
            f"{reply.label} says the account is out of quota: "
            f"{reply.message or 'insufficient_quota'}")
    wait = retry_after_s(reply.headers)
    return EngineRateLimited(f"{reply.label} is rate limiting requests (HTTP 429)"
                             + (f": {reply.message}" if reply.message else ""),
                             wait if wait is not None else reset_after_s(reply.headers))


class OpenAIResponsesEngine(HttpEngine):
    """ChatGPT-style answers: the Responses API with the hosted web search tool."""

    name = "openai"
    retrieval = True
    label = "OpenAI"
    classify = staticmethod(classify_openai)

    def request_body(self, question: str, *, language: str, country: str) -> dict[str, Any]:
        tool: dict[str, Any] = {"type": self.config.options.get("web_search_tool") or "web_search"}
        if code := country_code(country):
            tool["user_location"] = {"type": "approximate", "country": code}
        body: dict[str, Any] = {"model": self.config.model, "input": question, "tools": [tool],
                                "max_output_tokens": self.config.max_output_tokens, "store": False}
        if hint := instructions(language=language):
            body["instructions"] = hint
        return body

    def ask(self, question: str, *, language: str = "", country: str = "") -> EngineAnswer:
        started = time.monotonic()
        question = self.question(question)
        payload = self.post("responses", self.request_body(question, language=language,
                                                           country=country),
                            bearer(self.config.api_key))
        parsed = parse_response_output(payload, label=self.label)
        extra: dict[str, object] = {"search_calls": parsed.searches, "search_queries": parsed.queries}
        if parsed.incomplete_reason:
            extra["incomplete_reason"] = parsed.incomplete_reason
        return build_answer(self.config, model=str(payload.get("model") or ""), text=parsed.text,
                            sources=parsed.annotated, input_tokens=parsed.input_tokens,
                            output_tokens=parsed.output_tokens, searches=parsed.searches,
                            started=started, response_id=str(payload.get("id") or ""), extra=extra)
