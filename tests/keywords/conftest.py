from __future__ import annotations

import pytest
from django.core.cache import cache

from keywords import services

# The API tests' user/other_user/api/other_api fixtures (bearer-token clients), shared.
from tests.api.conftest import api, other_api  # noqa: F401

from .fakes import FakeSerp, fake_serp_server, provider_settings


@pytest.fixture(autouse=True)
def _clean(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SEOAUDIT_RATE_LIMITS_ENABLED = False
    settings.SERP_PROVIDER = ""
    cache.clear()


@pytest.fixture
def fake():
    with fake_serp_server(FakeSerp()) as server:
        yield server


@pytest.fixture
def searxng(settings, fake):
    provider_settings(settings, fake, "searxng")
    return fake


@pytest.fixture
def site(user):
    return services.site_create(owner=user, url="https://www.site.example/")
