"""Local fake servers (real HTTP on 127.0.0.1) speaking the answer engines' protocols.

One server class, four protocols. Each protocol checks the path and the credentials the way the
provider does (wrong key -> the provider's own error body), records every request, and answers
documented-shape bodies built by the `*_answer` helpers below, or scripted `Reply`s (errors with
Retry-After, quota bodies, 5xx, malformed JSON, slow or trickled bodies, redirects).

Shapes follow the providers' documentation:
- OpenAI Responses: https://platform.openai.com/docs/api-reference/responses/object and
  https://platform.openai.com/docs/guides/tools-web-search (output[] message / web_search_call,
  output_text annotations url_citation), errors https://platform.openai.com/docs/guides/error-codes
- Perplexity Agent API: https://docs.perplexity.ai/docs/agent-api (Responses format with a
  search_results output item, usage.cost); Sonar chat completions:
  https://docs.perplexity.ai/api-reference/chat-completions-post (citations, search_results)
- Gemini generateContent with google_search: https://ai.google.dev/gemini-api/docs/google-search
  (groundingMetadata), errors https://ai.google.dev/gemini-api/docs/troubleshooting
- OpenAI chat completions: https://platform.openai.com/docs/api-reference/chat/object
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API_KEY = "sk-test-0123456789abcdef"
GEMINI_KEY = "AIzaSyTEST0123456789abcdefghij"
REDIRECT = "https://vertexaisearch.cloud.google.com/grounding-api-redirect/"


@dataclass
class Reply:
    status: int = 200
    #: dict/list -> JSON, bytes -> sent as is.
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    #: Seconds before the status line (read timeouts).
    delay: float = 0.0
    #: Send the body in pieces of this many bytes with `trickle_gap` s between them.
    trickle: int = 0
    trickle_gap: float = 0.0


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeProvider:
    protocol: str
    base_url: str = ""
    api_key: str = API_KEY
    script: list[Reply] = field(default_factory=list)
    #: The answer once the script is used up (a function of the request body).
    default: Callable[[dict[str, Any]], Reply] | None = None
    requests: list[Recorded] = field(default_factory=list)

    def then(self, *replies: Reply) -> FakeProvider:
        self.script.extend(replies)
        return self

    @property
    def last(self) -> Recorded:
        return self.requests[-1]


# --- documented-shape answers ----------------------------------------------------------------

def openai_answer(text: str, citations: list[tuple[str, str]] = (), *, queries: list[str] = (),
                  input_tokens: int = 320, output_tokens: int = 140, model: str = "gpt-4.1-mini-2025-04-14",
                  status: str = "completed") -> dict[str, Any]:
    """A Responses object: one web_search_call per query, then the message; each citation's
    annotation spans the first occurrence of its title in `text` (else the end)."""
    annotations = []
    for url, title in citations:
        start = text.find(title) if title and title in text else len(text)
        annotations.append({"type": "url_citation", "url": url, "title": title,
                            "start_index": start, "end_index": start + len(title)})
    output: list[dict[str, Any]] = [
        {"type": "web_search_call", "id": f"ws_{i}", "status": "completed",
         "action": {"type": "search", "query": q}} for i, q in enumerate(queries)]
    output.append({"type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
                   "content": [{"type": "output_text", "text": text, "annotations": annotations}]})
    return {"id": "resp_test123", "object": "response", "created_at": int(time.time()),
            "status": status, "model": model, "output": output,
            "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens,
                      "total_tokens": input_tokens + output_tokens}}


def perplexity_agent_answer(text: str, results: list[tuple[str, str]] = (), *,
                            queries: list[str] = ("query",), total_cost: float | None = 0.006,
                            annotations: list[tuple[str, str]] = ()) -> dict[str, Any]:
    usage: dict[str, Any] = {"input_tokens": 12, "output_tokens": 250, "total_tokens": 262}
    if total_cost is not None:
        usage["cost"] = {"input_cost": 0.000012, "output_cost": 0.00025, "tool_calls_cost": 0.005,
                         "total_cost": total_cost, "currency": "USD"}
    return {"id": "resp_pplx1", "object": "response", "created_at": int(time.time()),
            "status": "completed", "model": "perplexity/sonar",
            "output": [
                {"type": "search_results", "queries": list(queries),
                 "results": [{"id": i + 1, "url": url, "title": title, "snippet": "...",
                              "date": "2026-10-01", "source": "web"}
                             for i, (url, title) in enumerate(results)]},
                {"type": "message", "role": "assistant", "status": "completed",
                 "content": [{"type": "output_text", "text": text, "annotations": [
                     {"type": "url_citation", "url": u, "title": t, "start_index": 0,
                      "end_index": 1} for u, t in annotations]}]}],
            "usage": usage}


def sonar_answer(text: str, citations: list[str] = (), *, titles: dict[str, str] | None = None,
                 total_cost: float | None = 0.0054) -> dict[str, Any]:
    usage: dict[str, Any] = {"prompt_tokens": 9, "completion_tokens": 402, "total_tokens": 411,
                             "search_context_size": "low"}
    if total_cost is not None:
        usage["cost"] = {"input_tokens_cost": 0.000009, "output_tokens_cost": 0.000402,
                         "request_cost": 0.005, "total_cost": total_cost}
    titles = titles or {}
    return {"id": "pplx-chat-1", "model": "sonar", "object": "chat.completion",
            "created": int(time.time()), "usage": usage, "citations": list(citations),
            "search_results": [{"title": titles.get(u, ""), "url": u, "date": "2026-09-01"}
                               for u in citations],
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": text}}]}


def gemini_answer(text: str, chunks: list[tuple[str, str]] = (), *,
                  supports: list[tuple[int, int, list[int]]] = (), queries: list[str] = (),
                  prompt_tokens: int = 40, candidate_tokens: int = 180,
                  thoughts_tokens: int = 0) -> dict[str, Any]:
    """chunks: (uri, title); supports: (startIndex, endIndex, chunk indices)."""
    usage = {"promptTokenCount": prompt_tokens, "candidatesTokenCount": candidate_tokens,
             "totalTokenCount": prompt_tokens + candidate_tokens + thoughts_tokens}
    if thoughts_tokens:
        usage["thoughtsTokenCount"] = thoughts_tokens
    metadata: dict[str, Any] = {
        "webSearchQueries": list(queries),
        "searchEntryPoint": {"renderedContent": "<div>...</div>"},
        "groundingChunks": [{"web": {"uri": uri, "title": title}} for uri, title in chunks],
        "groundingSupports": [{"segment": {"startIndex": s, "endIndex": e, "text": text[s:e]},
                               "groundingChunkIndices": idx} for s, e, idx in supports]}
    return {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]},
                            "finishReason": "STOP", "groundingMetadata": metadata}],
            "usageMetadata": usage, "modelVersion": "gemini-2.5-flash",
            "responseId": "gem-resp-1"}


def chat_answer(text: str, *, prompt_tokens: int = 30, completion_tokens: int = 90,
                model: str = "llama3.1:8b") -> dict[str, Any]:
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": int(time.time()),
            "model": model, "choices": [{"index": 0, "finish_reason": "stop",
                                         "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens}}


def openai_error(status: int, message: str, *, type_: str = "invalid_request_error",
                 code: str | None = None, **headers: str) -> Reply:
    return Reply(status=status, headers=headers, body={"error": {
        "message": message, "type": type_, "param": None, "code": code}})


def perplexity_error(status: int, message: str, type_: str, **headers: str) -> Reply:
    return Reply(status=status, headers=headers,
                 body={"error": {"message": message, "type": type_, "code": status}})


def gemini_error(code: int, status: str, message: str, details: list[dict[str, Any]] = (),
                 **headers: str) -> Reply:
    return Reply(status=code, headers=headers, body={"error": {
        "code": code, "message": message, "status": status, "details": list(details)}})


# --- the server ------------------------------------------------------------------------------

_PATHS = {
    "openai": re.compile(r"^/v1/responses$"),
    "perplexity": re.compile(r"^/(v1/agent|chat/completions)$"),
    "gemini": re.compile(r"^/v1beta/models/[\w.\-]+:generateContent$"),
    "compat": re.compile(r"^/v1/chat/completions$"),
}


def _auth_failure(state: FakeProvider, headers: dict[str, str]) -> Reply | None:
    """The provider's own answer to a missing or wrong key."""
    if state.protocol == "gemini":
        if headers.get("x-goog-api-key") != state.api_key:
            return gemini_error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
                                [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                  "reason": "API_KEY_INVALID", "domain": "googleapis.com"}])
        return None
    if not state.api_key:  # a keyless local server (Ollama)
        return None
    if headers.get("authorization") != f"Bearer {state.api_key}":
        given = headers.get("authorization", "").removeprefix("Bearer ")
        if state.protocol == "perplexity":
            return perplexity_error(401, "Invalid API key", "forbidden")
        return openai_error(401, f"Incorrect API key provided: {given}. You can find your API key "
                                 "at https://platform.openai.com/account/api-keys.",
                            code="invalid_api_key")
    return None


