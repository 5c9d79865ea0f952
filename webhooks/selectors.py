"""Webhook reads, always scoped to the caller: another user's rows do not exist (404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import GitHubRepository, WebhookDelivery, WebhookEndpoint


def endpoint_list_for_user(*, user: Any) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(owner=user)


def delivery_list_for_user(*, user: Any) -> QuerySet[WebhookDelivery]:
    return (WebhookDelivery.objects.filter(endpoint__owner=user)
            .select_related("event", "endpoint").order_by("-id"))


def github_repository_list_for_user(*, user: Any) -> QuerySet[GitHubRepository]:
    return GitHubRepository.objects.filter(owner=user)
