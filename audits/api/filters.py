"""Query filters (django-filter): invalid values answer 400 in the error shape."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .. import selectors
from ..engine.checks.registry import CATEGORIES
from ..models import Audit, Finding, Link, Page


class _UtcDateTimeField(IsoDateTimeField):
    """ISO 8601 date-time converted to UTC here: databases refuse some offsets Python accepts
    (PostgreSQL: beyond ±15:59), and a date at the edge of the calendar may not convert."""

    def clean(self, value: Any) -> Any:
        parsed = super().clean(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC)
        except (OverflowError, ValueError) as exc:
            raise forms.ValidationError("date-time out of range", code="invalid") from exc


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = _UtcDateTimeField


class AuditFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Audit.Status.choices)
    site = django_filters.CharFilter(method="filter_site", max_length=253,
                                     help_text="Host name, e.g. example.com (any scheme or port).")
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Audit
        fields = ("status", "site", "created_after", "created_before")

    @extend_schema_field(OpenApiTypes.STR)
    def filter_site(self, queryset: QuerySet[Audit], name: str, value: Any) -> QuerySet[Audit]:
        return selectors.audit_filter_by_site(queryset, host=value) if value else queryset


class PageFilter(django_filters.FilterSet):
    status = django_filters.NumberFilter(min_value=0, max_value=999)
    indexable = django_filters.BooleanFilter()
    in_sitemap = django_filters.BooleanFilter()
    url = django_filters.CharFilter(method="filter_url", max_length=2048, help_text="Exact URL.")

    class Meta:
        model = Page
        fields = ("status", "indexable", "in_sitemap", "url")

    @extend_schema_field(OpenApiTypes.STR)
    def filter_url(self, queryset: QuerySet[Page], name: str, value: Any) -> QuerySet[Page]:
        return selectors.page_filter_by_url(queryset, url=value) if value else queryset


class LinkFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Link.Kind.choices)
    internal = django_filters.BooleanFilter()
    nofollow = django_filters.BooleanFilter()
    source = django_filters.NumberFilter(field_name="source_id", min_value=1,
                                         max_value=2**63 - 1, help_text="Source page id.")

    class Meta:
        model = Link
        fields = ("kind", "internal", "nofollow", "source")


class FindingFilter(django_filters.FilterSet):
    severity = django_filters.MultipleChoiceFilter(choices=Finding.Severity.choices)
    category = django_filters.MultipleChoiceFilter(choices=sorted(CATEGORIES.items()))
    code = django_filters.CharFilter(max_length=100, help_text="Exact check code.")
    page_url = django_filters.CharFilter(method="filter_page_url", max_length=2048,
                                         help_text="Exact page URL.")
    site_wide = django_filters.BooleanFilter(field_name="page", lookup_expr="isnull",
                                             help_text="Only site-wide (true) or page (false) findings.")

    class Meta:
        model = Finding
        fields = ("severity", "category", "code", "page_url", "site_wide")

    @extend_schema_field(OpenApiTypes.STR)
    def filter_page_url(self, queryset: QuerySet[Finding], name: str, value: Any) -> QuerySet[Finding]:
        return selectors.finding_filter_by_page_url(queryset, url=value) if value else queryset
