"""Audit reads for views, API, CLI and reports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from .engine.checks.registry import REGISTRY
from .models import Audit, Finding, Link, Page, url_hash
from .progress import progress_snapshot


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


# --- API reads -----------------------------------------------------------------------------

def audit_filter_by_site(queryset: QuerySet[Audit], *, host: str) -> QuerySet[Audit]:
    """Audits of one site: the host of the normalized URL, any scheme or port."""
    host = host.strip().rstrip(".").lower()
    query = Q()
    for scheme in ("http", "https"):
        query |= Q(normalized_url__startswith=f"{scheme}://{host}/")
        query |= Q(normalized_url__startswith=f"{scheme}://{host}:")
    return queryset.filter(query)


def page_list_for_audit(*, audit: Audit) -> QuerySet[Page]:
    return Page.objects.filter(audit=audit)


def page_filter_by_url(queryset: QuerySet[Page], *, url: str) -> QuerySet[Page]:
    """Exact URL match through the short indexed hash."""
    return queryset.filter(url_hash=url_hash(url), url=url)


def link_list_for_audit(*, audit: Audit) -> QuerySet[Link]:
    return Link.objects.filter(audit=audit).annotate(source_url=F("source__url"))


def finding_list_for_audit(*, audit: Audit) -> QuerySet[Finding]:
    """Findings with their page URL (None for site-wide findings), without loading pages."""
    return Finding.objects.filter(audit=audit).annotate(page_url=F("page__url"))


def finding_filter_by_page_url(queryset: QuerySet[Finding], *, url: str) -> QuerySet[Finding]:
    return queryset.filter(page__url_hash=url_hash(url), page__url=url)


def finding_summary_for_audit(*, audit: Audit) -> dict[str, Any]:
    """Totals by severity and category, and one row per check (finding_summary)."""
    checks = finding_summary(audit=audit)
    by_severity = {"error": 0, "warning": 0, "notice": 0}
    by_category: dict[str, int] = {}
    for row in checks:
        by_severity[row["severity"]] = by_severity.get(row["severity"], 0) + row["count"]
        by_category[row["category"]] = by_category.get(row["category"], 0) + row["count"]
    return {"total": sum(by_severity.values()), "by_severity": by_severity,
            "by_category": by_category, "checks": checks}


def audit_score_breakdown(*, audit: Audit) -> dict[str, Any]:
    """The SEO and GEO scores with every point explained (docs/scoring.md); nulls until the
    audit has finished."""
    scores = dict(audit.scores or {})
    geo = scores.pop("geo", None)
    return {"status": audit.status, "seo_score": audit.seo_score, "geo_score": audit.geo_score,
            "seo": scores or None, "geo": geo}


def audit_progress(*, audit: Audit) -> dict[str, Any]:
    """The live-progress snapshot the SSE stream sends (audits/progress.py), plus the
    audit's heartbeat `updated_at`."""
    return {**progress_snapshot(audit), "updated_at": audit.updated_at}


def search_for_user(*, user: Any, q: str, limit: int = 20) -> dict[str, list[Any]]:
    """The caller's audits (URL), pages (URL, title) and findings (check code or title)
    matching `q`, newest audits first, at most `limit` of each."""
    audits = audit_list_for_user(user=user)
    matching_codes = [code for code, check in REGISTRY.items()
                      if q.lower() in code.lower() or q.lower() in check.title.lower()]
    pages = (Page.objects.filter(audit__owner=user)
             .filter(Q(url__icontains=q) | Q(title__icontains=q))
             .order_by("-audit__created_at", "id")
             .only("id", "audit_id", "url", "title", "status"))
    findings = (finding_list_for_audit_owner(user=user)
                .filter(code__in=matching_codes).order_by("-audit__created_at", "id"))
    return {"audits": list(audits.filter(normalized_url__icontains=q)[:limit]),
            "pages": list(pages[:limit]), "findings": list(findings[:limit])}


def finding_list_for_audit_owner(*, user: Any) -> QuerySet[Finding]:
    return Finding.objects.filter(audit__owner=user).annotate(page_url=F("page__url"))
