"""API representations of the owner analytics (output only, except the compare query)."""

from __future__ import annotations

from rest_framework import serializers


class SiteSerializer(serializers.Serializer):
    site = serializers.CharField(help_text="Host of the audited URL (any scheme or port).")
    audits = serializers.IntegerField(help_text="Audits of this site, any status.")
    running = serializers.IntegerField(help_text="Pending or running audits.")
    completed = serializers.IntegerField()
    last_audit_at = serializers.DateTimeField()


class TrendPointSerializer(serializers.Serializer):
    audit_id = serializers.UUIDField()
    url = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    pages_crawled = serializers.IntegerField()
    seo_score = serializers.FloatField(allow_null=True)
    geo_score = serializers.FloatField(allow_null=True)
    errors = serializers.IntegerField()
    warnings = serializers.IntegerField()
    notices = serializers.IntegerField()
    findings = serializers.IntegerField()


class SiteTrendSerializer(serializers.Serializer):
    site = serializers.CharField()
    points = TrendPointSerializer(many=True, help_text="Completed audits, oldest first.")


class PortfolioSiteSerializer(serializers.Serializer):
    site = serializers.CharField()
    audits = serializers.IntegerField()
    running = serializers.IntegerField()
    last_audit_at = serializers.DateTimeField()
    latest = TrendPointSerializer(allow_null=True, help_text="Newest completed audit.")
    previous = TrendPointSerializer(allow_null=True, help_text="The completed audit before it.")
    seo_change = serializers.FloatField(allow_null=True, help_text="latest - previous SEO score.")
    geo_change = serializers.FloatField(allow_null=True, help_text="latest - previous GEO score.")
    errors_change = serializers.IntegerField(allow_null=True,
                                             help_text="latest - previous error findings.")


class PortfolioSerializer(serializers.Serializer):
    sites = PortfolioSiteSerializer(many=True)
    totals = serializers.DictField(child=serializers.IntegerField(),
                                   help_text="sites, audits, running.")


class CompareQuerySerializer(serializers.Serializer):
    audit = serializers.UUIDField(help_text="The newer audit.")
    previous = serializers.UUIDField(required=False, allow_null=True,
                                     help_text="The older audit; default: the completed audit of "
                                               "the same site finished before `audit`.")


class CheckDeltaSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    severity = serializers.CharField()
    category = serializers.CharField()
    new = serializers.IntegerField()
    fixed = serializers.IntegerField()
    persisting = serializers.IntegerField()


class IssueExampleSerializer(serializers.Serializer):
    code = serializers.CharField()
    url = serializers.CharField(help_text="Page URL; empty for a site-wide issue.")


class ComparisonSerializer(serializers.Serializer):
    audit_id = serializers.UUIDField()
    previous_id = serializers.UUIDField(allow_null=True,
                                        help_text="null: no earlier audit to compare with.")
    previous_finished_at = serializers.DateTimeField(allow_null=True)
    seo_score = serializers.FloatField(allow_null=True)
    previous_seo_score = serializers.FloatField(allow_null=True)
    seo_change = serializers.FloatField(allow_null=True)
    geo_score = serializers.FloatField(allow_null=True)
    previous_geo_score = serializers.FloatField(allow_null=True)
    geo_change = serializers.FloatField(allow_null=True)
    new = serializers.IntegerField(help_text="Issues (check + page + evidence) not in `previous`.")
    fixed = serializers.IntegerField(help_text="Issues of `previous` gone from `audit`.")
    persisting = serializers.IntegerField()
    checks = CheckDeltaSerializer(many=True)
    new_examples = IssueExampleSerializer(many=True)
    fixed_examples = IssueExampleSerializer(many=True)
