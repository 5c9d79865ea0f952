"""OpenAI Responses API with web search, against a local fake OpenAI."""

from __future__ import annotations

import email.utils
import time
from decimal import Decimal

import pytest

from visibility.engines.base import (
    Citation,
    EngineAuthError,
    EngineError,
    EngineQuotaExceeded,
    EngineRateLimited,
)
from visibility.engines.openai_responses import OpenAIResponsesEngine

from .conftest import config_for
from .fakes import API_KEY, Reply, fake_provider, openai_answer, openai_error

TEXT = ("The best burr grinders for cold brew are the Ember Pro and the Baratza Encore. "
        "Ember Coffee recommends a coarse setting.")


def engine(fake, **overrides) -> OpenAIResponsesEngine:
    overrides.setdefault("model", "gpt-4.1-mini")
    return OpenAIResponsesEngine(config_for(fake, "openai", path="/v1", **overrides))


@pytest.fixture
def openai():
    with fake_provider("openai") as fake:
        yield fake


def test_answer_text_citations_in_reading_order_tokens_and_cost(openai):
    openai.then(Reply(body=openai_answer(TEXT, [
        ("https://www.baratza.com/encore?utm_source=openai", "Baratza Encore"),
        ("https://ember.example/grinders/pro?utm_source=openai", "Ember Pro"),
        ("https://ember.example/blog/cold-brew#grind", "Ember Coffee"),
        ("https://ember.example/grinders/pro", "Ember Pro again"),  # same page, cited twice
    ], queries=["best burr grinder cold brew", "ember pro review"],
        input_tokens=1000, output_tokens=500)))
    answer = engine(openai, price_input_per_1k=Decimal("0.4"), price_output_per_1k=Decimal("1.6"),
                    price_per_search=Decimal("0.01")).ask("Which grinder for cold brew?")

    assert answer.engine == "openai"
    assert answer.model == "gpt-4.1-mini-2025-04-14"
    assert answer.text == TEXT
    # Reading order is the order the titles appear in the text: Ember Pro, Baratza, Ember Coffee;
    # the tracking parameter and fragment are gone and the repeated page keeps position 1.
    assert answer.citations == (
        Citation(url="https://ember.example/grinders/pro", title="Ember Pro", position=1),
        Citation(url="https://www.baratza.com/encore", title="Baratza Encore", position=2),
        Citation(url="https://ember.example/blog/cold-brew", title="Ember Coffee", position=3),
    )
    assert (answer.input_tokens, answer.output_tokens) == (1000, 500)
    # 1000 * 0.4/1k + 500 * 1.6/1k + 2 searches * 0.01
    assert answer.cost_usd == Decimal("1.220000")
    assert answer.response_id == "resp_test123"
    assert answer.extra["search_queries"] == ["best burr grinder cold brew", "ember pro review"]
    assert answer.extra["search_calls"] == 2
    assert answer.latency_ms >= 0


def test_request_speaks_the_responses_protocol(openai):
    openai.then(Reply(body=openai_answer("Ja.", [])))
    engine(openai).ask("Welche Mühle?", language="de", country="de")

    request = openai.last
    assert request.path == "/v1/responses"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.headers["content-type"] == "application/json"
    body = request.body
    assert body["model"] == "gpt-4.1-mini"
    assert body["input"] == "Welche Mühle?"
    assert body["tools"] == [{"type": "web_search",
                              "user_location": {"type": "approximate", "country": "DE"}}]
    assert "'de'" in body["instructions"]
    assert body["max_output_tokens"] == 500
    assert body["store"] is False


def test_older_tool_name_and_no_location_for_a_bad_country(openai):
    openai.then(Reply(body=openai_answer("ok")))
    engine(openai, options={"web_search_tool": "web_search_preview"}).ask("q", country="Germany")
    assert openai.last.body["tools"] == [{"type": "web_search_preview"}]
    assert "instructions" not in openai.last.body


def test_answer_without_citations_is_fine(openai):
    openai.then(Reply(body=openai_answer("No sources needed.")))
    answer = engine(openai).ask("q")
    assert answer.citations == ()
    assert answer.cost_usd == Decimal(0)


