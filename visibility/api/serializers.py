"""API representations of AI visibility: brand settings, prompts, runs, metrics, budget."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from keywords.api.serializers import KeywordImportResultSerializer, _OwnedField
from keywords.models import TrackedSite

from ..models import AnswerRun, TrackedPrompt


class CompetitorSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
    variants = serializers.ListField(child=serializers.CharField(max_length=200), required=False,
                                     max_length=10, default=list)
    domains = serializers.ListField(child=serializers.CharField(max_length=253), required=False,
                                    max_length=10, default=list)


class VisibilitySiteSerializer(serializers.Serializer):
    """A tracked site (keywords app) with its brand settings."""

    id = serializers.IntegerField(read_only=True)
    host = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    brand_name = serializers.SerializerMethodField()
    brand_variants = serializers.SerializerMethodField()
    domains = serializers.SerializerMethodField(help_text="Owned domains besides the site's host.")
    prompt_count = serializers.IntegerField(read_only=True, required=False)

    def _brand(self, site: TrackedSite) -> Any:
        return getattr(site, "ai_brand", None) if hasattr(site, "ai_brand") else None

    def get_brand_name(self, site: TrackedSite) -> str:
        brand = self._brand(site)
        return brand.brand_name if brand else ""

    def get_brand_variants(self, site: TrackedSite) -> list[str]:
        brand = self._brand(site)
        return list(brand.brand_variants) if brand else []

    def get_domains(self, site: TrackedSite) -> list[str]:
        brand = self._brand(site)
        return list(brand.domains) if brand else []


class BrandUpdateSerializer(serializers.Serializer):
    brand_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    brand_variants = serializers.ListField(child=serializers.CharField(max_length=200), required=False,
                                           max_length=10)
    domains = serializers.ListField(child=serializers.CharField(max_length=2048), required=False,
                                    max_length=10)


class PromptSerializer(serializers.ModelSerializer):
    site = _OwnedField(owner_path="owner", queryset=TrackedSite.objects.all())
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False, max_length=50)
    competitors = CompetitorSerializer(many=True, required=False)

    class Meta:
        model = TrackedPrompt
        fields = ("id", "site", "question", "language", "country", "tags", "competitors", "active",
                  "created_at")
        read_only_fields = ("id", "created_at")
        validators: list[Any] = []  # an existing prompt is returned (200), not refused

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from ..services import prompt_row_validate

        clean, errors = prompt_row_validate(attrs)
        if errors:
            raise serializers.ValidationError(errors)
        return {**clean, "site": attrs["site"]}


class PromptUpdateSerializer(serializers.Serializer):
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False, max_length=50)
    competitors = CompetitorSerializer(many=True, required=False)
    active = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from ..services import competitors_validate

        if "competitors" in attrs:
            errors: dict[str, list[str]] = {}
            attrs["competitors"] = competitors_validate(attrs["competitors"], errors)
            if errors:
                raise serializers.ValidationError(errors)
        return attrs


class PromptImportSerializer(serializers.Serializer):
    site = _OwnedField(owner_path="owner", queryset=TrackedSite.objects.all())
    csv = serializers.CharField(max_length=5_000_000, trim_whitespace=False,
                                help_text="CSV text with a header row: question (required), language, "
                                          "country, tags (a|b), competitors (Name:domain,domain|Name), "
                                          "active (true/false).")


class PromptImportResultSerializer(KeywordImportResultSerializer):
    """The keyword import's answer: created, existing, errors by line, ignored columns."""


class CitationSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    url = serializers.CharField()
    title = serializers.CharField()
    domain = serializers.CharField()


class RunSerializer(serializers.ModelSerializer):
    site = serializers.IntegerField(source="prompt.site_id", read_only=True)
    question = serializers.CharField(source="prompt.question", read_only=True)
    citations = CitationSerializer(many=True, read_only=True)
    cited_urls = serializers.ListField(child=serializers.CharField(), read_only=True)
    competitors_mentioned = serializers.ListField(child=serializers.CharField(), read_only=True)
    competitors_cited = serializers.ListField(child=serializers.CharField(), read_only=True)
    cost_usd = serializers.DecimalField(max_digits=12, decimal_places=6, coerce_to_string=True,
                                        read_only=True)

    class Meta:
        model = AnswerRun
        fields = ("id", "prompt", "site", "question", "engine", "model", "run_on", "status",
                  "error_code", "error", "attempts", "brand_mentioned", "brand_sentence",
                  "mention_rank", "cited", "cited_position", "cited_urls", "competitors_mentioned",
                  "competitors_cited", "citations", "answer", "input_tokens", "output_tokens",
                  "cost_usd", "latency_ms", "response_id", "created_at", "updated_at")
        read_only_fields = fields


class RunListSerializer(RunSerializer):
    """Runs in lists: without the answer text and the citation list (see the detail)."""

    class Meta(RunSerializer.Meta):
        fields = tuple(f for f in RunSerializer.Meta.fields if f not in ("answer", "citations"))
        read_only_fields = fields


class RunFilterSerializer(serializers.Serializer):
    prompt = serializers.IntegerField(min_value=1, max_value=2**62, required=False)
    site = serializers.IntegerField(min_value=1, max_value=2**62, required=False)
    engine = serializers.CharField(max_length=40, required=False)
    status = serializers.ChoiceField(choices=AnswerRun.Status.choices, required=False)
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)


class PromptFilterSerializer(serializers.Serializer):
    site = serializers.IntegerField(min_value=1, max_value=2**62, required=False)
    tag = serializers.CharField(max_length=50, required=False)
    active = serializers.BooleanField(required=False, allow_null=True, default=None)
    search = serializers.CharField(max_length=200, required=False)


class MetricsQuerySerializer(serializers.Serializer):
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)
    engine = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from django.utils import timezone

        since, until = attrs.get("since"), attrs.get("until") or timezone.now().date()
        if since and since > until:
            raise serializers.ValidationError({"since": ["must not be after until (default: today)"]})
        if since and (until - since).days > 366:
            raise serializers.ValidationError({"since": ["the period is at most 366 days"]})
        return attrs


class RunNowSerializer(serializers.Serializer):
    engines = serializers.ListField(child=serializers.CharField(max_length=40), required=False,
                                    max_length=10, help_text="Default: every configured engine.")


class BudgetSerializer(serializers.Serializer):
    day = serializers.DateField()
    limit = serializers.IntegerField()
    used = serializers.IntegerField()
    remaining = serializers.IntegerField()
    custom = serializers.BooleanField(help_text="True when staff set this owner's own limit.")
    resets_at = serializers.DateTimeField()


class EngineStatusSerializer(serializers.Serializer):
    configured = serializers.BooleanField()
    engines = serializers.ListField(child=serializers.CharField())
    message = serializers.CharField()
    budget = BudgetSerializer()
