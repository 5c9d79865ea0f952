from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html

from .models import AIContent


@admin.register(AIContent)
class AIContentAdmin(admin.ModelAdmin):
    """Read-only: rows are written by the generators. Output is shown escaped (format_html),
    since it derives from crawled, untrusted page text."""

    list_display = ("id", "kind", "status", "offline", "provider", "model", "page_url",
                    "tokens_in", "tokens_out", "cost", "created_by", "created_at")
    list_filter = ("kind", "status", "offline", "provider")
    search_fields = ("page_url", "id")
    raw_id_fields = ("audit", "page", "created_by")
    readonly_fields = ("output_pretty",)
    exclude = ("output",)

    @admin.display(description="Output")
    def output_pretty(self, obj: AIContent) -> str:
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>",
                           json.dumps(obj.output, indent=2, ensure_ascii=False))

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
