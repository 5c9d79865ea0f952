"""Staff pages for tracked sites, keywords, groups and rank checks. Schedules (tracking,
re-audits) are django-celery-beat's Periodic tasks pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.safestring import SafeString, mark_safe

from . import analytics, services
from .charts import line_chart
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
    readonly_fields = ("host", "created_at", "visibility_chart")
    actions = ("track_now",)

    @admin.display(description="Visibility (last 90 days)")
    def visibility_chart(self, obj: TrackedSite) -> SafeString:
        if obj.pk is None:
            return mark_safe("")
        days = analytics.site_visibility_history(obj.keywords.all())[-90:]
        svg = line_chart([(d["date"], d["visibility"]) for d in days], low=0, high=100,
                         label=f"Visibility of {obj.host}, %")
        return mark_safe(svg or "no rank checks yet")  # noqa: S308 - built from numbers and escaped text

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
    readonly_fields = ("position_chart",)
    actions = ("track_now",)

    @admin.display(description="Position (last 90 checks; top = #1, gaps = not in top N)")
    def position_chart(self, obj: Keyword) -> SafeString:
        if obj.pk is None:
            return mark_safe("")
        checks = list(obj.checks.order_by("-checked_on").values_list("checked_on", "position")[:90])
        checks.reverse()
        worst = max([p for _d, p in checks if p] or [10])
        svg = line_chart(checks, low=1, high=worst, invert=True, label=f"Positions of {obj.phrase}")
        return mark_safe(svg or "no rank checks yet")  # noqa: S308 - built from numbers and escaped text

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
