from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ..events import EventType
from ..github import REPLY_STATUSES
from ..models import GitHubRepository, WebhookDelivery, WebhookEndpoint


class EndpointSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.ALL), required=False,
        help_text="Subscribed event types; empty = all except audit.progress (opt-in).")

    class Meta:
        model = WebhookEndpoint
        fields = ("id", "url", "description", "event_types", "is_active", "failing_since",
                  "disabled_at", "owner_notice", "previous_secret_expires_at", "created_at",
                  "updated_at")
        read_only_fields = ("id", "failing_since", "disabled_at", "owner_notice",
                            "previous_secret_expires_at", "created_at", "updated_at")
        extra_kwargs = {"url": {"max_length": 2048}}


class EndpointWithSecretSerializer(EndpointSerializer):
    """Create and rotate answers: the only place the signing secret is shown."""

    secret = serializers.CharField(read_only=True,
                                   help_text='"whsec_<base64>": verify signatures with it.')

    class Meta(EndpointSerializer.Meta):
        fields = (*EndpointSerializer.Meta.fields, "secret")


class RotateSecretSerializer(serializers.Serializer):
    grace_hours = serializers.FloatField(required=False, min_value=0, max_value=24 * 30,
                                         help_text="How long the old secret keeps signing "
                                                   "(both signatures sent); default 24.")


class EventRefSerializer(serializers.Serializer):
    event_id = serializers.CharField()
    type = serializers.CharField()


class DeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.CharField(read_only=True)
    event_type = serializers.CharField(source="event.type", read_only=True)
    endpoint_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = ("id", "event_id", "event_type", "endpoint_id", "status", "attempts",
                  "next_attempt_at", "response_status", "response_excerpt", "error",
                  "duration_ms", "last_attempt_at", "delivered_at", "created_at")
        read_only_fields = fields


class DeliveryDetailSerializer(DeliverySerializer):
    payload = serializers.SerializerMethodField()

    class Meta(DeliverySerializer.Meta):
        fields = (*DeliverySerializer.Meta.fields, "payload")
        read_only_fields = fields

    def get_payload(self, delivery: WebhookDelivery) -> dict[str, Any]:
        import json

        return json.loads(delivery.event.body)


class GitHubRepositorySerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(max_length=200, help_text='"owner/repository"')
    site_url = serializers.CharField(max_length=2048)
    audit_options = serializers.DictField(required=False)

    class Meta:
        model = GitHubRepository
        fields = ("id", "full_name", "site_url", "audit_options", "is_active", "created_at",
                  "updated_at")
        read_only_fields = ("id", "created_at", "updated_at")


class GitHubReplySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=REPLY_STATUSES)
    message = serializers.CharField()
    audits = serializers.ListField(child=serializers.DictField())
