from __future__ import annotations

from django.contrib import admin

from .models import Measurement


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    list_display = ("url", "source", "form_factor", "status", "lcp_ms", "cls", "tbt_ms",
                    "fcp_ms", "ttfb_ms", "owner", "created_at")
    list_filter = ("source", "form_factor", "status")
    search_fields = ("url", "id")
    raw_id_fields = ("owner", "audit", "page")
    date_hierarchy = "created_at"