def _default_reply(state: FakeProvider, body: dict[str, Any]) -> Reply:
    if state.default is not None:
        return state.default(body)
    return Reply(status=500, body={"error": {"message": "no scripted reply", "type": "test"}})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextmanager
def fake_provider(protocol: str, *, api_key: str | None = None) -> Iterator[FakeProvider]:
    """A fake `protocol` server ("openai", "perplexity", "gemini", "compat") on 127.0.0.1."""
    key = api_key if api_key is not None else (GEMINI_KEY if protocol == "gemini" else API_KEY)
    state = FakeProvider(protocol=protocol, api_key=key)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def setup(self) -> None:
            super().setup()
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _send(self, reply: Reply) -> None:
            if reply.delay:
                time.sleep(reply.delay)
            body = reply.body if isinstance(reply.body, bytes) else (
                b"" if reply.body is None else json.dumps(reply.body).encode())
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if reply.trickle:
                    for i in range(0, len(body), reply.trickle):
                        self.wfile.write(body[i:i + reply.trickle])
                        self.wfile.flush()
                        time.sleep(reply.trickle_gap)
                else:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout tests)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {"_unparsable": raw.decode("utf-8", "replace")}
            headers = {k.lower(): v for k, v in self.headers.items()}
            state.requests.append(Recorded(path=self.path, headers=headers, body=body))
            if not _PATHS[state.protocol].match(self.path.split("?")[0]):
                self._send(Reply(status=404, body={"error": {"message": f"no route {self.path}"}}))
                return
            if (failure := _auth_failure(state, headers)) is not None:
                self._send(failure)
                return
            self._send(state.script.pop(0) if state.script else _default_reply(state, body))

    server = _Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
