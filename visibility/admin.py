"""Staff pages: brand settings, tracked prompts (with "ask now"), answer runs (read-only,
with their analysis) and per-owner budgets with today's usage. A banner says so when no
answer engine is configured."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html, format_html_join

from .budget import budget_status
from .engine_access import EngineNotConfigured, engine_status
from .models import AnswerRun, TrackedPrompt, VisibilityBrand, VisibilityBudget, VisibilityUsage
from .tracking import prompts_track


class _EngineBannerMixin:
    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        status = engine_status()
        if not status.configured:
            messages.warning(request, f"AI visibility tracking is off: {status.message}")
        return super().changelist_view(request, extra_context)  # type: ignore[misc]


@admin.register(VisibilityBrand)
class VisibilityBrandAdmin(admin.ModelAdmin):
    list_display = ("site", "brand_name", "updated_at")
    search_fields = ("brand_name", "site__host")
    raw_id_fields = ("site",)


@admin.register(TrackedPrompt)
class TrackedPromptAdmin(_EngineBannerMixin, admin.ModelAdmin):
    list_display = ("question", "site", "language", "country", "active", "created_at")
    list_filter = ("active", "language", "country")
    search_fields = ("question", "site__host")
    list_select_related = ("site",)
    raw_id_fields = ("site",)
    actions = ("ask_now",)

    @admin.action(description="Ask the selected prompts now (configured engines, budget applies)")
    def ask_now(self, request: HttpRequest, queryset: QuerySet[TrackedPrompt]) -> None:
        try:
            result = prompts_track(prompts=queryset)
        except EngineNotConfigured as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            return
        level = messages.WARNING if result.failed or result.skipped else messages.SUCCESS
        self.message_user(request, f"Asked {result.ran}, already asked today {result.existing}, "
                                   f"failed {result.failed}, skipped {result.skipped}.", level=level)


@admin.register(AnswerRun)
class AnswerRunAdmin(_EngineBannerMixin, admin.ModelAdmin):
    list_display = ("prompt", "engine", "run_on", "status", "brand_mentioned", "cited", "cited_position",
                    "cost_usd")
    list_filter = ("status", "engine", "brand_mentioned", "cited", "run_on")
    search_fields = ("prompt__question", "prompt__site__host", "answer")
    list_select_related = ("prompt",)
    date_hierarchy = "run_on"
    fieldsets = (
        (None, {"fields": ("prompt", "engine", "model", "run_on", "status", "error_code", "error",
                           "attempts")}),
        ("Analysis", {"fields": ("brand_mentioned", "brand_sentence", "mention_rank", "cited",
                                 "cited_position", "cited_urls", "competitors_mentioned",
                                 "competitors_cited", "citation_list")}),
        ("Answer", {"fields": ("answer", "input_tokens", "output_tokens", "cost_usd", "latency_ms",
                               "response_id", "created_at", "updated_at")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in AnswerRun._meta.fields] + ["citation_list"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Citations")
    def citation_list(self, obj: AnswerRun) -> str:
        if not obj.citations:
            return "none"
        return format_html("<ol>{}</ol>", format_html_join(
            "", "<li>{} <span>({})</span></li>",
            ((c.get("url", ""), c.get("domain", "")) for c in obj.citations)))


@admin.register(VisibilityBudget)
class VisibilityBudgetAdmin(admin.ModelAdmin):
    list_display = ("owner", "max_runs_per_day", "used_today", "note")
    search_fields = ("owner__username", "owner__email")
    raw_id_fields = ("owner",)
    readonly_fields = ("used_today",)

    @admin.display(description="Used today (UTC)")
    def used_today(self, obj: VisibilityBudget) -> str:
        if obj.owner_id is None:
            return "-"
        status = budget_status(owner_id=obj.owner_id)
        return f"{status.used} of {status.limit}"


@admin.register(VisibilityUsage)
class VisibilityUsageAdmin(admin.ModelAdmin):
    """Engine runs each owner used per day (read-only: the budget counter)."""

    list_display = ("owner", "day", "runs", "limit")
    list_filter = ("day",)
    search_fields = ("owner__username", "owner__email")
    date_hierarchy = "day"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Daily limit")
    def limit(self, obj: VisibilityUsage) -> int:
        return budget_status(owner_id=obj.owner_id, day=obj.day).limit