def test_incomplete_answer_keeps_text_and_says_why(openai):
    body = openai_answer("Partial answer", status="incomplete")
    body["incomplete_details"] = {"reason": "max_output_tokens"}
    openai.then(Reply(body=body))
    answer = engine(openai).ask("q")
    assert answer.text == "Partial answer"
    assert answer.extra["incomplete_reason"] == "max_output_tokens"


def test_failed_run_is_an_error(openai):
    body = openai_answer("x", status="failed")
    body["error"] = {"code": "server_error", "message": "The model crashed"}
    openai.then(Reply(body=body))
    with pytest.raises(EngineError, match="failed: The model crashed"):
        engine(openai).ask("q")


def test_insufficient_quota_is_quota_exceeded_not_retried(openai):
    openai.then(openai_error(429, "You exceeded your current quota, please check your plan and "
                                  "billing details.", type_="insufficient_quota",
                             code="insufficient_quota"))
    with pytest.raises(EngineQuotaExceeded, match="out of quota"):
        engine(openai).ask("q")
    assert len(openai.requests) == 1


@pytest.mark.parametrize(("headers", "expected"), [
    ({"Retry-After": "7"}, 7.0),
    ({"retry-after-ms": "1500", "Retry-After": "2"}, 1.5),
    ({"x-ratelimit-reset-requests": "1s", "x-ratelimit-reset-tokens": "6m0s"}, 360.0),
    ({"x-ratelimit-reset-requests": "20ms"}, 0.02),
    ({"x-ratelimit-reset-tokens": "soon"}, None),
    ({}, None),
])
def test_rate_limit_carries_the_wait_and_is_left_to_the_caller(openai, headers, expected):
    openai.then(openai_error(429, "Rate limit reached for gpt-4.1-mini on requests per min (RPM)",
                             type_="requests", code="rate_limit_exceeded", **headers))
    with pytest.raises(EngineRateLimited) as caught:
        engine(openai).ask("q")
    assert caught.value.retry_after_s == expected
    assert len(openai.requests) == 1


def test_rate_limit_with_an_http_date(openai):
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    openai.then(openai_error(429, "Rate limit reached", code="rate_limit_exceeded",
                             **{"Retry-After": when}))
    with pytest.raises(EngineRateLimited) as caught:
        engine(openai).ask("q")
    assert 25 <= caught.value.retry_after_s <= 31


def test_wrong_key_is_an_auth_error_that_does_not_echo_the_key(openai):
    broken = engine(openai, api_key="sk-wrong-key-abcdefghijklmnop")
    with pytest.raises(EngineAuthError) as caught:
        broken.ask("q")
    assert "sk-wrong" not in str(caught.value)
    assert "Incorrect API key provided" in str(caught.value)


def test_server_errors_are_retried_then_succeed(openai):
    openai.then(openai_error(500, "The server had an error"), openai_error(502, "Bad gateway"),
                Reply(body=openai_answer("Recovered.")))
    assert engine(openai).ask("q").text == "Recovered."
    assert len(openai.requests) == 3


def test_retries_are_bounded(openai):
    openai.then(*[openai_error(503, "overloaded")] * 5)
    with pytest.raises(EngineError, match="HTTP 503"):
        engine(openai, max_retries=2).ask("q")
    assert len(openai.requests) == 3


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b""])
def test_malformed_body_is_a_clear_error(openai, body):
    openai.then(Reply(body=body))
    with pytest.raises(EngineError, match="malformed"):
        engine(openai).ask("q")


def test_missing_output_is_a_clear_error(openai):
    openai.then(Reply(body={"id": "resp_x", "status": "completed", "usage": {}}))
    with pytest.raises(EngineError, match="no output"):
        engine(openai).ask("q")


def test_slow_answer_times_out_without_retrying(openai):
    openai.then(Reply(body=openai_answer("late"), delay=1.5))
    started = time.monotonic()
    with pytest.raises(EngineError, match=r"did not answer within 0\.4 s"):
        engine(openai, timeout_s=0.4).ask("q")
    assert time.monotonic() - started < 1.2
    assert len(openai.requests) == 1
