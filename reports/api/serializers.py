"""API representations of reports and branding."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from ..http import DIRECT_FORMATS  # noqa: F401  (re-exported for the views and schema)
from ..models import Report, ReportBranding


class ReportCreateSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=Report.Format.choices, default=Report.Format.PDF)
    language = serializers.ChoiceField(choices=Report.Language.choices,
                                       default=Report.Language.EN)


class DirectReportQuerySerializer(serializers.Serializer):
    lang = serializers.ChoiceField(choices=Report.Language.choices, default=Report.Language.EN,
                                   help_text="Language of the report texts.")


class ReportSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = ("id", "audit", "format", "language", "status", "size", "error", "created_at",
                  "started_at", "finished_at", "download_url")
        read_only_fields = fields

    def get_download_url(self, report: Report) -> str | None:
        if report.status != Report.Status.READY:
            return None
        return reverse("report-download", kwargs={"report_id": report.pk})


class BrandingSerializer(serializers.ModelSerializer):
    logo = serializers.CharField(required=False, allow_blank=True, max_length=300_000,
                                 help_text="A base64 data: URL (PNG, JPEG, GIF, WebP or SVG), "
                                           "at most 200 KB; empty removes the logo.")
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True,
                                           help_text="null until the branding is first saved.")

    class Meta:
        model = ReportBranding
        fields = ("agency_name", "logo", "primary_color", "accent_color", "footer_text",
                  "updated_at")
        read_only_fields = ("updated_at",)
