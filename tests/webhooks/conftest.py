from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache

from tests.api.conftest import (  # noqa: F401
    api,
    audit_factory,
    bearer_client,
    other_api,
)

from .receivers import Receiver


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    settings.SEOAUDIT_RATE_LIMITS_ENABLED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    settings.WEBHOOKS_TIMEOUT_S = 2.0
    cache.clear()
    return settings


@pytest.fixture
def allow_private_webhooks(settings):
    """Receivers in these tests listen on 127.0.0.1, which production refuses."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    return settings


@pytest.fixture
def receiver_factory() -> Iterator[Callable[..., Receiver]]:
    started: list[Receiver] = []

    def make(**kwargs) -> Receiver:
        receiver = Receiver(**kwargs).start()
        started.append(receiver)
        return receiver

    yield make
    for receiver in started:
        receiver.stop()
