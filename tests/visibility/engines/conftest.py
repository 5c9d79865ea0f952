from __future__ import annotations

from decimal import Decimal

import pytest

from visibility.engines.config import EngineConfig

from .fakes import FakeProvider


def config_for(fake: FakeProvider, name: str, *, path: str = "", **overrides) -> EngineConfig:
    """An engine configuration pointed at `fake`: quick backoff and timeouts so error tests
    stay well under a second."""
    values = dict(name=name, base_url=fake.base_url + path, model="", api_key=fake.api_key,
                  timeout_s=3.0, connect_timeout_s=1.0, max_retries=2, retry_backoff_s=0.01,
                  max_response_bytes=200_000, max_output_tokens=500,
                  price_input_per_1k=Decimal(0), price_output_per_1k=Decimal(0),
                  price_per_search=Decimal(0), options={})
    values.update(overrides)
    return EngineConfig(**values)


@pytest.fixture
def unconfigured(settings):
    settings.AI_VISIBILITY_ENGINES = []
    settings.AI_VISIBILITY_OPENAI_API_KEY = ""
    settings.PERPLEXITY_API_KEY = ""
    settings.GEMINI_API_KEY = ""
    settings.AI_VISIBILITY_COMPAT_BASE_URL = ""
    settings.AI_VISIBILITY_COMPAT_MODEL = ""
    settings.AI_VISIBILITY_COMPAT_API_KEY = ""
    return settings


@pytest.fixture
def all_keys(unconfigured):
    unconfigured.AI_VISIBILITY_OPENAI_API_KEY = "sk-openai"
    unconfigured.PERPLEXITY_API_KEY = "pplx-key"
    unconfigured.GEMINI_API_KEY = "AIza-key"
    unconfigured.AI_VISIBILITY_COMPAT_BASE_URL = "http://127.0.0.1:11434/v1"
    unconfigured.AI_VISIBILITY_COMPAT_MODEL = "llama3.1:8b"
    return unconfigured
