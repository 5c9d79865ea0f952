"""API representations of tracked sites, keywords, groups and rank checks."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ..models import Keyword, KeywordGroup, RankCheck, TrackedSite


class _OwnedField(serializers.PrimaryKeyRelatedField):
    """A foreign key limited to the caller's objects: another user's id is 'does not exist'."""

    def __init__(self, *, owner_path: str, **kwargs: Any) -> None:
        self.owner_path = owner_path
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        model = self.queryset.model
        if request is None or not request.user.is_authenticated:
            return model.objects.none()
        return model.objects.filter(**{self.owner_path: request.user})


class TrackedSiteSerializer(serializers.ModelSerializer):
    keyword_count = serializers.IntegerField(read_only=True, required=False)

    class Meta:
        model = TrackedSite
        fields = ("id", "url", "host", "name", "reaudit", "created_at", "keyword_count")
        read_only_fields = ("id", "host", "created_at", "keyword_count")
        extra_kwargs = {"url": {"help_text": "The site's start URL; its host is the site."}}


class TrackedSiteUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    reaudit = serializers.ChoiceField(choices=TrackedSite.Reaudit.choices, required=False)


class KeywordGroupSerializer(serializers.ModelSerializer):
    site = _OwnedField(owner_path="owner", queryset=TrackedSite.objects.all())

    class Meta:
        model = KeywordGroup
        fields = ("id", "site", "name", "created_at")
        read_only_fields = ("id", "created_at")
        validators: list[Any] = []  # an existing group is returned, not refused


class KeywordSerializer(serializers.ModelSerializer):
    site = _OwnedField(owner_path="owner", queryset=TrackedSite.objects.all())
    group = _OwnedField(owner_path="site__owner", queryset=KeywordGroup.objects.all(),
                        required=False, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False,
                                 max_length=50)

    class Meta:
        model = Keyword
        fields = ("id", "site", "phrase", "search_engine", "country", "language", "device", "tags",
                  "target_url", "group", "active", "created_at")
        read_only_fields = ("id", "created_at")
        validators: list[Any] = []  # an existing keyword is returned (200), not refused

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from ..services import keyword_row_validate

        site = attrs.get("site") or getattr(self.instance, "site", None)
        group = attrs.get("group")
        if group is not None and site is not None and group.site_id != site.pk:
            raise serializers.ValidationError({"group": ["belongs to another site"]})
        if self.instance is None:
            _clean, errors = keyword_row_validate({**attrs, "group": ""})
            if errors:
                raise serializers.ValidationError(errors)
        return attrs


class KeywordUpdateSerializer(serializers.Serializer):
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False,
                                 max_length=50)
    target_url = serializers.URLField(max_length=2048, required=False, allow_blank=True)
    group = _OwnedField(owner_path="site__owner", queryset=KeywordGroup.objects.all(),
                        required=False, allow_null=True)
    active = serializers.BooleanField(required=False)


class KeywordImportSerializer(serializers.Serializer):
    site = _OwnedField(owner_path="owner", queryset=TrackedSite.objects.all())
    csv = serializers.CharField(max_length=5_000_000, trim_whitespace=False,
                                help_text="CSV text with a header row: phrase (required), country, "
                                          "language, device, search_engine, tags (a|b), "
                                          "target_url, group.")


class ImportRowErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class KeywordImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    existing = serializers.IntegerField()
    errors = ImportRowErrorSerializer(many=True)
    ignored_columns = serializers.ListField(child=serializers.CharField())


class RankCheckSerializer(serializers.ModelSerializer):
    top_results = serializers.ListField(child=serializers.ListField(), read_only=True)
    site_results = serializers.ListField(child=serializers.ListField(), read_only=True)
    serp_features = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = RankCheck
        fields = ("id", "keyword", "checked_on", "position", "depth", "ranking_url", "serp_features",
                  "provider", "top_results", "site_results", "created_at")
        read_only_fields = fields


class HistoryPointSerializer(serializers.Serializer):
    checked_on = serializers.DateField()
    position = serializers.IntegerField(allow_null=True)
    depth = serializers.IntegerField()
    ranking_url = serializers.CharField()


class LatestPositionSerializer(serializers.Serializer):
    keyword_id = serializers.IntegerField()
    phrase = serializers.CharField()
    country = serializers.CharField()
    language = serializers.CharField()
    device = serializers.CharField()
    group = serializers.CharField(allow_null=True)
    checked_on = serializers.DateField(allow_null=True)
    position = serializers.IntegerField(allow_null=True)
    depth = serializers.IntegerField(allow_null=True)
    ranking_url = serializers.CharField()
    serp_features = serializers.ListField(child=serializers.CharField())


class SinceSerializer(serializers.Serializer):
    since = serializers.DateField(required=False)


class RunSerializer(serializers.Serializer):
    site = _OwnedField(owner_path="owner", queryset=TrackedSite.objects.all(), required=False)
    keywords = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**62),
                                     required=False, max_length=1000)


class ProviderStatusSerializer(serializers.Serializer):
    configured = serializers.BooleanField()
    message = serializers.CharField()


class SuggestionQuerySerializer(serializers.Serializer):
    site = serializers.IntegerField(min_value=1, max_value=2**62)
    seed = serializers.CharField(max_length=300, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=200, default=30)
    serp = serializers.BooleanField(default=True, help_text="Ask the SERP provider for related searches.")
