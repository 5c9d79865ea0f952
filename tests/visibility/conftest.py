from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache

from keywords import services as keyword_services

# The API tests' api/other_api fixtures (bearer-token clients), shared.
from tests.api.conftest import api, other_api  # noqa: F401
from visibility import engine_access, services
from visibility.engines.base import Citation, EngineAnswer, EngineError

FIXTURES = Path(__file__).parent / "fixtures"


def load_fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def answer_from(data: dict[str, Any], **overrides: Any) -> EngineAnswer:
    """An EngineAnswer as a client hands it over, from a recorded fixture's "answer"."""
    raw = {**data, **overrides}
    citations = []
    for c in raw.get("citations", []):
        citation = Citation(url=c["url"], title=c.get("title", ""), position=c.get("position", 0))
        if c.get("domain"):
            try:  # the optional field the engines helper adds
                citation = Citation(url=c["url"], title=c.get("title", ""),
                                    position=c.get("position", 0), domain=c["domain"])  # type: ignore[call-arg]
            except TypeError:
                citation = SimpleNamespace(url=c["url"], title=c.get("title", ""),  # type: ignore[assignment]
                                           position=c.get("position", 0), domain=c["domain"])
        citations.append(citation)
    return EngineAnswer(engine=raw["engine"], model=raw["model"], text=raw["text"],
                        citations=tuple(citations), input_tokens=raw.get("input_tokens", 0),
                        output_tokens=raw.get("output_tokens", 0),
                        cost_usd=Decimal(str(raw.get("cost_usd", "0"))), latency_ms=120,
                        response_id="resp_test")


class RecordedEngine:
    """A test double of an answer engine: hands out queued answers or errors (a recorded
    answer by default) and counts the questions it was asked. The real clients are tested
    against fake provider servers in tests/visibility/engines."""

    retrieval = True

    def __init__(self, name: str = "openai", answer: EngineAnswer | None = None) -> None:
        self.name = name
        self.default = answer or answer_from(load_fixture("openai_brand_cited.json")["answer"])
        self.queue: list[EngineAnswer | EngineError] = []
        self.asked: list[tuple[str, str, str]] = []

    def ask(self, question: str, *, language: str = "", country: str = "") -> EngineAnswer:
        self.asked.append((question, language, country))
        item = self.queue.pop(0) if self.queue else self.default
        if isinstance(item, Exception):
            raise item
        return item


@pytest.fixture(autouse=True)
def _clean(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SEOAUDIT_RATE_LIMITS_ENABLED = False
    settings.AI_VISIBILITY_MAX_RUNS_PER_DAY = 50
    cache.clear()


@pytest.fixture
def engines(monkeypatch) -> Callable[..., list[RecordedEngine]]:
    """Install a registry with the given engines (the engines helper's registry module is
    replaced, the code under test goes through engine_access as in production)."""
    def install(*items: RecordedEngine) -> list[RecordedEngine]:
        registry = SimpleNamespace(
            configured_engines=lambda: list(items),
            get_engine=lambda name: next(e for e in items if e.name == name),
            not_configured_message=lambda: "No answer engine is configured: set OPENAI_API_KEY, "
                                           "PERPLEXITY_API_KEY or GEMINI_API_KEY.")
        monkeypatch.setattr(engine_access, "_registry", lambda: registry)
        return list(items)
    return install


@pytest.fixture
def engine(engines) -> RecordedEngine:
    return engines(RecordedEngine("openai"))[0]


@pytest.fixture
def no_engines(engines):
    engines()


@pytest.fixture
def site(user):
    site = keyword_services.site_create(owner=user, url="https://www.acme-cloud.com/", name="Acme")
    services.brand_update(site=site, brand_name="Acme Cloud")
    return site


@pytest.fixture
def prompt(site):
    prompt, _ = services.prompt_create(
        site=site, question="Best managed Postgres hosting?", language="en", country="us",
        competitors=[{"name": "Globex", "variants": ["Globex Data"], "domains": ["globex.io"]},
                     {"name": "Cloud Corp", "variants": [], "domains": ["cloudcorp.com"]}])
    return prompt


@pytest.fixture
def eager(monkeypatch):
    """Run Celery tasks in-process (their retries too; errors propagate, as the settings say)."""
    from seoaudit.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
