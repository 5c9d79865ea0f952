from __future__ import annotations

from typing import Any

from webhooks import services
from webhooks.models import WebhookEndpoint


def make_endpoint(owner: Any, url: str, **kwargs: Any) -> WebhookEndpoint:
    """An endpoint created through the service (URL check, fresh secret)."""
    return services.endpoint_create(owner=owner, url=url, **kwargs)
