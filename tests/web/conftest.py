from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from tests.audits.factories import UserFactory

PASSWORD = "pw-for-tests-only"


@pytest.fixture(autouse=True)
def _web_settings(settings):
    """Fast password hashing; rate limits and idempotency keys have their own tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SEOAUDIT_RATE_LIMITS_ENABLED = False
    cache.clear()


@pytest.fixture
def staff_user(db):
    staff = UserFactory()
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    return staff


@pytest.fixture
def web(user) -> Client:
    """A browser-like client signed in as `user` (session cookie, CSRF checks on)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client
