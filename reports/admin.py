from django.contrib import admin

from .models import Report, ReportBranding


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("id", "audit", "format", "language", "status", "size", "created_by",
                    "created_at", "finished_at")
    list_filter = ("status", "format", "language")
    list_select_related = ("audit", "created_by")
    search_fields = ("audit__normalized_url", "id")
    date_hierarchy = "created_at"
    readonly_fields = ("audit", "format", "language", "status", "file", "size", "created_by",
                       "error", "created_at", "started_at", "finished_at")


@admin.register(ReportBranding)
class ReportBrandingAdmin(admin.ModelAdmin):
    list_display = ("owner", "agency_name", "primary_color", "accent_color", "updated_at")
    list_select_related = ("owner",)
    search_fields = ("agency_name", "owner__username")
    autocomplete_fields = ()
    raw_id_fields = ("owner",)
