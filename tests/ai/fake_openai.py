"""A local OpenAI-compatible server over real HTTP: /v1/chat/completions with JSON answers,
streamed SSE chunks, and scripted errors (429 with Retry-After, 500, 401, malformed JSON)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer. `content` is the assistant text (a dict is sent as JSON text)."""

    content: Any = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    #: A raw body instead of a completion (error bodies, malformed JSON).
    raw: bytes | None = None
    tokens_in: int = 100
    tokens_out: int = 50
    #: Seconds to wait before answering (timeouts).
    delay: float = 0.0


@dataclass
class FakeOpenAI:
    base_url: str = ""
    script: list[Reply] = field(default_factory=list)
    #: Answers once the script is used up (a function of the request body).
    default: Callable[[dict[str, Any]], Reply] | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    def then(self, *replies: Reply) -> FakeOpenAI:
        self.script.extend(replies)
        return self

    def next_reply(self, body: dict[str, Any]) -> Reply:
        if self.script:
            return self.script.pop(0)
        if self.default is not None:
            return self.default(body)
        return Reply(raw=b'{"error": {"message": "no scripted reply", "type": "test"}}', status=500)


def error(status: int, message: str = "error", **headers: str) -> Reply:
    return Reply(status=status, headers=headers,
                 raw=json.dumps({"error": {"message": message, "type": "test_error"}}).encode())


def _completion(reply: Reply, model: str) -> bytes:
    text = reply.content if isinstance(reply.content, str) else json.dumps(reply.content)
    return json.dumps({
        "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": text}}],
        "usage": {"prompt_tokens": reply.tokens_in, "completion_tokens": reply.tokens_out,
                  "total_tokens": reply.tokens_in + reply.tokens_out}}).encode()


def _chunks(reply: Reply, model: str) -> Iterator[bytes]:
    text = reply.content if isinstance(reply.content, str) else json.dumps(reply.content)
    base = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 0, "model": model}
    pieces = [text[i:i + 7] for i in range(0, len(text), 7)]
    for i, piece in enumerate(pieces):
        delta = {"content": piece} if i else {"role": "assistant", "content": piece}
        yield json.dumps({**base, "choices": [{"index": 0, "delta": delta,
                                               "finish_reason": None}]}).encode()
    yield json.dumps({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}).encode()
    yield json.dumps({**base, "choices": [], "usage": {
        "prompt_tokens": reply.tokens_in, "completion_tokens": reply.tokens_out,
        "total_tokens": reply.tokens_in + reply.tokens_out}}).encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextmanager
def fake_openai() -> Iterator[FakeOpenAI]:
    state = FakeOpenAI()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def setup(self) -> None:
            super().setup()
            # Headers and body are separate writes: without NODELAY a kept-alive connection
            # waits ~40 ms for the client's delayed ACK on every answer.
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            state.requests.append(body)
            state.times.append(time.monotonic())
            state.headers.append({k.lower(): v for k, v in self.headers.items()})
            state.paths.append(self.path)
            if not self.path.split("?")[0].endswith("/chat/completions"):
                self._send(404, b'{"error": {"message": "not found"}}', {})
                return
            reply = state.next_reply(body)
            if reply.delay:
                time.sleep(reply.delay)
            if reply.raw is not None or reply.status != 200:
                self._send(reply.status, reply.raw or b"", reply.headers)
                return
            model = body.get("model", "")
            if not body.get("stream"):
                self._send(200, _completion(reply, model), reply.headers)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for chunk in [*_chunks(reply, model), b"[DONE]"]:
                data = b"data: " + chunk + b"\n\n"
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")

    server = _Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
