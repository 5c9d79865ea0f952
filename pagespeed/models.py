"""Page-speed measurements: lab runs in headless Chromium and PageSpeed Insights results.

One row per URL, form factor and source. Rows of an audit's lab sample carry the audit (and the
crawled page when it is known); ad-hoc measurements from `/api/v1/pagespeed` carry only the
owner. The headline metrics are columns (filtered, sorted and charted); everything else the
measurement produced (weight by resource type, render-blocking resources, unused large images,
PSI field data, the throttling profile used) lives in `details`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from audits.models import Audit, Page


class Measurement(models.Model):
    class Source(models.TextChoices):
        LAB = "lab", "Lab (headless Chromium)"
        PSI = "psi", "PageSpeed Insights"

    class FormFactor(models.TextChoices):
        MOBILE = "mobile", "Mobile"
        DESKTOP = "desktop", "Desktop"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="pagespeed_measurements")
    audit = models.ForeignKey(Audit, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="pagespeed_measurements")
    page = models.ForeignKey(Page, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="pagespeed_measurements")
    url = models.TextField()
    source = models.CharField(max_length=4, choices=Source.choices, default=Source.LAB)
    form_factor = models.CharField(max_length=7, choices=FormFactor.choices)
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.PENDING)
    #: Why the measurement failed or was skipped (no Chromium, timeout, SSRF refusal, ...).
    error = models.TextField(blank=True, default="")
    # --- Headline metrics (null when not measured) ---
    ttfb_ms = models.FloatField(null=True, blank=True)
    fcp_ms = models.FloatField(null=True, blank=True)
    lcp_ms = models.FloatField(null=True, blank=True)
    cls = models.FloatField(null=True, blank=True)
    tbt_ms = models.FloatField(null=True, blank=True)
    #: Lighthouse-style 0-100 performance score when the source gives one (PSI) or we compute it.
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    page_weight_bytes = models.BigIntegerField(null=True, blank=True)
    request_count = models.PositiveIntegerField(null=True, blank=True)
    #: Everything else, JSON (documented in docs/pagespeed.md).
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = [
            models.Index(fields=("audit", "url", "form_factor"), name="pagespeed_audit_url"),
            models.Index(fields=("owner", "-created_at"), name="pagespeed_owner_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.form_factor} {self.url}"
