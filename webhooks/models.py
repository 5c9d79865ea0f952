"""Webhooks: incoming GitHub deliveries that start audits, and outgoing signed event
deliveries to endpoints users register (see docs/webhooks.md)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from .events import EventType


class GitHubRepository(models.Model):
    """A GitHub repository whose deploys start an audit of the owner's site."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="github_repositories")
    #: "owner/name", stored lower-case (GitHub names are case-insensitive).
    full_name = models.CharField(max_length=200)
    site_url = models.CharField(max_length=2048)
    audit_options = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("full_name", "id")
        constraints = [models.UniqueConstraint(fields=("owner", "full_name"),
                                               name="webhooks_github_repo_owner_name_uniq")]
        verbose_name = "GitHub repository"
        verbose_name_plural = "GitHub repositories"

    def __str__(self) -> str:
        return f"{self.full_name} -> {self.site_url}"


class GitHubDelivery(models.Model):
    """One accepted X-GitHub-Delivery: the unique row that makes a replay a no-op."""

    class Outcome(models.TextChoices):
        PONG = "pong", "Pong"
        AUDIT_STARTED = "audit_started", "Audit started"
        IGNORED = "ignored", "Ignored"
        REJECTED = "rejected", "Rejected"

    delivery_id = models.CharField(max_length=100, unique=True)
    event = models.CharField(max_length=100)
    repository = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    detail = models.CharField(max_length=500, blank=True)
    audit_ids = models.JSONField(default=list, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-received_at",)
        verbose_name_plural = "GitHub deliveries"

    def __str__(self) -> str:
        return f"{self.event} {self.delivery_id} ({self.outcome})"


class WebhookEndpoint(models.Model):
    """A receiver URL of one owner, with its signing secret(s) and subscribed event types."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="webhook_endpoints")
    url = models.CharField(max_length=2048)
    description = models.CharField(max_length=500, blank=True)
    #: Subscribed types; empty = every type except the opt-in ones (audit.progress).
    event_types = models.JSONField(default=list, blank=True)
    #: "whsec_<base64>"; the previous one is also used to sign until previous_secret_expires_at.
    secret = models.CharField(max_length=200)
    previous_secret = models.CharField(max_length=200, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    #: When deliveries started failing without a success since (None while healthy).
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    #: Why the platform disabled the endpoint: shown to the owner in the admin and the API.
    owner_notice = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        if self.event_types:
            return event_type in self.event_types
        return event_type not in EventType.OPT_IN


class WebhookEvent(models.Model):
    """Something that happened, with the exact body every delivery of it sends."""

    #: "msg_<32 hex>": the webhook-id header, the same on every retry and redelivery.
    id = models.CharField(primary_key=True, max_length=40, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="webhook_events")
    type = models.CharField(max_length=50, db_index=True)
    #: The serialized JSON body, kept as sent so a retry signs and sends the same bytes.
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class WebhookDelivery(models.Model):
    """One event to one endpoint: attempts, outcome and when to try next."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE,
                                 related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    #: Attempts made, ever (redeliveries included).
    attempts = models.PositiveIntegerField(default=0)
    #: Position in the retry schedule (reset by a redeliver).
    retry_step = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    #: A SENDING row whose claim expired belongs to a crashed worker and may be taken over.
    claimed_until = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=1000, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-id",)
        verbose_name_plural = "webhook deliveries"
        constraints = [models.UniqueConstraint(fields=("event", "endpoint"),
                                               name="webhooks_delivery_event_endpoint_uniq")]
        indexes = [models.Index(fields=("status", "next_attempt_at"),
                                name="webhooks_delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.endpoint_id} ({self.status})"
