from __future__ import annotations

from decimal import Decimal

import pytest

from ai import gateway

from .fake_openai import Reply, error

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}]

pytestmark = pytest.mark.django_db


def test_chat_sends_model_key_and_messages_and_accounts_tokens_and_cost(llm):
    llm.then(Reply("Hi there", tokens_in=1200, tokens_out=400))
    result = gateway.chat(messages=MESSAGES, max_tokens=50)
    assert result.text == "Hi there"
    assert (result.tokens_in, result.tokens_out) == (1200, 400)
    # 1.2k in at 0.5 + 0.4k out at 1.5 per 1k tokens
    assert result.cost == Decimal("1.200000")
    assert result.model == "test-model" and result.provider == "openai-compatible"
    assert not result.cached
    sent = llm.requests[0]
    assert sent["model"] == "test-model" and sent["messages"] == MESSAGES
    assert sent["max_tokens"] == 50
    assert llm.headers[0]["authorization"] == "Bearer sk-test-key"


def test_streaming_chunks_are_joined_and_usage_read_from_the_last_chunk(llm, settings):
    settings.AI_STREAM = True
    llm.then(Reply('{"title": "A streamed answer in several chunks"}', tokens_in=7, tokens_out=9))
    result = gateway.chat(messages=MESSAGES)
    assert llm.requests[0]["stream"] is True
    assert result.text == '{"title": "A streamed answer in several chunks"}'
    assert (result.tokens_in, result.tokens_out) == (7, 9)


def test_429_is_retried_after_the_retry_after_delay(llm):
    llm.then(error(429, "slow down", **{"Retry-After": "1"}), Reply("ok"))
    result = gateway.chat(messages=MESSAGES)
    assert result.text == "ok"
    assert len(llm.requests) == 2
    assert llm.times[1] - llm.times[0] >= 0.9


def test_5xx_is_retried_then_reported(llm):
    llm.then(error(500), error(502), Reply("third time lucky"))
    assert gateway.chat(messages=MESSAGES).text == "third time lucky"
    assert len(llm.requests) == 3
    llm.requests.clear()
    llm.then(error(500), error(500), error(500))
    with pytest.raises(gateway.GatewayError) as exc:
        gateway.chat(messages=MESSAGES, max_tokens=51)
    assert exc.value.code == "ai_server_error"
    assert len(llm.requests) == 3  # 1 + AI_MAX_RETRIES


def test_401_is_not_retried(llm):
    llm.then(error(401, "Incorrect API key provided"))
    with pytest.raises(gateway.GatewayError) as exc:
        gateway.chat(messages=MESSAGES)
    assert exc.value.code == "ai_auth_failed"
    assert len(llm.requests) == 1


def test_malformed_json_is_a_gateway_error(llm):
    llm.then(Reply(raw=b'{"choices": [ this is not json', status=200))
    with pytest.raises(gateway.GatewayError) as exc:
        gateway.chat(messages=MESSAGES)
    assert exc.value.code == "ai_bad_response"


def test_same_prompt_is_served_from_the_cache_and_forget_drops_it(llm):
    llm.then(Reply("first"), Reply("second"), Reply("third"))
    first = gateway.chat(messages=MESSAGES)
    again = gateway.chat(messages=MESSAGES)
    assert again.text == "first" and again.cached and again.cost == 0
    assert len(llm.requests) == 1
    other = gateway.chat(messages=MESSAGES, temperature=0.9)  # other params, other key
    assert other.text == "second"
    gateway.forget(first)
    assert gateway.chat(messages=MESSAGES).text == "third"
    assert len(llm.requests) == 3


def test_unconfigured_gateway_means_offline(offline):
    assert not gateway.configured()


def test_azure_uses_the_deployment_path_api_version_and_api_key_header(llm, settings):
    settings.AI_AZURE_API_VERSION = "2024-10-21"
    settings.AI_BASE_URL = llm.base_url.removesuffix("/v1")
    settings.AI_MODEL = "my-deployment"
    llm.then(Reply("from azure"))
    assert gateway.chat(messages=MESSAGES).text == "from azure"
    assert llm.paths[0] == ("/openai/deployments/my-deployment/chat/completions"
                            "?api-version=2024-10-21")
    assert llm.headers[0]["api-key"] == "sk-test-key"


@pytest.mark.parametrize(("base_url", "provider"), [
    ("", "openai"), ("https://api.openai.com/v1", "openai"),
    ("https://api.moonshot.ai/v1", "moonshot"), ("http://127.0.0.1:11434/v1", "openai-compatible")])
def test_provider_label_follows_the_base_url(settings, base_url, provider):
    settings.AI_PROVIDER = ""
    settings.AI_BASE_URL = base_url
    assert gateway.provider_name() == provider


def test_slow_provider_times_out(llm, settings):
    settings.AI_TIMEOUT_S = 0.3
    settings.AI_MAX_RETRIES = 0
    llm.then(Reply("too late", delay=1.0))
    with pytest.raises(gateway.GatewayError) as exc:
        gateway.chat(messages=MESSAGES)
    assert exc.value.code == "ai_timeout"
