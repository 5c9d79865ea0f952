"""Any OpenAI-compatible chat completions server (Ollama, vLLM, Moonshot, LM Studio...), with no
web search: the answer is what the model knows. Citations are only the URLs written in the text.

Protocol (https://platform.openai.com/docs/api-reference/chat/create): `POST {base}/chat/
completions` with `{"model", "messages", "max_tokens"}`; the answer's `choices[0].message.
content` and `usage.prompt_tokens` / `usage.completion_tokens`.

Why not ai/gateway.py: the gateway is bound to the AI_* settings (one provider for content
generation), caches answers for a week (a visibility run must ask again, every time) and folds
429 "slow down" and "out of quota" into one error code without the wait; here each engine has its
own base URL/key/model and the shared transport keeps those distinctions.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .answers import as_int, build_answer
from .base import EngineAnswer, EngineError
from .citations import urls_in_text
from .openai_responses import classify_openai
from .prompt import instructions
from .transport import HttpEngine, bearer


@dataclass(frozen=True, slots=True)
class ChatCompletion:
    text: str
    model: str
    response_id: str
    input_tokens: int
    output_tokens: int
    finish_reason: str


def parse_chat_completion(payload: Mapping[str, Any], *, label: str) -> ChatCompletion:
    """Read a chat completion; EngineError when it has no choice or no text."""
    choices = payload.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], Mapping):
        raise EngineError(f"{label} sent a malformed answer: no choices.")
    message = choices[0].get("message")
    content = message.get("content") if isinstance(message, Mapping) else None
    if isinstance(content, list):  # some servers send content parts
        content = "".join(str(p.get("text") or "") for p in content if isinstance(p, Mapping))
    if not isinstance(content, str) or not content.strip():
        raise EngineError(f"{label} sent an answer without text.")
    usage = payload.get("usage") if isinstance(payload.get("usage"), Mapping) else {}
    return ChatCompletion(text=content.strip(), model=str(payload.get("model") or ""),
                          response_id=str(payload.get("id") or ""),
                          input_tokens=as_int(usage.get("prompt_tokens")),
                          output_tokens=as_int(usage.get("completion_tokens")),
                          finish_reason=str(choices[0].get("finish_reason") or ""))


def chat_messages(question: str, *, language: str, country: str) -> list[dict[str, str]]:
    hint = instructions(language=language, country=country)
    return ([{"role": "system", "content": hint}] if hint else []) + [
        {"role": "user", "content": question}]


class OpenAICompatibleEngine(HttpEngine):
    """A chat model without retrieval: measures what the model says from its training data."""

    name = "openai_compatible"
    retrieval = False
    label = "The OpenAI-compatible server"
    classify = staticmethod(classify_openai)

    def ask(self, question: str, *, language: str = "", country: str = "") -> EngineAnswer:
        started = time.monotonic()
        question = self.question(question)
        body = {"model": self.config.model,
                "messages": chat_messages(question, language=language, country=country),
                "max_tokens": self.config.max_output_tokens}
        payload = self.post("chat/completions", body, bearer(self.config.api_key))
        chat = parse_chat_completion(payload, label=self.label)
        return build_answer(self.config, model=chat.model, text=chat.text,
                            sources=[(url, "", "") for url in urls_in_text(chat.text)],
                            input_tokens=chat.input_tokens, output_tokens=chat.output_tokens,
                            started=started, response_id=chat.response_id,
                            extra={"finish_reason": chat.finish_reason})
