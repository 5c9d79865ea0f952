"""Every SERP client against the local fake of its provider: pagination to depth N,
related searches, features, 429 backoff, quota and authentication errors, the SSRF guard."""

from __future__ import annotations

import time

import pytest

from keywords.providers import (
    PROVIDERS,
    AuthenticationFailed,
    ProviderNotConfigured,
    QuotaExceeded,
    RateLimited,
    SerpError,
    SerpQuery,
    provider_from_settings,
    provider_status,
    serp_fetch_many,
)
from keywords.providers.base import retry_after_seconds

from .fakes import provider_settings

NAMES = sorted(PROVIDERS)


def fetch(phrase: str, *, depth: int = 100, **query):
    provider = provider_from_settings()
    [serp] = serp_fetch_many(provider, [SerpQuery(phrase=phrase, **query)], depth=depth, concurrency=2)
    if isinstance(serp, SerpError):
        raise serp
    return serp


@pytest.mark.parametrize("name", NAMES)
def test_paginates_to_depth_100_in_rank_order(settings, fake, name):
    provider_settings(settings, fake, name)
    fake.serps["blue widgets"] = [f"https://e{i}.example/" for i in range(1, 131)]
    serp = fetch("blue widgets")
    assert serp.provider == name
    assert [r.position for r in serp.results] == list(range(1, 101))
    assert serp.results[0].url == "https://e1.example/"
    assert serp.results[99].url == "https://e100.example/"
    page = {"searxng": 10, "serpapi": 10, "serper": 10, "brave": 20}[name]
    assert len([r for r in fake.requests if r["provider"] == name]) == 100 // page


@pytest.mark.parametrize("name", NAMES)
def test_stops_when_results_run_out(settings, fake, name):
    provider_settings(settings, fake, name)
    fake.serps["rare phrase"] = [f"https://e{i}.example/" for i in range(1, 24)]  # 23 results
    serp = fetch("rare phrase")
    assert len(serp.results) == 23
    assert serp.results[-1].position == 23


@pytest.mark.parametrize("name", NAMES)
def test_partial_depth_asks_only_the_pages_it_needs(settings, fake, name):
    provider_settings(settings, fake, name)
    serp = fetch("green widgets", depth=15)
    assert len(serp.results) == 15
    assert len(fake.requests) == (1 if name == "brave" else 2)


def test_request_parameters_follow_each_protocol(settings, fake):
    provider_settings(settings, fake, "serpapi")
    fetch("shoes", depth=20, country="de", language="de", device="mobile")
    assert [(r["start"], r["num"]) for r in fake.requests] == [(0, 10), (10, 10)]
    assert fake.requests[0]["gl"] == "de" and fake.requests[0]["hl"] == "de"
    assert fake.requests[0]["device"] == "mobile"
    fake.requests.clear()
    provider_settings(settings, fake, "brave")
    fetch("shoes", depth=40, country="de")
    assert [(r["offset"], r["count"], r["country"]) for r in fake.requests] == [(0, 20, "DE"), (1, 20, "DE")]
    fake.requests.clear()
    provider_settings(settings, fake, "searxng")
    fetch("shoes", depth=20, country="at", language="de")
    assert [(r["pageno"], r["language"]) for r in fake.requests] == [(1, "de-AT"), (2, "de-AT")]


@pytest.mark.parametrize("name,features", [("searxng", {"knowledge_graph"}),
                                           ("serpapi", {"people_also_ask"}),
                                           ("serper", {"answer_box", "people_also_ask"}),
                                           ("brave", {"people_also_ask"})])
def test_related_searches_and_features(settings, fake, name, features):
    provider_settings(settings, fake, name)
    fake.related["tea"] = ["green tea", "black tea"]
    serp = fetch("tea", depth=10)
    assert set(serp.features) == features
    if name != "brave":  # Brave's web search answers no related searches
        assert serp.related == ("green tea", "black tea")


@pytest.mark.parametrize("name", NAMES)
def test_429_is_retried_after_retry_after(settings, fake, name):
    provider_settings(settings, fake, name)
    fake.fail_next = [(429, {"error": "slow down"}, {"Retry-After": "1"})]
    started = time.monotonic()
    serp = fetch("coffee", depth=10)
    assert time.monotonic() - started >= 0.9
    assert len(serp.results) == 10


