"""Audits, the pages they crawled, the links between them and what was found.

Pages and links are written in bulk (COPY on PostgreSQL); URLs are matched through a short
`*_hash` column so joins and unique indexes stay small however long the URL is.
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models


def url_hash(url: str) -> str:
    """16 hex chars of BLAKE2b: the key pages and link targets are joined on."""
    return hashlib.blake2b(url.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


class Audit(models.Model):
    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        RUNNING = "RUNNING", "Running"
        COMPLETED = "COMPLETED", "Completed"
        FAILED = "FAILED", "Failed"
        CANCELLED = "CANCELLED", "Cancelled"

    ACTIVE_STATUSES = (Status.PENDING, Status.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="audits")
    url = models.CharField(max_length=2048)
    normalized_url = models.CharField(max_length=2048, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    options = models.JSONField(default=dict, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    pages_crawled = models.PositiveIntegerField(default=0)
    total_pages = models.PositiveIntegerField(default=0)
    seo_score = models.FloatField(null=True, blank=True)
    geo_score = models.FloatField(null=True, blank=True)
    #: Score breakdown: category scores and the checks that cost the most points.
    scores = models.JSONField(default=dict, blank=True)
    #: Crawl summary: robots.txt, sitemaps, refused URLs (traps, caps), findings by severity.
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, default="")
    #: The latest live-progress snapshot (audits/progress.py; docs/sse.md) as published to
    #: `audit:progress:{id}`, for late subscribers and the embedded mode without Redis.
    progress_snapshot = models.JSONField(default=dict, blank=True)
    #: Sequence number of `progress_snapshot` (the SSE event id); grows with every publish.
    progress_seq = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: Heartbeat: bumped with every progress save, so an abandoned run can be recognised.
    updated_at = models.DateTimeField(auto_now=True)
    #: Runs started (claims): a run lost to a dead worker or an outage counts; the watchdog
    #: fails the audit after SEOAUDIT_AUDIT_MAX_ATTEMPTS (docs/reliability.md).
    attempts = models.PositiveSmallIntegerField(default=0)
    #: When the last run_audit message was sent; null while the audit waits for a free slot
    #: of its owner (fair scheduling: audits/scheduling.py starts it when one frees).
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="audit_owner_created"),
            models.Index(fields=["owner", "normalized_url", "status"], name="audit_owner_url_status"),
            models.Index(fields=["status", "updated_at"], name="audit_status_updated"),
            models.Index(fields=["status", "owner"], name="audit_status_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.url} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class Page(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="pages")
    url = models.TextField()
    url_hash = models.CharField(max_length=16)
    final_url = models.TextField(blank=True, default="")
    #: The URL's own response status (3xx for a redirect); 0 when no response arrived.
    status = models.PositiveSmallIntegerField(default=0)
    #: [{"url", "status", "location"}, ...] hop by hop; empty without redirects.
    redirect_chain = models.JSONField(default=list, blank=True)
    #: Shortest click depth from the start page; -1 when reached only through the sitemap.
    depth = models.IntegerField(default=0)
    content_type = models.CharField(max_length=200, blank=True, default="")
    size = models.PositiveIntegerField(default=0)
    ttfb_ms = models.FloatField(default=0)
    elapsed_ms = models.FloatField(default=0)
    title = models.TextField(blank=True, default="")
    description = models.TextField(blank=True, default="")
    canonical = models.TextField(blank=True, default="")
    indexable = models.BooleanField(default=False)
    indexability_reason = models.CharField(max_length=500, blank=True, default="")
    word_count = models.PositiveIntegerField(default=0)
    content_hash = models.CharField(max_length=64, blank=True, default="")
    in_sitemap = models.BooleanField(default=False)
    inlinks = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True, default="")
    #: Compact facts for reports: headings outline, lang, viewport, images/links counts, ...
    facts = models.JSONField(default=dict, blank=True)
    #: GEO score of the page's own signals (HTML 200 pages; docs/scoring.md), else null.
    geo_score = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "url_hash"], name="page_unique_url"),
        ]
        indexes = [
            models.Index(fields=["audit", "status"], name="page_audit_status"),
            models.Index(fields=["audit", "depth"], name="page_audit_depth"),
        ]

    def __str__(self) -> str:
        return self.url


class Link(models.Model):
    class Kind(models.TextChoices):
        A = "a", "Anchor"
        IMG = "img", "Image"
        SCRIPT = "script", "Script"
        CSS = "css", "Stylesheet"
        CANONICAL = "canonical", "Canonical"
        HREFLANG = "hreflang", "hreflang"
        IFRAME = "iframe", "Iframe"

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="links")
    source = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="outlinks")
    target_url = models.TextField()
    #: url_hash() of the target: joins to Page(audit, url_hash) when the target was crawled
    #: (resolved on read; rewriting every link row after the crawl cost more than the crawl).
    target_hash = models.CharField(max_length=16)
    anchor = models.CharField(max_length=200, blank=True, default="")
    rel = models.CharField(max_length=100, blank=True, default="")
    nofollow = models.BooleanField(default=False)
    internal = models.BooleanField(default=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.A)

    class Meta:
        indexes = [
            models.Index(fields=["audit", "target_hash"], name="link_audit_target"),
            models.Index(fields=["source"], name="link_source"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} -> {self.target_url}"


class Finding(models.Model):
    class Severity(models.TextChoices):
        ERROR = "error", "Error"
        WARNING = "warning", "Warning"
        NOTICE = "notice", "Notice"

    # No single-column index: finding_audit_id (audit, id) serves every audit_id lookup.
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="findings", db_index=False)
    #: None for a site-wide finding.
    page = models.ForeignKey(Page, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="findings")
    code = models.CharField(max_length=100)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    category = models.CharField(max_length=32)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            # Cursor pagination walks (audit, id) in order: the API's findings pages, also
            # filtered by one code or severity, are ordered index range scans (docs/performance.md).
            models.Index(fields=["audit", "id"], name="finding_audit_id"),
            models.Index(fields=["audit", "code", "id"], name="finding_audit_code_id"),
            models.Index(fields=["audit", "severity", "id"], name="finding_audit_severity_id"),
            models.Index(fields=["page"], name="finding_page"),
        ]

    def __str__(self) -> str:
        return self.code


class CrawlJob(models.Model):
    """The shared state of one distributed crawl (audits/distributed; docs/scaling.md).

    One row per audit that runs on work units. Counters change with `F()` updates or under
    this row's lock (URL admission), so any number of workers on any number of hosts can
    share it; the finalizer takes `finalize_started_at` with a conditional UPDATE, and the
    audit is completed in the transaction that sets `finished`, so it happens exactly once.
    """

    audit = models.OneToOneField(Audit, on_delete=models.CASCADE, primary_key=True,
                                 related_name="crawl_job")
    #: Pickled robots.txt policy (engine.robots.RobotsPolicy) the units obey.
    robots = models.BinaryField()
    #: Pickled site-level facts gathered before the crawl (sitemaps, probes, llms.txt) that the
    #: finalizer's site-wide checks read.
    site_state = models.BinaryField()
    #: URLs admitted to the frontier so far: the exact `max_pages` bound.
    admitted = models.PositiveIntegerField(default=0)
    #: Pages fetched and saved (robots.txt-blocked URLs excluded, as in the single path).
    pages_done = models.PositiveIntegerField(default=0)
    findings_error = models.PositiveIntegerField(default=0)
    findings_warning = models.PositiveIntegerField(default=0)
    findings_notice = models.PositiveIntegerField(default=0)
    #: Why discovered URLs were refused (traps, depth, max_pages), for the crawl summary.
    rejected = models.JSONField(default=dict, blank=True)
    current_url = models.TextField(blank=True, default="")
    units_run = models.PositiveIntegerField(default=0)
    finalize_started_at = models.DateTimeField(null=True, blank=True)
    finished = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"crawl job {self.audit_id}"


class CrawlURL(models.Model):
    """One URL of a distributed crawl's frontier and seen-set (unique per audit)."""

    class State(models.TextChoices):
        #: Found only in a sitemap; crawled once no linked URL is left (as the single path).
        SITEMAP = "sitemap", "Sitemap only"
        QUEUED = "queued", "Queued"
        CLAIMED = "claimed", "Claimed"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="crawl_urls",
                              db_index=False)
    url_hash = models.CharField(max_length=16)
    url = models.TextField()
    depth = models.IntegerField(default=0)
    found_on = models.TextField(blank=True, default="")
    in_sitemap = models.BooleanField(default=False)
    #: url_hash() of the path of a URL with a query string (the query-variant trap guard
    #: counts them per path); "" for URLs without a query.
    query_path_hash = models.CharField(max_length=16, blank=True, default="")
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    claimed_by = models.CharField(max_length=32, blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)
    #: Claims so far; a URL whose worker died this many times is given up (state FAILED).
    attempt = models.PositiveSmallIntegerField(default=0)
    #: The page's compact site-check record (engine.site.PageRecord.as_row()) once DONE.
    record = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["audit", "url_hash"], name="crawlurl_unique_url"),
        ]
        indexes = [
            models.Index(fields=["audit", "state", "depth", "id"], name="crawlurl_claim"),
            models.Index(fields=["audit", "query_path_hash"], name="crawlurl_query_path",
                         condition=~models.Q(query_path_hash="")),
        ]

    def __str__(self) -> str:
        return self.url
