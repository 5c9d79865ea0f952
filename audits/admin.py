"""Staff console: start audits, watch them finish, browse pages, links and findings."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from . import services
from .engine.urls import InvalidURL, normalize_url
from .exceptions import AuditError
from .models import Audit, Finding, Link, Page
from .options import clean_audit_options


class AuditAddForm(forms.ModelForm):
    options = forms.JSONField(required=False, initial=dict, help_text=(
        'JSON, e.g. {"max_pages": 200, "ignore_robots": false, "max_depth": 5}'))

    class Meta:
        model = Audit
        fields = ("url", "options")

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            normalize_url(url)
        except InvalidURL as exc:
            raise forms.ValidationError(str(exc)) from exc
        return url

    def clean_options(self) -> dict[str, Any]:
        options = self.cleaned_data.get("options") or {}
        if not isinstance(options, dict):
            raise forms.ValidationError("options must be a JSON object")
        try:
            return clean_audit_options(options)
        except AuditError as exc:
            raise forms.ValidationError(str(exc)) from exc


@admin.register(Audit)
class AuditAdmin(admin.ModelAdmin):
    list_display = ("url", "owner", "status", "progress", "pages_crawled", "seo_score", "geo_score",
                    "created_at", "finished_at")
    list_filter = ("status", "created_at")
    search_fields = ("url", "normalized_url", "owner__username")
    readonly_fields = ("id", "owner", "normalized_url", "status", "progress", "pages_crawled",
                       "total_pages", "seo_score", "geo_score", "scores_pretty",
                       "summary_pretty", "error", "created_at", "started_at", "finished_at",
                       "findings_link")
    actions = ("cancel_audits", "rerun_audits")

    def get_form(self, request: HttpRequest, obj: Audit | None = None, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = AuditAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Audit | None = None) -> Any:
        if obj is None:
            return ("url", "options")
        return ("url", *self.readonly_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: Audit | None = None) -> Any:
        return ("url", *self.readonly_fields) if obj else ()

    def save_model(self, request: HttpRequest, obj: Audit, form: Any, change: bool) -> None:
        if change:
            return  # audits are immutable once created; use the actions
        audit = services.audit_create(owner=request.user, url=form.cleaned_data["url"],
                                      options=form.cleaned_data.get("options") or {})
        obj.pk = audit.pk
        obj._state.adding = False

    @admin.display(description="Scores")
    def scores_pretty(self, obj: Audit) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.scores, indent=2))

    @admin.display(description="Crawl summary")
    def summary_pretty(self, obj: Audit) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.summary, indent=2))

    @admin.display(description="Findings")
    def findings_link(self, obj: Audit) -> str:
        url = reverse("admin:audits_finding_changelist") + f"?audit__id__exact={obj.pk}"
        pages = reverse("admin:audits_page_changelist") + f"?audit__id__exact={obj.pk}"
        return format_html('<a href="{}">{} findings</a> · <a href="{}">{} pages</a>',
                           url, obj.findings.count(), pages, obj.pages.count())

    @admin.action(description="Cancel selected audits")
    def cancel_audits(self, request: HttpRequest, queryset: QuerySet[Audit]) -> None:
        for audit in queryset:
            services.audit_cancel(audit=audit)
        messages.info(request, "Cancelled the selected active audits.")

    @admin.action(description="Run selected audits again")
    def rerun_audits(self, request: HttpRequest, queryset: QuerySet[Audit]) -> None:
        for audit in queryset:
            services.audit_create(owner=request.user, url=audit.url, options=audit.options)
        messages.info(request, "Queued new audits.")


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ("url", "status", "depth", "indexable", "title", "inlinks", "geo_score",
                    "elapsed_ms")
    list_filter = ("status", "indexable", "in_sitemap")
    search_fields = ("url", "title")
    raw_id_fields = ("audit",)
    list_select_related = ("audit",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Link)
class LinkAdmin(admin.ModelAdmin):
    list_display = ("source", "target_url", "kind", "internal", "nofollow", "anchor")
    list_filter = ("kind", "internal", "nofollow")
    search_fields = ("target_url", "anchor")
    raw_id_fields = ("audit", "source")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ("code", "severity", "category", "page")
    list_filter = ("severity", "category", "code")
    search_fields = ("code", "page__url")
    raw_id_fields = ("audit", "page")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
