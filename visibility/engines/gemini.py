"""Google Gemini with grounding with Google Search.

Protocol (https://ai.google.dev/gemini-api/docs/google-search and
https://ai.google.dev/api/generate-content): `POST {base}/v1beta/models/{model}:generateContent`
with header `x-goog-api-key` and body `{"contents": [{"role": "user", "parts": [{"text"}]}],
"tools": [{"google_search": {}}]}`. The answer: `candidates[0].content.parts[].text` and
`candidates[0].groundingMetadata` with `webSearchQueries`, `groundingChunks[{web: {uri, title}}]`
and `groundingSupports[{segment: {startIndex, endIndex, text}, groundingChunkIndices}]`;
`usageMetadata.promptTokenCount / candidatesTokenCount / thoughtsTokenCount`.

The chunk URIs are redirect URLs (vertexaisearch.cloud.google.com/grounding-api-redirect/...)
whose `title` is the source's domain: the URI is kept as the citation URL and the domain goes to
`Citation.domain`. The redirects are never followed (no outbound fetch).

Errors (https://ai.google.dev/gemini-api/docs/troubleshooting): `{"error": {"code", "message",
"status", "details"}}`; an invalid key is a 400 INVALID_ARGUMENT with reason API_KEY_INVALID;
429 RESOURCE_EXHAUSTED is a per-minute limit when it carries a RetryInfo `retryDelay` (rate
limited, wait that long) and an exhausted daily or billing quota otherwise (QuotaFailure quotaId
"...PerDay...", or quota text without a retry delay).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from .answers import as_int, build_answer
from .base import EngineAnswer, EngineAuthError, EngineError, EngineQuotaExceeded, EngineRateLimited
from .citations import host
from .config import EngineConfig
from .prompt import instructions
from .transport import ErrorReply, HttpEngine, retry_after_s

_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")
REDIRECT_HOSTS = ("vertexaisearch.cloud.google.com",)


def _details(payload: Any) -> list[Mapping[str, Any]]:
    if isinstance(payload, list) and payload:
        payload = payload[0]
    error = payload.get("error") if isinstance(payload, Mapping) else None
    details = error.get("details") if isinstance(error, Mapping) else None
    return [d for d in details or [] if isinstance(d, Mapping)]


def classify_gemini(reply: ErrorReply) -> EngineError | None:
    details = _details(reply.payload)
    types = {str(d.get("@type", "")).rsplit("/", 1)[-1]: d for d in details}
    reasons = {str(d.get("reason") or "") for d in details}
    if reply.status == 400 and ("API_KEY_INVALID" in reasons or "api key not valid" in reply.message.lower()):
        return EngineAuthError("Gemini refused the API key (API_KEY_INVALID). Check GEMINI_API_KEY.")
    if reply.status != 429:
        return None
    quota_ids = [str(v.get("quotaId") or "") for v in
                 (types.get("google.rpc.QuotaFailure", {}).get("violations") or [])
                 if isinstance(v, Mapping)]
    delay = None
    if retry := types.get("google.rpc.RetryInfo"):
        match = _DURATION.match(str(retry.get("retryDelay") or ""))
        delay = float(match.group(1)) if match else None
    if delay is None:
        delay = retry_after_s(reply.headers)
    daily = any("perday" in q.lower() for q in quota_ids)
    if daily or (delay is None and "quota" in reply.message.lower()):
        return EngineQuotaExceeded(f"Gemini quota exhausted: {reply.message or 'RESOURCE_EXHAUSTED'}")
    return EngineRateLimited(f"Gemini is rate limiting requests: {reply.message or 'RESOURCE_EXHAUSTED'}",
                             delay)


def grounded_sources(metadata: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(uri, title, domain) of the grounding chunks: those the text cites first, in the order of
    the text segments citing them, then the chunks no segment cites, in their own order."""
    chunks = [c.get("web") if isinstance(c, Mapping) else None
              for c in metadata.get("groundingChunks") or []]
    supports = [s for s in metadata.get("groundingSupports") or [] if isinstance(s, Mapping)]

    def start(support: Mapping[str, Any]) -> int:
        segment = support.get("segment")
        return as_int(segment.get("startIndex")) if isinstance(segment, Mapping) else 0

    order: dict[int, None] = {}
    for support in sorted(supports, key=start):
        for index in support.get("groundingChunkIndices") or []:
            if isinstance(index, int) and 0 <= index < len(chunks):
                order.setdefault(index)
    for index in range(len(chunks)):
        order.setdefault(index)
    sources = []
    for index in order:
        web = chunks[index]
        if not isinstance(web, Mapping) or not isinstance(web.get("uri"), str):
            continue
        uri, title = web["uri"], str(web.get("title") or "").strip()
        domain = ""
        if host(uri) in REDIRECT_HOSTS:
            domain = title.lower() if _DOMAIN.match(title.lower()) else ""
        sources.append((uri, title, domain))
    return sources


