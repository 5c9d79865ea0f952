"""Generated report artifacts and each owner's white-label branding."""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import RegexValidator
from django.db import models

_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "a colour as #rrggbb")


class ReportStorage(FileSystemStorage):
    """Files under SEOAUDIT_REPORT_DIR, read on every use (not frozen at import)."""

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(settings.SEOAUDIT_REPORT_DIR)

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)


def report_storage() -> FileSystemStorage:
    """Where report files live; a callable so the path is not frozen into migrations."""
    return ReportStorage()


class Report(models.Model):
    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        HTML = "html", "HTML"
        CSV = "csv", "CSV (findings)"
        PAGES_CSV = "pages_csv", "CSV (pages)"
        JSON = "json", "JSON"
        JUNIT = "junit", "JUnit XML"
        MARKDOWN = "md", "Markdown"

    class Language(models.TextChoices):
        EN = "en", "English"
        ES = "es", "Español"

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        RUNNING = "RUNNING", "Running"
        READY = "READY", "Ready"
        FAILED = "FAILED", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    audit = models.ForeignKey("audits.Audit", on_delete=models.CASCADE, related_name="reports")
    format = models.CharField(max_length=10, choices=Format.choices)
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.EN)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(storage=report_storage, upload_to="%Y/%m/", blank=True,
                            max_length=300)
    size = models.PositiveBigIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="reports")
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["audit", "-created_at"], name="report_audit_created"),
                   models.Index(fields=["status", "created_at"], name="report_status_created")]

    def __str__(self) -> str:
        return f"{self.get_format_display()} report of {self.audit_id} ({self.status})"


class ReportBranding(models.Model):
    """White-label settings of one owner (an agency): shown on the cover and in the footer."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="report_branding")
    agency_name = models.CharField(max_length=120, blank=True, default="")
    #: A data: URL (PNG, JPEG, GIF, WebP or SVG, at most 200 KB): reports never fetch anything.
    logo = models.TextField(blank=True, default="")
    primary_color = models.CharField(max_length=7, default="#1f4e79", validators=[_COLOUR])
    accent_color = models.CharField(max_length=7, default="#2e86de", validators=[_COLOUR])
    footer_text = models.CharField(max_length=300, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.agency_name or f"branding of {self.owner_id}"
