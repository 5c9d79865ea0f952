"""AI answer visibility: the brand of a tracked site, the prompts asked about it, one answer
run per prompt, engine and day, and per-owner daily run budgets.

The site is the keywords app's TrackedSite (its host is the audits' site notion); brand
settings hang off it one-to-one so the keywords app needs no migration.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from keywords.models import TrackedSite


class VisibilityBrand(models.Model):
    """How the site's brand is recognised in an answer: its name, extra spellings and the
    domains it owns (the tracked site's host always counts)."""

    site = models.OneToOneField(TrackedSite, on_delete=models.CASCADE, related_name="ai_brand")
    brand_name = models.CharField(max_length=200, blank=True, default="")
    #: Other spellings: ["ACME", "Acme Cloud"].
    brand_variants = models.JSONField(default=list, blank=True)
    #: Owned domains besides the site's host: ["acme.io", "acme-shop.com"].
    domains = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "brand settings"
        verbose_name_plural = "brand settings"

    def __str__(self) -> str:
        return self.brand_name or self.site.host


class TrackedPrompt(models.Model):
    """A question the site's customers ask an answer engine."""

    site = models.ForeignKey(TrackedSite, on_delete=models.CASCADE, related_name="ai_prompts")
    question = models.CharField(max_length=1000)
    #: ISO 639-1 ("en"); "" = the engine's default.
    language = models.CharField(max_length=8, blank=True, default="")
    #: ISO 3166-1 alpha-2, lower case; "" = the engine's default.
    country = models.CharField(max_length=2, blank=True, default="")
    tags = models.JSONField(default=list, blank=True)
    #: [{"name": "Globex", "variants": ["Globex Corp"], "domains": ["globex.com"]}, ...]
    competitors = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["site", "question", "language", "country"],
                                               name="trackedprompt_unique_per_site")]
        indexes = [models.Index(fields=["site", "active"], name="trackedprompt_site_active")]

    def __str__(self) -> str:
        return self.question[:80]


class AnswerRun(models.Model):
    """One question asked to one engine on one day (UTC), with the answer and its analysis.
    UNIQUE (prompt, engine, run_on) makes runs idempotent per day."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        OK = "ok", "OK"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    prompt = models.ForeignKey(TrackedPrompt, on_delete=models.CASCADE, related_name="runs")
    engine = models.CharField(max_length=40)
    model = models.CharField(max_length=100, blank=True, default="")
    run_on = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    #: Machine-readable reason of a failed/skipped run ("rate_limited", "quota_exceeded",
    #: "auth_failed", "engine_error", "budget_exhausted", "no_engine_configured").
    error_code = models.CharField(max_length=40, blank=True, default="")
    error = models.TextField(blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    answer = models.TextField(blank=True, default="")
    #: [{"position", "url", "title", "domain"}, ...] in the engine's order (URLs cleaned of
    #: tracking parameters).
    citations = models.JSONField(default=list, blank=True)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=12, decimal_places=6, default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    response_id = models.CharField(max_length=200, blank=True, default="")
    # Analysis (visibility/analysis.py), filled when status is ok.
    brand_mentioned = models.BooleanField(default=False)
    brand_sentence = models.TextField(blank=True, default="")
    #: 1-based order of the brand among the brand and competitors, by first mention.
    mention_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    cited = models.BooleanField(default=False)
    cited_position = models.PositiveSmallIntegerField(null=True, blank=True)
    cited_urls = models.JSONField(default=list, blank=True)
    competitors_mentioned = models.JSONField(default=list, blank=True)
    competitors_cited = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-run_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["prompt", "engine", "run_on"],
                                               name="answerrun_prompt_engine_day")]
        indexes = [models.Index(fields=["run_on"], name="answerrun_day"),
                   models.Index(fields=["prompt", "engine", "status", "run_on"],
                                name="answerrun_prompt_engine")]

    def __str__(self) -> str:
        return f"{self.prompt_id} {self.engine} {self.run_on}: {self.status}"


class VisibilityBudget(models.Model):
    """A per-owner override of AI_VISIBILITY_MAX_RUNS_PER_DAY (staff edit it in the admin)."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="ai_visibility_budget")
    max_runs_per_day = models.PositiveIntegerField(
        help_text="Engine calls this owner may spend per day (UTC); 0 stops tracking.")
    note = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        verbose_name = "AI visibility budget"

    def __str__(self) -> str:
        return f"{self.owner}: {self.max_runs_per_day}/day"


class VisibilityUsage(models.Model):
    """Engine calls reserved by an owner on a day: the counter the budget is enforced on with
    a conditional UPDATE (runs < limit), so concurrent workers cannot overspend."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="ai_visibility_usage")
    day = models.DateField()
    runs = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["owner", "day"], name="visibilityusage_owner_day")]

    def __str__(self) -> str:
        return f"{self.owner} {self.day}: {self.runs}"