class GeminiEngine(HttpEngine):
    name = "gemini"
    retrieval = True
    label = "Gemini"
    classify = staticmethod(classify_gemini)

    def __init__(self, config: EngineConfig) -> None:
        super().__init__(config)
        self.model = (config.model or "gemini-2.5-flash").removeprefix("models/")

    def request_body(self, question: str, *, language: str, country: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "contents": [{"role": "user", "parts": [{"text": question}]}],
            "tools": [{"google_search": {}}],
            "generationConfig": {"maxOutputTokens": self.config.max_output_tokens}}
        # The Gemini API has no user-location field for Search grounding: say it in words.
        if hint := instructions(language=language, country=country):
            body["systemInstruction"] = {"parts": [{"text": hint}]}
        return body

    def ask(self, question: str, *, language: str = "", country: str = "") -> EngineAnswer:
        started = time.monotonic()
        question = self.question(question)
        payload = self.post(f"v1beta/models/{quote(self.model, safe='.-_')}:generateContent",
                            self.request_body(question, language=language, country=country),
                            {"x-goog-api-key": self.config.api_key})
        feedback = payload.get("promptFeedback")
        if isinstance(feedback, Mapping) and feedback.get("blockReason"):
            raise EngineError(f"Gemini blocked the question ({feedback['blockReason']}).")
        candidates = payload.get("candidates")
        if not isinstance(candidates, list) or not candidates or not isinstance(candidates[0], Mapping):
            raise EngineError("Gemini sent a malformed answer: no candidates.")
        candidate = candidates[0]
        content = candidate.get("content")
        parts = content.get("parts") if isinstance(content, Mapping) else None
        text = "".join(str(p.get("text") or "") for p in parts or []
                       if isinstance(p, Mapping) and not p.get("thought")).strip()
        if not text:
            reason = candidate.get("finishReason") or "no text"
            raise EngineError(f"Gemini sent an answer without text ({reason}).")
        metadata = candidate.get("groundingMetadata")
        metadata = metadata if isinstance(metadata, Mapping) else {}
        queries = [q for q in metadata.get("webSearchQueries") or [] if isinstance(q, str)]
        usage = payload.get("usageMetadata") if isinstance(payload.get("usageMetadata"), Mapping) else {}
        # Thinking tokens are billed as output tokens.
        output_tokens = as_int(usage.get("candidatesTokenCount")) + as_int(usage.get("thoughtsTokenCount"))
        return build_answer(
            self.config, model=str(payload.get("modelVersion") or self.model), text=text,
            sources=grounded_sources(metadata), input_tokens=as_int(usage.get("promptTokenCount")),
            output_tokens=output_tokens, searches=len(queries), started=started,
            response_id=str(payload.get("responseId") or ""),
            extra={"search_queries": queries, "grounded": bool(metadata.get("groundingChunks")),
                   "finish_reason": str(candidate.get("finishReason") or "")})
