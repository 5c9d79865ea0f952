"""Staff pages for tracked sites, keywords, groups and rank checks. Schedules (tracking,
re-audits) are django-celery-beat's Periodic tasks pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from . import services
from .models import Keyword, KeywordGroup, RankCheck, TrackedSite
from .providers import ProviderNotConfigured, SerpError, provider_status
from .tracking import rank_track


def _provider_banner(request: HttpRequest) -> None:
    configured, message = provider_status()
    if not configured:
        messages.warning(request, f"Rank tracking is off: {message}")


class _ProviderBannerMixin:
    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        _provider_banner(request)
        return super().changelist_view(request, extra_context)  # type: ignore[misc]


def _track(modeladmin: admin.ModelAdmin, request: HttpRequest, keywords: QuerySet[Keyword]) -> None:
    try:
        result = rank_track(keywords=keywords)
    except ProviderNotConfigured as exc:
        modeladmin.message_user(request, str(exc), level=messages.ERROR)
        return
    except SerpError as exc:
        modeladmin.message_user(request, f"Rank tracking failed: {exc}", level=messages.ERROR)
        return
    level = messages.WARNING if result.failed else messages.SUCCESS
    modeladmin.message_user(request, f"Checked {result.checked}, already checked today "
                                     f"{result.skipped}, failed {result.failed}.", level=level)


@admin.register(TrackedSite)
class TrackedSiteAdmin(_ProviderBannerMixin, admin.ModelAdmin):
    list_display = ("host", "name", "owner", "reaudit", "created_at")
    list_filter = ("reaudit",)
    search_fields = ("host", "name", "owner__username")
    readonly_fields = ("host", "created_at")
    actions = ("track_now",)

    def save_model(self, request: HttpRequest, obj: TrackedSite, form: Any, change: bool) -> None:
        obj.host = services.site_host(obj.url)
        reaudit = obj.reaudit
        super().save_model(request, obj, form, change)
        services.site_set_reaudit(site=obj, reaudit=reaudit)  # keeps beat's PeriodicTask in step

    @admin.action(description="Check rankings of the selected sites now")
    def track_now(self, request: HttpRequest, queryset: QuerySet[TrackedSite]) -> None:
        _track(self, request, Keyword.objects.filter(site__in=queryset))


@admin.register(KeywordGroup)
class KeywordGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "site")
    search_fields = ("name", "site__host")


@admin.register(Keyword)
class KeywordAdmin(_ProviderBannerMixin, admin.ModelAdmin):
    list_display = ("phrase", "site", "country", "language", "device", "group", "active")
    list_filter = ("active", "device", "search_engine", "country")
    search_fields = ("phrase", "site__host")
    list_select_related = ("site", "group")
    raw_id_fields = ("site", "group")
    actions = ("track_now",)

    @admin.action(description="Check rankings of the selected keywords now")
    def track_now(self, request: HttpRequest, queryset: QuerySet[Keyword]) -> None:
        _track(self, request, queryset)


@admin.register(RankCheck)
class RankCheckAdmin(_ProviderBannerMixin, admin.ModelAdmin):
    list_display = ("keyword", "checked_on", "position", "ranking_url", "provider")
    list_filter = ("provider", "checked_on")
    search_fields = ("keyword__phrase", "ranking_url")
    list_select_related = ("keyword",)
    raw_id_fields = ("keyword",)
    date_hierarchy = "checked_on"
