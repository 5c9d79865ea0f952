"""The one data builder every report renderer reads: `report_data_build` -> `ReportData`.

Built with a bounded number of queries whatever the audit's size: findings are aggregated per
check in the database, example URLs are capped per check with a window function, page
statistics are one aggregate. Check texts and labels are translated here (Django i18n), so the
renderers only lay the data out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.db.models import Avg, Count, F, Max, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone, translation

from audits.engine.checks.registry import CATEGORIES, GEO_COMPONENTS, REGISTRY, Check
from audits.engine.score import SEVERITY_WEIGHTS
from audits.models import Audit, Finding, Page

from .ai_fixes import AIFixesSection, ai_fixes_section
from .branding import Branding, branding_for_owner
from .comparison import AuditComparison, audit_compare
from .i18n import category_label, check_text, component_label
from .page_speed import PageSpeedSection, page_speed_section
from .summary import executive_summary

#: Example URLs listed per check in the report (the CSV has every one).
EXAMPLES_PER_CHECK = 10
#: Issues in the "top issues" table.
TOP_ISSUES = 10
#: A site-wide finding weighs as if it hit this share of the pages (docs/scoring.md uses the
#: same 10 % for category points).
SITE_WIDE_SHARE = 0.1
#: Longest llms.txt proposal printed in the report (the JSON has it whole).
PROPOSAL_CHARS = 4000
SEVERITY_ORDER = {"error": 0, "warning": 1, "notice": 2}


@dataclass(frozen=True, slots=True)
class Issue:
    """One check that raised findings: its texts (translated), counts, impact and examples."""

    code: str
    title: str
    severity: str
    category: str
    why: str
    fix: str
    reference: str
    findings: int
    #: Distinct pages affected (site-wide findings are not counted here).
    pages: int
    site_wide: int
    #: severity weight x affected pages (a site-wide finding counts as SITE_WIDE_SHARE of them).
    impact: float
    informational: bool
    examples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CategorySection:
    key: str
    label: str
    score: float | None
    findings: int
    issues: tuple[Issue, ...]


@dataclass(frozen=True, slots=True)
class GeoComponent:
    key: str
    label: str
    weight: float
    score: float | None
    findings: int
    reason: str


@dataclass(frozen=True, slots=True)
class CrawlerRow:
    token: str
    operator: str
    purpose: str
    own_group: bool
    #: One verdict per matrix URL: True = allowed.
    allowed: tuple[bool, ...]

    @property
    def blocked(self) -> int:
        return sum(1 for ok in self.allowed if not ok)


@dataclass(frozen=True, slots=True)
class GeoSection:
    score: float | None
    components: tuple[GeoComponent, ...]
    crawler_urls: tuple[str, ...]
    crawlers: tuple[CrawlerRow, ...]
    #: "present", "missing", "invalid" or "unknown" (GEO checks did not run).
    llms_txt_status: str
    llms_txt_proposal: str
    llms_txt_proposal_truncated: bool
    issues: tuple[Issue, ...]


@dataclass(frozen=True, slots=True)
class CrawlStats:
    pages: int
    html_pages: int
    ok: int
    redirects: int
    client_errors: int
    server_errors: int
    failed: int
    indexable: int
    in_sitemap: int
    avg_ttfb_ms: float | None
    avg_size_kb: float | None
    avg_words: float | None
    max_depth: int | None
    depth_counts: tuple[tuple[int, int], ...]
    elapsed_s: float | None
    robots_status: int | None
    sitemaps: tuple[dict[str, Any], ...]
    refused: tuple[tuple[str, int], ...]
    settings: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class ReportData:
    audit_id: str
    site_url: str
    host: str
    language: str
    status: str
    generated_at: datetime
    created_at: datetime
    finished_at: datetime | None
    seo_score: float | None
    geo_score: float | None
    #: Pages the scores are computed over (the audit's count); stats.pages counts every
    #: URL row recorded, which may include a few more (e.g. failed fetches).
    pages_crawled: int
    pages_with_error: int
    total_findings: int
    by_severity: dict[str, int]
    branding: Branding
    summary: tuple[str, ...]
    top_issues: tuple[Issue, ...]
    categories: tuple[CategorySection, ...]
    geo: GeoSection | None
    comparison: AuditComparison | None
    stats: CrawlStats
    examples_per_check: int
    #: None when the audit has no page-speed data (it predates the lab step).
    pagespeed: PageSpeedSection | None = None
    #: None when no AI content was generated for the audit.
    ai_fixes: AIFixesSection | None = None
    #: visibility.report.AIVisibilitySection: AI answers citing the site (None: no prompts).
    ai_visibility: Any = None


def report_data_build(*, audit: Audit, language: str = "en",
                      examples_per_check: int = EXAMPLES_PER_CHECK,
                      compare: bool = True) -> ReportData:
    """Everything a report shows for `audit`, texts in `language` ("en" or "es")."""
    with translation.override(language):
        issues = _issues(audit, examples_per_check)
        stats = _stats(audit)
        comparison = audit_compare(audit=audit) if compare else None
        ranked = sorted((i for i in issues if not i.informational),
                        key=lambda i: (-i.impact, SEVERITY_ORDER.get(i.severity, 3), i.code))
        by_severity = {"error": 0, "warning": 0, "notice": 0}
        for issue in issues:
            by_severity[issue.severity] = by_severity.get(issue.severity, 0) + issue.findings
        categories = _categories(audit, issues)
        geo = _geo(audit, issues)
        scores = audit.scores or {}
        data = ReportData(
            audit_id=str(audit.pk), site_url=audit.normalized_url,
            host=urlsplit(audit.normalized_url).netloc, language=language, status=audit.status,
            generated_at=timezone.now(), created_at=audit.created_at,
            finished_at=audit.finished_at, seo_score=audit.seo_score, geo_score=audit.geo_score,
            pages_crawled=audit.pages_crawled,
            pages_with_error=int(scores.get("pages_with_error") or 0),
            total_findings=sum(by_severity.values()), by_severity=by_severity,
            branding=branding_for_owner(owner_id=audit.owner_id), summary=(),
            top_issues=tuple(ranked[:TOP_ISSUES]), categories=categories, geo=geo,
            comparison=comparison, stats=stats, examples_per_check=examples_per_check,
            pagespeed=page_speed_section(audit=audit), ai_fixes=ai_fixes_section(audit=audit),
            ai_visibility=_ai_visibility(audit))
        return replace(data, summary=executive_summary(data))


def _ai_visibility(audit: Audit) -> Any:
    from visibility.report import report_section

    return report_section(audit=audit)


def _issues(audit: Audit, cap: int) -> list[Issue]:
    """One query for counts per check, one for the capped example URLs of every check."""
    rows = (Finding.objects.filter(audit=audit).exclude(code__startswith="engine.")
            .values("code", "severity", "category").order_by()
            .annotate(findings=Count("id"), pages=Count("page_id", distinct=True),
                      site_wide=Count("id", filter=Q(page_id__isnull=True))))
    examples: dict[str, list[str]] = {}
    if cap > 0:
        ranked = (Finding.objects.filter(audit=audit, page__isnull=False)
                  .exclude(code__startswith="engine.")
                  .annotate(rank=Window(RowNumber(), partition_by=[F("code")],
                                        order_by=[F("page_id").asc(), F("id").asc()]))
                  .filter(rank__lte=cap).order_by("code", "rank")
                  .values_list("code", "page__url"))
        for code, url in ranked:
            examples.setdefault(code, []).append(url)
    pages_scored = max(audit.pages_crawled, 1)
    issues = []
    for row in rows:
        check: Check | None = REGISTRY.get(row["code"])
        weight = SEVERITY_WEIGHTS.get(row["severity"], 0.1)
        impact = weight * (row["pages"] + row["site_wide"] * SITE_WIDE_SHARE * pages_scored)
        issues.append(Issue(
            code=row["code"], title=check_text(check, "title") if check else row["code"],
            severity=row["severity"], category=row["category"],
            why=check_text(check, "why") if check else "",
            fix=check_text(check, "fix") if check else "",
            reference=check.reference if check else "", findings=row["findings"],
            pages=row["pages"], site_wide=row["site_wide"], impact=round(impact, 2),
            informational=bool(check and check.informational),
            examples=tuple(examples.get(row["code"], ()))))
    issues.sort(key=lambda i: (SEVERITY_ORDER.get(i.severity, 3), -i.pages, i.code))
    return issues


def _categories(audit: Audit, issues: list[Issue]) -> tuple[CategorySection, ...]:
    scored = (audit.scores or {}).get("categories") or {}
    sections = []
    for key in CATEGORIES:
        if key == "geo":
            continue  # the GEO section shows these
        mine = tuple(i for i in issues if i.category == key)
        score = (scored.get(key) or {}).get("score")
        if not mine and score is None:
            continue
        sections.append(CategorySection(key, category_label(key), score, sum(i.findings for i in mine),
                                        mine))
    return tuple(sections)


def _geo(audit: Audit, issues: list[Issue]) -> GeoSection | None:
    geo_scores = (audit.scores or {}).get("geo")
    summary = audit.summary or {}
    if geo_scores is None and audit.geo_score is None:
        return None
    components = tuple(
        GeoComponent(key, component_label(key), float(part.get("weight") or 0),
                     part.get("score"),
                     int(part.get("findings") or 0), part.get("reason") or "")
        for key in GEO_COMPONENTS
        if (part := ((geo_scores or {}).get("components") or {}).get(key)) is not None)
    access = summary.get("ai_access") or {}
    urls = tuple(access.get("urls") or ())
    crawlers = tuple(
        CrawlerRow(agent["token"], agent.get("operator", ""), agent.get("purpose", ""),
                   bool(agent.get("own_group")),
                   tuple(url not in set(agent.get("blocked_urls") or ()) for url in urls))
        for agent in access.get("agents") or ())
    codes = {i.code for i in issues}
    if "seo.geo.llms_txt_missing" in codes:
        status = "missing"
    elif "seo.geo.llms_txt_invalid" in codes:
        status = "invalid"
    elif audit.geo_score is not None:
        status = "present"
    else:
        status = "unknown"
    proposal = summary.get("llms_txt_proposal") or ""
    return GeoSection(
        score=audit.geo_score, components=components, crawler_urls=urls, crawlers=crawlers,
        llms_txt_status=status, llms_txt_proposal=proposal[:PROPOSAL_CHARS],
        llms_txt_proposal_truncated=len(proposal) > PROPOSAL_CHARS,
        issues=tuple(i for i in issues if i.category == "geo"))


def _stats(audit: Audit) -> CrawlStats:
    """One aggregate over the pages and one GROUP BY depth."""
    pages = Page.objects.filter(audit=audit)
    agg = pages.aggregate(
        pages=Count("id"), html=Count("id", filter=Q(content_type__icontains="html")),
        ok=Count("id", filter=Q(status__gte=200, status__lt=300)),
        redirects=Count("id", filter=Q(status__gte=300, status__lt=400)),
        client=Count("id", filter=Q(status__gte=400, status__lt=500)),
        server=Count("id", filter=Q(status__gte=500)), failed=Count("id", filter=Q(status=0)),
        indexable=Count("id", filter=Q(indexable=True)),
        in_sitemap=Count("id", filter=Q(in_sitemap=True)),
        ttfb=Avg("ttfb_ms", filter=Q(status__gt=0)), size=Avg("size", filter=Q(status=200)),
        words=Avg("word_count", filter=Q(status=200, content_type__icontains="html")),
        max_depth=Max("depth"))
    depths = tuple(pages.values("depth").order_by("depth").annotate(n=Count("id"))
                   .values_list("depth", "n"))
    summary = audit.summary or {}
    robots = summary.get("robots") or {}
    refused = summary.get("refused_urls") or {}
    return CrawlStats(
        pages=agg["pages"], html_pages=agg["html"], ok=agg["ok"], redirects=agg["redirects"],
        client_errors=agg["client"], server_errors=agg["server"], failed=agg["failed"],
        indexable=agg["indexable"], in_sitemap=agg["in_sitemap"],
        avg_ttfb_ms=round(agg["ttfb"], 1) if agg["ttfb"] is not None else None,
        avg_size_kb=round(agg["size"] / 1024, 1) if agg["size"] is not None else None,
        avg_words=round(agg["words"]) if agg["words"] is not None else None,
        max_depth=agg["max_depth"], depth_counts=depths, elapsed_s=summary.get("elapsed_s"),
        robots_status=robots.get("status"),
        sitemaps=tuple(summary.get("sitemaps") or ())[:20],
        refused=tuple(sorted((str(k), int(v)) for k, v in refused.items()
                             if isinstance(v, int))),
        settings=tuple(sorted((str(k), _setting(v)) for k, v in (audit.options or {}).items())))


def _setting(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "-"
    return str(value)
