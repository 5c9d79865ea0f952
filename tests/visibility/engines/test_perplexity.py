"""Perplexity: the Agent API (default) and the legacy Sonar chat completions, against a fake."""

from __future__ import annotations

from decimal import Decimal

import pytest

from visibility.engines.base import EngineAuthError, EngineError, EngineQuotaExceeded, EngineRateLimited
from visibility.engines.perplexity import PerplexityEngine, marker_positions

from .conftest import config_for
from .fakes import API_KEY, Reply, fake_provider, perplexity_agent_answer, perplexity_error, sonar_answer

RESULTS = [("https://ember.example/cold-brew", "Cold brew guide - Ember"),
           ("https://www.seriouseats.com/cold-brew", "Serious Eats: cold brew"),
           ("https://ember.example/cold-brew#ratio", "Ember ratio section")]  # same page as [1]
TEXT = "Steep for 12 to 18 hours [2]. Ember sells a coarse grind [1][3]."


@pytest.fixture
def pplx():
    with fake_provider("perplexity") as fake:
        yield fake


def engine(fake, api="agent", preset="", **overrides) -> PerplexityEngine:
    return PerplexityEngine(config_for(fake, "perplexity", options={"api": api, "preset": preset},
                                       **overrides))


def test_agent_answer_citations_from_search_results_and_reported_cost(pplx):
    pplx.then(Reply(body=perplexity_agent_answer(TEXT, RESULTS, queries=["cold brew time"],
                                                 total_cost=0.006262)))
    # Configured prices are ignored when Perplexity reports the cost itself.
    answer = engine(pplx, price_input_per_1k=Decimal(5)).ask("How long to steep cold brew?")

    assert answer.engine == "perplexity"
    assert answer.model == "perplexity/sonar"
    assert answer.text == TEXT
    assert [(c.position, c.url, c.title) for c in answer.citations] == [
        (1, "https://ember.example/cold-brew", "Cold brew guide - Ember"),
        (2, "https://www.seriouseats.com/cold-brew", "Serious Eats: cold brew")]
    assert (answer.input_tokens, answer.output_tokens) == (12, 250)
    assert answer.cost_usd == Decimal("0.006262")
    assert answer.extra["search_queries"] == ["cold brew time"]
    # [2] is Serious Eats (our 2), [1] and [3] are both the Ember page (our 1).
    assert answer.extra["cited_positions"] == [2, 1]
    assert answer.response_id == "resp_pplx1"


def test_agent_request_sends_only_documented_fields(pplx):
    pplx.then(Reply(body=perplexity_agent_answer("ok", RESULTS)))
    engine(pplx, preset="fast").ask("Frage", language="de",
                                                                 country="at")
    request = pplx.last
    assert request.path == "/v1/agent"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.body == {"model": "perplexity/sonar", "input": "Frage",
                            "tools": [{"type": "web_search", "user_location": {"country": "AT"}}],
                            "max_output_tokens": 500, "preset": "fast",
                            "language_preference": "de"}


def test_agent_annotations_come_first_and_legacy_model_name_is_mapped(pplx):
    pplx.then(Reply(body=perplexity_agent_answer(
        "x", RESULTS[:2], annotations=[("https://www.seriouseats.com/cold-brew", "SE")])))
    answer = engine(pplx, model="sonar").ask("q")
    assert pplx.last.body["model"] == "perplexity/sonar"
    assert [c.url for c in answer.citations] == ["https://www.seriouseats.com/cold-brew",
                                                 "https://ember.example/cold-brew"]


def test_agent_failed_status_inside_http_200_is_an_error(pplx):
    body = perplexity_agent_answer("x", RESULTS)
    body.update(status="failed", error={"message": "upstream model error"})
    pplx.then(Reply(body=body))
    with pytest.raises(EngineError, match="upstream model error"):
        engine(pplx).ask("q")


def test_agent_without_reported_cost_falls_back_to_prices(pplx):
    pplx.then(Reply(body=perplexity_agent_answer("x", RESULTS, total_cost=None)))
    answer = engine(pplx, price_input_per_1k=Decimal(1), price_output_per_1k=Decimal(1)).ask("q")
    assert answer.cost_usd == Decimal("0.262000")


def test_sonar_citations_keep_the_citations_order_with_titles(pplx):
    urls = ["https://b.example/a", "https://ember.example/", "https://b.example/a"]
    pplx.then(Reply(body=sonar_answer("Ember [2] is good [1].", urls,
                                      titles={"https://ember.example/": "Ember"})))
    answer = engine(pplx, api="sonar").ask("q", language="fr", country="fr")

    request = pplx.last
    assert request.path == "/chat/completions"
    assert request.body["model"] == "sonar"
    assert request.body["messages"][-1] == {"role": "user", "content": "q"}
    assert request.body["web_search_options"] == {"user_location": {"country": "FR"}}
    assert [(c.position, c.url, c.title) for c in answer.citations] == [
        (1, "https://b.example/a", ""), (2, "https://ember.example/", "Ember")]
    assert answer.cost_usd == Decimal("0.005400")
    assert (answer.input_tokens, answer.output_tokens) == (9, 402)
    assert answer.extra["cited_positions"] == [2, 1]


def test_marker_positions_ignore_out_of_range_numbers():
    assert marker_positions("a [3] b [1] c [1] d [9] e [0]", 3) == [3, 1]


def test_out_of_credit_402_is_quota(pplx):
    pplx.then(perplexity_error(402, "Payment required", "payment_required"))
    with pytest.raises(EngineQuotaExceeded, match="out of credit"):
        engine(pplx).ask("q")


def test_401_about_credits_is_quota_but_a_bad_key_is_auth(pplx):
    pplx.then(perplexity_error(401, "Insufficient credits: please add credits", "forbidden"))
    with pytest.raises(EngineQuotaExceeded):
        engine(pplx).ask("q")
    with pytest.raises(EngineAuthError, match="Invalid API key"):
        engine(pplx, api_key="pplx-wrong-abcdefgh").ask("q")


def test_429_rate_limit_and_429_quota(pplx):
    pplx.then(perplexity_error(429, "Rate limit exceeded", "request_rate_limit_exceeded",
                               **{"Retry-After": "3", "X-RateLimit-Remaining": "0"}),
              perplexity_error(429, "You have exceeded your monthly quota", "quota_exceeded"))
    with pytest.raises(EngineRateLimited) as caught:
        engine(pplx).ask("q")
    assert caught.value.retry_after_s == 3.0
    with pytest.raises(EngineQuotaExceeded):
        engine(pplx).ask("q")


def test_unknown_api_flavour_is_a_clear_error(pplx):
    with pytest.raises(EngineError, match="PERPLEXITY_API must be"):
        engine(pplx, api="v2")
