"""Staff console for users and API credentials. Tokens created here are shown once, in a
message; only their hash is stored."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count, IntegerField, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from audits.models import Audit

from . import services
from .models import ApiToken, ExternalIdentity

User = get_user_model()


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "state", "created_at", "expires_at", "last_used_at",
                    "revoked_at")
    list_filter = ("revoked_at", "expires_at", "created_at")
    list_select_related = ("user",)
    search_fields = ("name", "user__username", "prefix")
    date_hierarchy = "created_at"
    raw_id_fields = ("user",)
    readonly_fields = ("prefix", "state", "created_at", "last_used_at", "revoked_at")
    fields = ("user", "name", "expires_at", "prefix", "state", "created_at", "last_used_at",
              "revoked_at")
    actions = ("revoke",)

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        token, raw = services.api_token_create(user=obj.user, name=obj.name, expires_at=obj.expires_at)
        obj.pk, obj.prefix, obj.key_hash = token.pk, token.prefix, token.key_hash
        messages.warning(request, f"Token for {obj.user}: {raw} — copy it now, it is not shown again.")

    @admin.display(description="State")
    def state(self, obj: ApiToken) -> str:
        if obj.pk is None:
            return "–"
        if obj.revoked_at is not None:
            return "revoked"
        if obj.expires_at is not None and obj.expires_at <= timezone.now():
            return "expired"
        return "active"

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            services.api_token_revoke(token=token)


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    list_display = ("provider", "subject", "user", "email", "created_at", "last_login_at")
    list_filter = ("provider", "created_at")
    list_select_related = ("user",)
    search_fields = ("subject", "email", "user__username")
    date_hierarchy = "created_at"
    raw_id_fields = ("user",)
    readonly_fields = ("created_at", "last_login_at")


def _count(model: Any, **filters: Any) -> Coalesce:
    """Rows of `model` per user as a correlated subquery (computed for the shown rows only)."""
    rows = (model.objects.filter(**filters).order_by().values(next(iter(filters)))
            .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class ConsoleUserAdmin(UserAdmin):
    """Django's user admin plus what staff ask about a client: audits, last audit, tokens."""

    list_display = ("username", "email", "is_staff", "is_active", "audit_count", "last_audit_at",
                    "token_count", "last_login", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "date_joined")
    date_hierarchy = "date_joined"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        last = (Audit.objects.filter(owner=OuterRef("pk")).order_by().values("owner")
                .annotate(last=Max("created_at")).values("last"))
        return super().get_queryset(request).annotate(
            _audits=_count(Audit, owner=OuterRef("pk")),
            _tokens=_count(ApiToken, user=OuterRef("pk"), revoked_at__isnull=True),
            _last_audit=Subquery(last))

    @admin.display(description="Audits", ordering="_audits")
    def audit_count(self, obj: Any) -> str:
        url = reverse("admin:audits_audit_changelist") + f"?owner__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj._audits)

    @admin.display(description="Last audit", ordering="_last_audit")
    def last_audit_at(self, obj: Any) -> Any:
        return obj._last_audit

    @admin.display(description="Active tokens", ordering="_tokens")
    def token_count(self, obj: Any) -> int:
        return obj._tokens
