"""Tracked sites, their keywords and keyword groups, and one rank check per keyword and day.

A tracked site is the audits' site notion: a host (the host of an audit's normalized URL),
owned by one user. Rank checks keep the SERP compactly: the first results as
`[position, url, title]` rows and every position where the site itself ranked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TrackedSite(models.Model):
    class Reaudit(models.TextChoices):
        NEVER = "never", "Never"
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="tracked_sites")
    #: The start URL re-audits use; its host is the site.
    url = models.CharField(max_length=2048)
    #: Lower-case host without a leading "www." (audits.selectors.audit_filter_by_site reads it).
    host = models.CharField(max_length=255)
    name = models.CharField(max_length=200, blank=True, default="")
    #: Re-audit schedule, run by Celery beat (a django-celery-beat PeriodicTask per site).
    reaudit = models.CharField(max_length=6, choices=Reaudit.choices, default=Reaudit.NEVER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["owner", "host"], name="trackedsite_owner_host")]

    def __str__(self) -> str:
        return self.name or self.host


class KeywordGroup(models.Model):
    site = models.ForeignKey(TrackedSite, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="keywordgroup_site_name")]

    def __str__(self) -> str:
        return self.name


class Keyword(models.Model):
    class Device(models.TextChoices):
        DESKTOP = "desktop", "Desktop"
        MOBILE = "mobile", "Mobile"

    site = models.ForeignKey(TrackedSite, on_delete=models.CASCADE, related_name="keywords")
    group = models.ForeignKey(KeywordGroup, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="keywords")
    phrase = models.CharField(max_length=300)
    search_engine = models.CharField(max_length=20, default="google")
    #: ISO 3166-1 alpha-2, lower case ("us"); "" = provider default.
    country = models.CharField(max_length=2, blank=True, default="")
    #: ISO 639-1 ("en"); "" = provider default.
    language = models.CharField(max_length=8, blank=True, default="")
    device = models.CharField(max_length=7, choices=Device.choices, default=Device.DESKTOP)
    tags = models.JSONField(default=list, blank=True)
    target_url = models.CharField(max_length=2048, blank=True, default="")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(
            fields=["site", "phrase", "search_engine", "country", "language", "device"],
            name="keyword_unique_per_site")]
        indexes = [models.Index(fields=["site", "active"], name="keyword_site_active")]

    def __str__(self) -> str:
        return self.phrase


class RankCheck(models.Model):
    keyword = models.ForeignKey(Keyword, on_delete=models.CASCADE, related_name="checks")
    checked_on = models.DateField()
    #: 1-based organic position of the site's best URL; None = not in the top `depth`.
    position = models.PositiveSmallIntegerField(null=True, blank=True)
    depth = models.PositiveSmallIntegerField(default=100)
    ranking_url = models.TextField(blank=True, default="")
    #: SERP features seen: "answer_box", "knowledge_graph", "people_also_ask", ...
    serp_features = models.JSONField(default=list, blank=True)
    provider = models.CharField(max_length=20)
    #: [[position, url, title], ...] for the first results (SERP_KEEP_RESULTS).
    top_results = models.JSONField(default=list, blank=True)
    #: [[position, url], ...] every position of the site's own URLs (cannibalisation).
    site_results = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_on"]
        constraints = [models.UniqueConstraint(fields=["keyword", "checked_on"],
                                               name="rankcheck_keyword_day")]
        indexes = [models.Index(fields=["checked_on"], name="rankcheck_day")]

    def __str__(self) -> str:
        return f"{self.keyword_id} {self.checked_on}: {self.position}"
