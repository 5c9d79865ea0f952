"""Staff console: endpoints (with the platform's notices), the delivery log with
"redeliver", the incoming GitHub deliveries and repository mappings."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from . import services
from .exceptions import InvalidEndpointURL, WebhookError
from .models import GitHubDelivery, GitHubRepository, WebhookDelivery, WebhookEndpoint, WebhookEvent


class WebhookEndpointForm(forms.ModelForm):
    class Meta:
        model = WebhookEndpoint
        fields = ("owner", "url", "description", "event_types", "is_active")

    def clean_url(self) -> str:
        try:
            return services.endpoint_url_clean(self.cleaned_data["url"])
        except InvalidEndpointURL as exc:
            raise forms.ValidationError(str(exc)) from exc


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("url", "owner", "is_active", "owner_notice", "failing_since", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "description", "owner__username", "owner__email")
    readonly_fields = ("id", "secret", "previous_secret_expires_at", "failing_since",
                       "disabled_at", "owner_notice", "created_at", "updated_at")
    actions = ("send_test_event", "rotate_secret", "enable")

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form, change: bool) -> None:
        if not change:  # through the service: URL check and a fresh secret
            created = services.endpoint_create(owner=obj.owner, url=obj.url,
                                               description=obj.description,
                                               event_types=obj.event_types)
            obj.pk, obj.secret = created.pk, created.secret
            obj._state.adding = False
            return
        super().save_model(request, obj, form, change)

    @admin.action(description="Send test event")
    def send_test_event(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            try:
                event = services.endpoint_send_test(endpoint=endpoint)
            except WebhookError as exc:
                self.message_user(request, f"{endpoint.url}: {exc}", messages.WARNING)
            else:
                self.message_user(request, f"{endpoint.url}: test event {event.pk} queued")

    @admin.action(description="Rotate secret (old one valid for the grace period)")
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            services.endpoint_rotate_secret(endpoint=endpoint)
        self.message_user(request, f"Rotated {queryset.count()} secret(s).")

    @admin.action(description="Enable (clears the notice)")
    def enable(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            services.endpoint_update(endpoint=endpoint, is_active=True)
        self.message_user(request, f"Enabled {queryset.count()} endpoint(s).")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "event", "endpoint", "status", "attempts", "response_status",
                    "next_attempt_at", "delivered_at")
    list_filter = ("status", "event__type")
    search_fields = ("event__id", "endpoint__url")
    list_select_related = ("event", "endpoint")
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ("redeliver",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Redeliver (same webhook-id)")
    def redeliver(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        done = 0
        for delivery in queryset.select_related("endpoint"):
            try:
                services.delivery_redeliver(delivery=delivery)
                done += 1
            except WebhookError as exc:
                self.message_user(request, f"#{delivery.pk}: {exc}", messages.WARNING)
        self.message_user(request, f"Queued {done} redelivery(ies).")


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ("id", "type", "owner", "created_at")
    list_filter = ("type",)
    readonly_fields = ("id", "owner", "type", "body", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(GitHubRepository)
class GitHubRepositoryAdmin(admin.ModelAdmin):
    list_display = ("full_name", "site_url", "owner", "is_active")
    list_filter = ("is_active",)
    search_fields = ("full_name", "site_url")


@admin.register(GitHubDelivery)
class GitHubDeliveryAdmin(admin.ModelAdmin):
    list_display = ("delivery_id", "event", "repository", "outcome", "received_at")
    list_filter = ("outcome", "event")
    readonly_fields = ("delivery_id", "event", "repository", "outcome", "detail", "audit_ids",
                       "received_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
