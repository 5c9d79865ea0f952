"""Engines from settings: which are configured, selection, the 'not configured' message."""

from __future__ import annotations

from decimal import Decimal

import pytest

from visibility.engines import registry
from visibility.engines.gemini import GeminiEngine
from visibility.engines.openai_compatible import OpenAICompatibleEngine
from visibility.engines.openai_responses import OpenAIResponsesEngine
from visibility.engines.perplexity import PerplexityEngine
from visibility.engines.registry import EngineNotConfigured

from .fakes import GEMINI_KEY, Reply, fake_provider, gemini_answer, openai_answer


def test_nothing_configured_says_which_variables_enable_which_engine(unconfigured):
    assert registry.configured_engines() == []
    message = registry.not_configured_message()
    for needle in ("No AI answer engine is configured", "AI_VISIBILITY_OPENAI_API_KEY",
                   "OPENAI_API_KEY", "PERPLEXITY_API_KEY", "GEMINI_API_KEY",
                   "AI_VISIBILITY_COMPAT_BASE_URL", "AI_VISIBILITY_COMPAT_MODEL"):
        assert needle in message
    with pytest.raises(EngineNotConfigured, match="PERPLEXITY_API_KEY"):
        registry.get_engine("perplexity")
    assert [s.enabled for s in registry.engine_statuses()] == [False] * 4


def test_every_engine_with_a_key_by_default_in_registry_order(all_keys):
    engines = registry.configured_engines()
    assert [type(e) for e in engines] == [OpenAIResponsesEngine, PerplexityEngine, GeminiEngine,
                                         OpenAICompatibleEngine]
    assert [e.name for e in engines] == ["openai", "perplexity", "gemini", "openai_compatible"]
    assert [e.retrieval for e in engines] == [True, True, True, False]


def test_selection_keeps_its_order_and_ignores_unknown_names(all_keys):
    all_keys.AI_VISIBILITY_ENGINES = ["Gemini", " openai", "bing", "gemini"]
    assert [e.name for e in registry.configured_engines()] == ["gemini", "openai"]
    with pytest.raises(EngineNotConfigured, match="not listed in AI_VISIBILITY_ENGINES"):
        registry.get_engine("perplexity")
    assert "only those engines are used" in registry.not_configured_message()
    statuses = {s.name: s for s in registry.engine_statuses()}
    assert statuses["gemini"].enabled and not statuses["perplexity"].enabled


def test_selected_engine_without_key_is_skipped(all_keys):
    all_keys.AI_VISIBILITY_ENGINES = "perplexity,gemini"
    all_keys.PERPLEXITY_API_KEY = ""
    assert [e.name for e in registry.configured_engines()] == ["gemini"]


def test_unknown_engine_name(all_keys):
    with pytest.raises(EngineNotConfigured, match="Unknown answer engine 'bing'"):
        registry.get_engine("bing")


def test_compat_needs_a_model_as_well_as_a_base_url(all_keys):
    all_keys.AI_VISIBILITY_COMPAT_MODEL = ""
    with pytest.raises(EngineNotConfigured, match="AI_VISIBILITY_COMPAT_MODEL"):
        registry.get_engine("openai_compatible")


def test_config_carries_models_timeouts_prices_and_options(all_keys):
    all_keys.AI_VISIBILITY_GEMINI_TIMEOUT_S = 12.5
    all_keys.AI_VISIBILITY_GEMINI_PRICE_INPUT_PER_1K = 0.3
    all_keys.AI_VISIBILITY_GEMINI_PRICE_PER_SEARCH = "0.014"
    all_keys.AI_VISIBILITY_GEMINI_PRICE_OUTPUT_PER_1K = "not a number"
    all_keys.AI_VISIBILITY_OPENAI_WEB_SEARCH_TOOL = "web_search_preview"
    all_keys.PERPLEXITY_API = "sonar"
    gemini = registry.engine_config("gemini")
    assert gemini.timeout_s == 12.5
    assert gemini.price_input_per_1k == Decimal("0.3")
    assert gemini.price_per_search == Decimal("0.014")
    assert gemini.price_output_per_1k == Decimal(0)
    assert gemini.model == all_keys.GEMINI_MODEL
    assert registry.engine_config("openai").options == {"web_search_tool": "web_search_preview"}
    assert registry.get_engine("perplexity").api == "sonar"
    all_keys.PERPLEXITY_BASE_URL = ""
    assert registry.engine_config("perplexity").base_url == "https://api.perplexity.ai"


def test_engines_from_settings_answer_through_their_fakes(unconfigured):
    with fake_provider("openai") as openai, fake_provider("gemini") as gemini:
        openai.then(Reply(body=openai_answer("From OpenAI", [("https://a.example/", "A")])))
        gemini.then(Reply(body=gemini_answer("From Gemini")))
        unconfigured.AI_VISIBILITY_OPENAI_API_KEY = openai.api_key
        unconfigured.AI_VISIBILITY_OPENAI_BASE_URL = openai.base_url + "/v1"
        unconfigured.GEMINI_API_KEY = GEMINI_KEY
        unconfigured.GEMINI_BASE_URL = gemini.base_url
        answers = [engine.ask("q") for engine in registry.configured_engines()]
    assert [(a.engine, a.text) for a in answers] == [("openai", "From OpenAI"),
                                                     ("gemini", "From Gemini")]
    assert answers[0].citations[0].url == "https://a.example/"
