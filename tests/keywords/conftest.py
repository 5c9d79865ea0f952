from __future__ import annotations

import pytest
from django.core.cache import cache

from keywords import services
from tests.api.conftest import bearer_client
from tests.audits.factories import UserFactory

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
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def api(user):
    return bearer_client(user)


@pytest.fixture
def other_api(other_user):
    return bearer_client(other_user)


@pytest.fixture
def site(user):
    return services.site_create(owner=user, url="https://www.site.example/")
