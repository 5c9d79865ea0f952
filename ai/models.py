"""One row per generation request: what was asked, what came back, what it cost."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from audits.models import Audit, Page


class AIContent(models.Model):
    class Kind(models.TextChoices):
        TITLE_META = "title_meta", "Title and meta description"
        ALT_TEXT = "alt_text", "Image alt texts"
        FAQ = "faq", "FAQ section"
        JSON_LD = "json_ld", "JSON-LD draft"
        LLMS_TXT = "llms_txt", "llms.txt draft"
        GEO_BRIEF = "geo_brief", "GEO content brief"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="ai_contents")
    page = models.ForeignKey(Page, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="ai_contents")
    page_url = models.TextField(blank=True, default="")
    #: The request options (e.g. JSON-LD type) and the page facts the generator read.
    input = models.JSONField(default=dict, blank=True)
    #: The validated result; empty unless status is done.
    output = models.JSONField(default=dict, blank=True)
    model = models.CharField(max_length=200, blank=True, default="")
    provider = models.CharField(max_length=50, blank=True, default="")
    offline = models.BooleanField(default=False)
    cached = models.BooleanField(default=False)
    tokens_in = models.PositiveIntegerField(default=0)
    tokens_out = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(max_digits=12, decimal_places=6, default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                   related_name="ai_contents")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = [models.Index(fields=("audit", "kind", "-created_at"), name="ai_content_audit_kind"),
                   models.Index(fields=("created_by", "-created_at"), name="ai_content_owner")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.page_url or self.audit_id} ({self.status})"
