"""API representations of audits and what they found. Output only, except the create input."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from seoaudit.api.serializers import CachedFieldsMixin

from ..engine.checks.registry import CATEGORIES, GEO_COMPONENTS, REGISTRY
from ..models import Audit, Finding, Link, Page
from ..scheduling import audit_queue_position


class AuditSerializer(CachedFieldsMixin, serializers.ModelSerializer):
    options = serializers.DictField(read_only=True)
    scores = serializers.DictField(read_only=True, help_text="Score breakdown (see /score).")
    queue_position = serializers.SerializerMethodField(
        help_text="While PENDING: 1 when this is the owner's next audit to start, 2 for the one "
                  "after, ... (an owner runs SEOAUDIT_MAX_RUNNING_AUDITS_PER_OWNER at once); "
                  "null otherwise.")

    class Meta:
        model = Audit
        fields = ("id", "url", "normalized_url", "status", "options", "progress",
                  "pages_crawled", "total_pages", "seo_score", "geo_score", "scores", "error",
                  "created_at", "started_at", "finished_at", "attempts", "queue_position")
        read_only_fields = fields

    def get_queue_position(self, audit: Audit) -> int | None:
        return audit_queue_position(audit=audit)


class AuditCreateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2048, help_text="http(s) URL of the site to audit.")
    options = serializers.DictField(
        required=False, default=dict,
        help_text="max_pages, max_depth, ignore_robots, include_subdomains, use_sitemaps, include, "
                  "exclude, crawl_delay, timeout, concurrency, check_resources, "
                  "check_external_links, max_resource_checks, resource_budget_s, geo, "
                  "geo_live_check, user_agent; bounds are set by the deployment.")


class PageSerializer(CachedFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Page
        fields = ("id", "url", "final_url", "status", "depth", "content_type", "size", "ttfb_ms",
                  "elapsed_ms", "title", "description", "canonical", "indexable",
                  "indexability_reason", "word_count", "in_sitemap", "inlinks", "error", "geo_score")
        read_only_fields = fields


class PageDetailSerializer(PageSerializer):
    redirect_chain = serializers.ListField(child=serializers.DictField(), read_only=True)
    facts = serializers.DictField(read_only=True)

    class Meta(PageSerializer.Meta):
        fields = (*PageSerializer.Meta.fields, "redirect_chain", "content_hash", "facts")
        read_only_fields = fields


class LinkSerializer(CachedFieldsMixin, serializers.ModelSerializer):
    source_url = serializers.CharField(read_only=True)

    class Meta:
        model = Link
        fields = ("id", "source", "source_url", "target_url", "anchor", "rel", "nofollow",
                  "internal", "kind")
        read_only_fields = fields


class FindingSerializer(serializers.ModelSerializer):
    page_url = serializers.CharField(read_only=True, allow_null=True,
                                     help_text="Null for a site-wide finding.")
    title = serializers.SerializerMethodField()
    details = serializers.DictField(read_only=True)

    class Meta:
        model = Finding
        fields = ("id", "page", "page_url", "code", "severity", "category", "title", "details")
        read_only_fields = fields

    def get_title(self, finding: Finding) -> str:
        check = REGISTRY.get(finding.code)
        return check.title if check else finding.code

    def to_representation(self, finding: Finding | dict[str, Any]) -> dict[str, Any]:
        """The declared fields, written out by hand: this runs for every row of a findings
        page and DRF's generic field walk was most of the page's CPU. Takes the selector's
        rows (dicts) or model instances; tests compare both with the schema."""
        row = finding if isinstance(finding, dict) else {
            "id": finding.pk, "page_id": finding.page_id, "page_url": getattr(finding, "page_url", None),
            "code": finding.code, "severity": finding.severity, "category": finding.category,
            "details": finding.details}
        check = REGISTRY.get(row["code"])
        return {"id": row["id"], "page": row["page_id"], "page_url": row["page_url"], "code": row["code"],
                "severity": row["severity"], "category": row["category"],
                "title": check.title if check else row["code"], "details": row["details"]}


class FindingSummaryRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.CharField()
    category = serializers.CharField()
    title = serializers.CharField()
    count = serializers.IntegerField()


class FindingSummarySerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_severity = serializers.DictField(child=serializers.IntegerField())
    by_category = serializers.DictField(child=serializers.IntegerField())
    checks = FindingSummaryRowSerializer(many=True)


class ScoreBreakdownSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Audit.Status.choices)
    seo_score = serializers.FloatField(allow_null=True)
    geo_score = serializers.FloatField(allow_null=True)
    seo = serializers.DictField(allow_null=True, help_text="Category scores and top losses.")
    geo = serializers.DictField(allow_null=True, help_text="GEO components and top losses.")


class FindingCountsSerializer(serializers.Serializer):
    error = serializers.IntegerField()
    warning = serializers.IntegerField()
    notice = serializers.IntegerField()


class ProgressSerializer(serializers.Serializer):
    """The live-progress snapshot (docs/sse.md): what every SSE event carries."""

    audit_id = serializers.UUIDField()
    seq = serializers.IntegerField(help_text="Grows with every snapshot; the SSE event id.")
    status = serializers.ChoiceField(choices=Audit.Status.choices)
    progress = serializers.IntegerField(min_value=0, max_value=100)
    pages_crawled = serializers.IntegerField()
    total_pages = serializers.IntegerField(allow_null=True, help_text="Estimate while running.")
    current_url = serializers.CharField(allow_null=True)
    findings = FindingCountsSerializer(help_text="Findings so far by severity.")
    seo_score = serializers.FloatField(allow_null=True)
    geo_score = serializers.FloatField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    elapsed_s = serializers.FloatField(allow_null=True)
    eta_s = serializers.FloatField(allow_null=True)
    error = serializers.CharField(allow_null=True, allow_blank=True)
    url = serializers.CharField()
    updated_at = serializers.DateTimeField()


class StreamTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Pass as ?token= to the events stream.")
    expires_at = serializers.DateTimeField()
    events_url = serializers.CharField()


class CheckSerializer(serializers.Serializer):
    code = serializers.CharField()
    scope = serializers.ChoiceField(choices=["page", "site"])
    category = serializers.ChoiceField(choices=sorted(CATEGORIES))
    severity = serializers.ChoiceField(choices=["error", "warning", "notice"])
    informational = serializers.BooleanField()
    component = serializers.ChoiceField(choices=sorted(GEO_COMPONENTS), allow_null=True)
    title = serializers.CharField()
    why = serializers.CharField()
    fix = serializers.CharField()
    reference = serializers.CharField(allow_blank=True)


class SearchPageSerializer(serializers.ModelSerializer):
    audit = serializers.UUIDField(source="audit_id", read_only=True)

    class Meta:
        model = Page
        fields = ("id", "audit", "url", "title", "status")
        read_only_fields = fields


class SearchFindingSerializer(FindingSerializer):
    audit = serializers.UUIDField(source="audit_id", read_only=True)

    class Meta(FindingSerializer.Meta):
        fields = ("id", "audit", "page", "page_url", "code", "severity", "category", "title")
        read_only_fields = fields

    def to_representation(self, finding: Finding | dict[str, Any]) -> dict[str, Any]:
        return serializers.ModelSerializer.to_representation(self, finding)  # the generic walk


class SearchResultSerializer(serializers.Serializer):
    audits = AuditSerializer(many=True)
    pages = SearchPageSerializer(many=True)
    findings = SearchFindingSerializer(many=True)


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(min_length=2, max_length=200, trim_whitespace=True)
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)


