"""Admin building blocks for big crawl tables: inlines that show a capped sample, list
filters whose choices are known without scanning the table, and a paginator that stops
counting at a cap. Used by audits/admin.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property

from .engine.checks.registry import CATEGORIES

#: Rows shown by the capped inlines on an audit's page.
INLINE_CAP = 20


class CappedFormSet(forms.BaseInlineFormSet):
    """Shows the first INLINE_CAP rows of the inline's ordering, never the whole relation."""

    def get_queryset(self) -> QuerySet[Any]:
        if not hasattr(self, "_capped"):
            self._capped = super().get_queryset()[:INLINE_CAP]
        return self._capped


class CappedInline(admin.TabularInline):
    formset = CappedFormSet
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class _ChoicesFilter(admin.SimpleListFilter):
    """A list filter whose choices are known without reading the table: Django's default for a
    plain field runs SELECT DISTINCT over every row (a full scan of millions of findings or
    pages on each list load)."""

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return self.options()

    def options(self) -> list[tuple[str, str]]:
        raise NotImplementedError

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(**{self.parameter_name: value}) if value else queryset


class CategoryFilter(_ChoicesFilter):
    title = "category"
    parameter_name = "category"

    def options(self) -> list[tuple[str, str]]:
        return sorted(CATEGORIES.items())


class StatusClassFilter(admin.SimpleListFilter):
    """HTTP status by class instead of DISTINCT over the pages table."""

    title = "HTTP status"
    parameter_name = "status_class"
    CLASSES = {"2": (200, 299), "3": (300, 399), "4": (400, 499), "5": (500, 599), "0": (0, 0)}

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return [("2", "2xx"), ("3", "3xx redirect"), ("4", "4xx"), ("5", "5xx"),
                ("0", "no response")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        bounds = self.CLASSES.get(self.value() or "")
        return queryset.filter(status__range=bounds) if bounds else queryset


class CappedCountPaginator(Paginator):
    """Counts at most `cap` rows (COUNT over a LIMITed subquery): an exact COUNT(*) of millions
    of findings costs more than the page itself, and nobody pages past page 100. Beyond the
    cap the list says "more than 10000" (templates/admin/audits/pagination.html)."""

    cap = 10_000

    @cached_property
    def count(self) -> int:
        counted = self.object_list[: self.cap + 1].count()
        self.capped = counted > self.cap
        return min(counted, self.cap)

    capped = False