@pytest.mark.parametrize("name", NAMES)
def test_429_past_the_retries_is_rate_limited(settings, fake, name):
    provider_settings(settings, fake, name)
    settings.SERP_MAX_RETRIES = 1
    fake.fail_next = [(429, {}, {"Retry-After": "0"})] * 2
    with pytest.raises(RateLimited):
        fetch("coffee", depth=10)


def test_retry_after_longer_than_allowed_gives_up_at_once(settings, fake):
    provider_settings(settings, fake, "searxng")
    fake.fail_next = [(429, {}, {"Retry-After": "3600"})]
    started = time.monotonic()
    with pytest.raises(RateLimited):
        fetch("coffee", depth=10)
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("name,status,body", [
    ("serpapi", 429, {"error": "Your account has run out of searches."}),
    ("serper", 400, {"message": "Not enough credits", "statusCode": 400}),
    ("brave", 429, {"type": "ErrorResponse", "error": {"status": 429, "code": "QUOTA_LIMITED",
                                                        "detail": "Monthly quota exceeded"}}),
])
def test_quota_errors_are_not_retried(settings, fake, name, status, body):
    provider_settings(settings, fake, name)
    fake.fail_next = [(status, body, {"Retry-After": "0"})]
    with pytest.raises(QuotaExceeded):
        fetch("coffee", depth=10)
    assert len(fake.requests) == 1


@pytest.mark.parametrize("name", ["serpapi", "serper", "brave"])
def test_a_wrong_key_is_an_authentication_error(settings, fake, name):
    provider_settings(settings, fake, name)
    setattr(settings, f"SERP_{name.upper()}_KEY", "wrong")
    with pytest.raises(AuthenticationFailed):
        fetch("coffee", depth=10)


def test_searxng_without_json_format_says_how_to_fix(settings, fake):
    provider_settings(settings, fake, "searxng")
    fake.fail_next = [(403, {}, {})]
    with pytest.raises(SerpError, match="json format"):
        fetch("coffee", depth=10)


def test_serpapi_empty_serp_is_not_an_error(settings, fake):
    provider_settings(settings, fake, "serpapi")
    fake.serps["zzqx"] = []
    assert fetch("zzqx").results == ()


def test_server_error_is_a_serp_error(settings, fake):
    provider_settings(settings, fake, "serper")
    fake.fail_next = [(500, {"message": "Internal error", "statusCode": 500}, {})]
    with pytest.raises(SerpError, match="Internal error"):
        fetch("coffee", depth=10)


def test_ssrf_guard_refuses_loopback_unless_allowed(settings, fake):
    provider_settings(settings, fake, "searxng")
    settings.SERP_ALLOW_PRIVATE_NETWORKS = False
    with pytest.raises(SerpError, match="SERP_ALLOW_PRIVATE_NETWORKS"):
        fetch("coffee", depth=10)
    assert fake.requests == []


def test_ssrf_guard_checks_resolved_names(settings, fake):
    provider_settings(settings, fake, "searxng")
    settings.SERP_ALLOW_PRIVATE_NETWORKS = False
    settings.SERP_SEARXNG_URL = fake.base_url.replace("127.0.0.1", "localhost")
    with pytest.raises(SerpError):
        fetch("coffee", depth=10)
    assert fake.requests == []


def test_not_configured_is_explained(settings):
    settings.SERP_PROVIDER = ""
    configured, message = provider_status()
    assert not configured and "SERP_PROVIDER" in message
    settings.SERP_PROVIDER = "serpapi"
    settings.SERP_SERPAPI_KEY = ""
    with pytest.raises(ProviderNotConfigured, match="SERP_SERPAPI_KEY"):
        provider_from_settings()
    settings.SERP_PROVIDER = "bing-scraper"
    with pytest.raises(ProviderNotConfigured, match="unknown"):
        provider_from_settings()


def test_one_failure_does_not_stop_the_others(settings, fake):
    provider_settings(settings, fake, "searxng")
    fake.fail_next = [(500, {"error": "boom"}, {})]
    provider = provider_from_settings()
    serps = serp_fetch_many(provider, [SerpQuery("a b"), SerpQuery("c d")], depth=10, concurrency=1)
    assert sum(isinstance(s, SerpError) for s in serps) == 1
    assert sum(not isinstance(s, SerpError) for s in serps) == 1


def test_retry_after_http_date_and_garbage():
    assert retry_after_seconds("7", default=1.0) == 7.0
    assert retry_after_seconds("soon", default=1.5) == 1.5
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", default=9.0) == 0.0
