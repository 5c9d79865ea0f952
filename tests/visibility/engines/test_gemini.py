"""Gemini with Google Search grounding, against a fake generateContent endpoint."""

from __future__ import annotations

from decimal import Decimal

import pytest

from visibility.engines.base import EngineAuthError, EngineError, EngineQuotaExceeded, EngineRateLimited
from visibility.engines.gemini import GeminiEngine

from .conftest import config_for
from .fakes import GEMINI_KEY, REDIRECT, Reply, fake_provider, gemini_answer, gemini_error

TEXT = "Cold brew steeps 12-18 hours. Ember Coffee sells a coarse grind. Use a 1:8 ratio."
CHUNKS = [(REDIRECT + "AUZIYQ-aaa", "seriouseats.com"),
          (REDIRECT + "AUZIYQ-bbb", "ember.example"),
          (REDIRECT + "AUZIYQ-ccc", "wikipedia.org"),     # never cited by a segment
          ("https://direct.example/page", "Direct page")]   # a non-redirect URI
SUPPORTS = [(30, 64, [1]), (0, 29, [0, 1]), (65, 82, [3])]
QUOTA_DAY = {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{
    "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
    "quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier", "quotaValue": "250"}]}
QUOTA_MINUTE = {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{
    "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_input_token_count",
    "quotaId": "GenerateContentInputTokensPerModelPerMinute-FreeTier", "quotaValue": "250000"}]}
RETRY_26S = {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "26s"}
QUOTA_TEXT = ("You exceeded your current quota, please check your plan and billing details. "
              "For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.")


@pytest.fixture
def gemini():
    with fake_provider("gemini") as fake:
        yield fake


def engine(fake, **overrides) -> GeminiEngine:
    overrides.setdefault("model", "gemini-2.5-flash")
    return GeminiEngine(config_for(fake, "gemini", **overrides))


def test_grounded_answer_citations_domains_order_tokens_and_cost(gemini):
    gemini.then(Reply(body=gemini_answer(TEXT, CHUNKS, supports=SUPPORTS,
                                         queries=["cold brew steep time", "cold brew ratio"],
                                         prompt_tokens=1000, candidate_tokens=300,
                                         thoughts_tokens=200)))
    answer = engine(gemini, price_input_per_1k=Decimal("0.3"), price_output_per_1k=Decimal("2.5"),
                    price_per_search=Decimal("0.014")).ask("How long does cold brew steep?")

    assert answer.engine == "gemini"
    assert answer.model == "gemini-2.5-flash"
    assert answer.text == TEXT
    # Order of the text segments citing them: seriouseats (0), ember (0 and 30), direct (65);
    # then the chunk no segment cites.
    assert [(c.position, c.url, c.title, c.domain) for c in answer.citations] == [
        (1, REDIRECT + "AUZIYQ-aaa", "seriouseats.com", "seriouseats.com"),
        (2, REDIRECT + "AUZIYQ-bbb", "ember.example", "ember.example"),
        (3, "https://direct.example/page", "Direct page", ""),
        (4, REDIRECT + "AUZIYQ-ccc", "wikipedia.org", "wikipedia.org")]
    assert (answer.input_tokens, answer.output_tokens) == (1000, 500)  # thinking billed as output
    # 1000 * 0.3/1k + 500 * 2.5/1k + 2 searches * 0.014
    assert answer.cost_usd == Decimal("1.578000")
    assert answer.extra["search_queries"] == ["cold brew steep time", "cold brew ratio"]
    assert answer.extra["grounded"] is True
    assert answer.response_id == "gem-resp-1"
    # Only the generateContent call: the redirect URLs are never fetched.
    assert len(gemini.requests) == 1


def test_request_speaks_generate_content_with_google_search(gemini):
    gemini.then(Reply(body=gemini_answer("Ja.")))
    engine(gemini, model="models/gemini-2.5-pro").ask("Wie lange?", language="de", country="ch")

    request = gemini.last
    assert request.path == "/v1beta/models/gemini-2.5-pro:generateContent"  # no ?key= in the URL
    assert request.headers["x-goog-api-key"] == GEMINI_KEY
    assert "authorization" not in request.headers
    assert request.body["contents"] == [{"role": "user", "parts": [{"text": "Wie lange?"}]}]
    assert request.body["tools"] == [{"google_search": {}}]
    assert request.body["generationConfig"] == {"maxOutputTokens": 500}
    hint = request.body["systemInstruction"]["parts"][0]["text"]
    assert "'de'" in hint and "'CH'" in hint


def test_ungrounded_answer_has_no_citations(gemini):
    body = gemini_answer("Just knowledge.")
    del body["candidates"][0]["groundingMetadata"]
    gemini.then(Reply(body=body))
    answer = engine(gemini).ask("q")
    assert answer.citations == ()
    assert answer.extra["grounded"] is False


def test_invalid_key_400_is_an_auth_error(gemini):
    with pytest.raises(EngineAuthError, match="GEMINI_API_KEY") as caught:
        engine(gemini, api_key="AIzaWRONGWRONGWRONGWRONG").ask("q")
    assert "AIzaWRONG" not in str(caught.value)


def test_per_minute_limit_is_rate_limited_with_the_retry_delay(gemini):
    gemini.then(gemini_error(429, "RESOURCE_EXHAUSTED", QUOTA_TEXT, [QUOTA_MINUTE, RETRY_26S]))
    with pytest.raises(EngineRateLimited) as caught:
        engine(gemini).ask("q")
    assert caught.value.retry_after_s == 26.0
    assert len(gemini.requests) == 1


@pytest.mark.parametrize("details", [[QUOTA_DAY, RETRY_26S], []])
def test_daily_quota_or_quota_without_delay_is_quota_exceeded(gemini, details):
    gemini.then(gemini_error(429, "RESOURCE_EXHAUSTED", QUOTA_TEXT, details))
    with pytest.raises(EngineQuotaExceeded, match="quota"):
        engine(gemini).ask("q")


def test_plain_resource_exhausted_is_rate_limited(gemini):
    gemini.then(gemini_error(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted.",
                             **{"Retry-After": "4"}))
    with pytest.raises(EngineRateLimited) as caught:
        engine(gemini).ask("q")
    assert caught.value.retry_after_s == 4.0


def test_503_overloaded_is_retried(gemini):
    gemini.then(gemini_error(503, "UNAVAILABLE", "The model is overloaded. Please try again later."),
                Reply(body=gemini_answer("Fine now.")))
    assert engine(gemini).ask("q").text == "Fine now."
    assert len(gemini.requests) == 2


def test_blocked_prompt_and_empty_candidates_are_clear_errors(gemini):
    gemini.then(Reply(body={"promptFeedback": {"blockReason": "SAFETY"}}),
                Reply(body={"candidates": []}),
                Reply(body={"candidates": [{"content": {"parts": []}, "finishReason": "MAX_TOKENS"}]}))
    with pytest.raises(EngineError, match="blocked the question \\(SAFETY\\)"):
        engine(gemini).ask("q")
    with pytest.raises(EngineError, match="no candidates"):
        engine(gemini).ask("q")
    with pytest.raises(EngineError, match="MAX_TOKENS"):
        engine(gemini).ask("q")
