from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts import services as account_services
from audits.models import Audit, Finding, Link, Page, url_hash
from seoaudit.api.auth0 import reset_jwks_cache


@pytest.fixture(autouse=True)
def _fresh_state(settings):
    """Idempotency keys live in the cache and JWKS in a per-process client: start clean.
    A fast password hasher: PBKDF2's cost is a feature in production, not in 200 tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Rate limits have their own tests (tests/middleware); here hundreds of requests with
    # forged credentials from one address would (rightly) end in 429s.
    settings.SEOAUDIT_RATE_LIMITS_ENABLED = False
    cache.clear()
    reset_jwks_cache()
    yield
    reset_jwks_cache()


def bearer_client(user: Any) -> APIClient:
    """A client authenticated with a personal API token of `user`."""
    _token, raw = account_services.api_token_create(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def api(user) -> APIClient:
    return bearer_client(user)


@pytest.fixture
def other_api(other_user) -> APIClient:
    return bearer_client(other_user)


def make_audit(owner: Any, *, url: str = "https://example.com/",
               status: str = Audit.Status.COMPLETED, pages: int = 3) -> Audit:
    """A finished audit with pages, links between them, page and site-wide findings."""
    audit = Audit.objects.create(
        owner=owner, url=url, normalized_url=url, status=status, progress=100,
        pages_crawled=pages, total_pages=pages, seo_score=87.5, geo_score=64.0,
        scores={"score": 87.5, "categories": {"on_page": {"score": 80.0, "findings": 2, "losses": []}},
                "top_losses": [{"code": "seo.title.missing", "points": 5.0}], "pages_scored": pages,
                "pages_with_error": 1, "site_penalty": 0.0,
                "geo": {"score": 64.0, "components": {}, "top_losses": [], "pages_scored": pages}})
    created = []
    for i in range(pages):
        page_url = f"{url}p{i}"
        created.append(Page.objects.create(
            audit=audit, url=page_url, url_hash=url_hash(page_url), status=200 if i else 404,
            title=f"Page number {i}", indexable=bool(i), facts={"lang": "en"}))
    for source in created:
        for target in created:
            Link.objects.create(audit=audit, source=source, target_url=target.url,
                                target_hash=target.url_hash, internal=True, anchor=target.title)
    Finding.objects.create(audit=audit, page=created[0], code="seo.title.missing",
                           severity="error", category="on_page", details={"n": 1})
    Finding.objects.create(audit=audit, page=created[-1], code="seo.title.missing",
                           severity="error", category="on_page")
    Finding.objects.create(audit=audit, page=None, code="seo.sitemap.missing",
                           severity="warning", category="sitemaps")
    return audit


@pytest.fixture
def audit_factory(db) -> Callable[..., Audit]:
    return make_audit


def error_of(response: Any) -> dict[str, Any]:
    """The error object of a response, asserting the one error shape."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert isinstance(body["error"]["code"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    return body["error"]
