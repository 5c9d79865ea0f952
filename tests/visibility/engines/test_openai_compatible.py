"""A plain OpenAI-compatible chat server (no retrieval): citations only from URLs in the text."""

from __future__ import annotations

from decimal import Decimal

import pytest

from visibility.engines.base import EngineError, EngineQuotaExceeded
from visibility.engines.openai_compatible import OpenAICompatibleEngine

from .conftest import config_for
from .fakes import API_KEY, Reply, chat_answer, fake_provider, openai_error

TEXT = ("Try Ember Coffee (https://ember.example/grinders). See also "
        "[Serious Eats](https://www.seriouseats.com/cold-brew?utm_source=chatgpt.com), "
        "https://en.wikipedia.org/wiki/Cold_brew_(coffee). And https://ember.example/grinders!")


def engine(fake, **overrides) -> OpenAICompatibleEngine:
    overrides.setdefault("model", "llama3.1:8b")
    return OpenAICompatibleEngine(config_for(fake, "openai_compatible", path="/v1", **overrides))


def test_keyless_server_citations_from_text_tokens_and_cost():
    with fake_provider("compat", api_key="") as fake:
        fake.then(Reply(body=chat_answer(TEXT, prompt_tokens=2000, completion_tokens=1000)))
        answer = engine(fake, price_input_per_1k=Decimal("0.1"),
                        price_output_per_1k=Decimal("0.2")).ask("Best grinder?", language="en")

    request = fake.last
    assert request.path == "/v1/chat/completions"
    assert "authorization" not in request.headers
    assert request.body["model"] == "llama3.1:8b"
    assert request.body["messages"][0]["role"] == "system"
    assert request.body["messages"][-1] == {"role": "user", "content": "Best grinder?"}
    assert "tools" not in request.body
    assert answer.engine == "openai_compatible"
    assert [(c.position, c.url) for c in answer.citations] == [
        (1, "https://ember.example/grinders"),
        (2, "https://www.seriouseats.com/cold-brew"),
        (3, "https://en.wikipedia.org/wiki/Cold_brew_(coffee)")]
    assert answer.cost_usd == Decimal("0.400000")
    assert answer.extra["finish_reason"] == "stop"


def test_retrieval_flag_and_bearer_key():
    with fake_provider("compat") as fake:
        fake.then(Reply(body=chat_answer("No links here.")))
        compat = engine(fake)
        answer = compat.ask("q")
    assert compat.retrieval is False
    assert fake.last.headers["authorization"] == f"Bearer {API_KEY}"
    assert answer.citations == ()


@pytest.mark.parametrize("body", [{"choices": []}, {"choices": [{"message": {"content": ""}}]},
                                  {"id": "x"}])
def test_answers_without_text_are_clear_errors(body):
    with fake_provider("compat") as fake:
        fake.then(Reply(body=body))
        with pytest.raises(EngineError, match=r"no choices|without text"):
            engine(fake).ask("q")


def test_openai_style_quota_error():
    with fake_provider("compat") as fake:
        fake.then(openai_error(429, "You exceeded your current quota", type_="insufficient_quota",
                               code="insufficient_quota"))
        with pytest.raises(EngineQuotaExceeded):
            engine(fake).ask("q")
