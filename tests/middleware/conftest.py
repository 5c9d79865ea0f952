from __future__ import annotations

import uuid

import pytest


@pytest.fixture
def probe(settings):
    """The probe views, small limits and a fresh rate-limit namespace (real Redis when
    REDIS_URL is set: the keys of other tests and runs never collide)."""
    settings.ROOT_URLCONF = "tests.middleware.urls"
    settings.SEOAUDIT_RATE_LIMIT_NAMESPACE = f"test-{uuid.uuid4().hex}"
    settings.SEOAUDIT_RATE_LIMITS = {**settings.SEOAUDIT_RATE_LIMITS, "search": "5/minute",
                                     "default": "3/minute", "auth": "4/minute"}
    settings.SEOAUDIT_RATE_LIMITS_ENABLED = True
    settings.SEOAUDIT_RATE_LIMIT_TRUSTED_IPS = []
    settings.SEOAUDIT_TRUSTED_PROXIES = []
    return settings
