"""Audit reads for views, API, CLI and reports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Count, QuerySet

from .engine.checks.registry import REGISTRY
from .models import Audit, Finding, Link, Page


def audit_list_for_user(*, user: Any) -> QuerySet[Audit]:
    return Audit.objects.filter(owner=user)


def audit_get_for_user(*, user: Any, audit_id: Any) -> Audit:
    """Another user's audit does not exist for this user (Audit.DoesNotExist -> 404)."""
    return Audit.objects.get(owner=user, pk=audit_id)


def finding_summary(*, audit: Audit) -> list[dict[str, Any]]:
    """Findings grouped by check: code, severity, category, title and how many."""
    rows = (Finding.objects.filter(audit=audit).values("code", "severity", "category")
            .annotate(count=Count("id")).order_by())
    order = {"error": 0, "warning": 1, "notice": 2}
    result = []
    for row in rows:
        check = REGISTRY.get(row["code"])
        result.append({**row, "title": check.title if check else row["code"]})
    result.sort(key=lambda r: (order.get(r["severity"], 3), -r["count"], r["code"]))
    return result


def finding_iter(*, audit: Audit) -> Iterator[dict[str, Any]]:
    """Every finding of an audit with its page URL, streamed (bounded memory)."""
    queryset = (Finding.objects.filter(audit=audit).order_by("id")
                .values_list("code", "severity", "category", "page__url", "details"))
    for code, severity, category, url, details in queryset.iterator(chunk_size=2000):
        check = REGISTRY.get(code)
        yield {"url": url, "code": code, "severity": severity, "category": category,
               "title": check.title if check else code, "details": details}


def link_target_page(link: Link) -> Page | None:
    """The crawled page a link points to (same audit, same URL hash), None when not crawled."""
    return Page.objects.filter(audit_id=link.audit_id, url_hash=link.target_hash).first()
