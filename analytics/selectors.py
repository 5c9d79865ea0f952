"""Owner analytics reads: the sites an owner audits, each site's trend across audits, the
portfolio overview and audit-to-audit comparison.

A *site* is the host of an audit's normalized URL, any scheme or port — the same notion as the
audits API's `?site=` filter (`audits.selectors.audit_filter_by_site`). The host is computed in
SQL, so grouping by site stays one query however many audits an owner has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber, StrIndex, Substr

from audits import selectors as audit_selectors
from audits.models import Audit, Finding
from reports.comparison import AuditComparison, audit_compare

SEVERITIES = ("error", "warning", "notice")
#: Trend points returned at most (the newest audits of the site).
TREND_LIMIT = 200


def annotate_site(queryset: QuerySet[Audit]) -> QuerySet[Audit]:
    """Annotate `site`: the host of normalized_url without scheme, port or path, in SQL.

    normalized_url always has a scheme and a path ("https://host[:port]/..."), so the host is
    what lies between "://" and the next "/", cut at ":" (or after "]" for an IPv6 literal).
    """
    rest = Substr("normalized_url", StrIndex("normalized_url", Value("://")) + 3)
    queryset = queryset.annotate(_rest=rest).annotate(
        _hostport=Substr("_rest", 1, StrIndex("_rest", Value("/")) - 1))
    return queryset.annotate(site=Case(
        When(_hostport__startswith="[",
             then=Substr("_hostport", 1, StrIndex("_hostport", Value("]")))),
        When(_hostport__contains=":",
             then=Substr("_hostport", 1, StrIndex("_hostport", Value(":")) - 1)),
        default=F("_hostport")))


def site_list_for_user(*, user: Any) -> list[dict[str, Any]]:
    """The owner's sites with how many audits each has, how many are running and when the
    last one was created; most recently audited first. One grouped query."""
    rows = (annotate_site(audit_selectors.audit_list_for_user(user=user)).order_by()
            .values("site")
            .annotate(audits=Count("id"),
                      running=Count("id", filter=Q(status__in=Audit.ACTIVE_STATUSES)),
                      completed=Count("id", filter=Q(status=Audit.Status.COMPLETED)),
                      last_audit_at=Max("created_at")))
    return sorted(rows, key=lambda r: (r["last_audit_at"], r["site"]), reverse=True)


def _severity_counts(audit_ids: list[Any]) -> dict[Any, dict[str, int]]:
    """{audit_id: {"error": n, "warning": n, "notice": n}} in one grouped query."""
    counts: dict[Any, dict[str, int]] = {pk: dict.fromkeys(SEVERITIES, 0) for pk in audit_ids}
    if not audit_ids:
        return counts
    rows = (Finding.objects.filter(audit_id__in=audit_ids).order_by()
            .values_list("audit_id", "severity").annotate(n=Count("id")))
    for audit_id, severity, n in rows:
        counts[audit_id][severity] = n
    return counts


def _point(audit: Audit, counts: dict[str, int]) -> dict[str, Any]:
    return {"audit_id": audit.pk, "url": audit.url, "status": audit.status,
            "created_at": audit.created_at, "finished_at": audit.finished_at,
            "pages_crawled": audit.pages_crawled, "seo_score": audit.seo_score,
            "geo_score": audit.geo_score, "errors": counts["error"],
            "warnings": counts["warning"], "notices": counts["notice"],
            "findings": sum(counts.values())}


def site_trend(*, user: Any, site: str, limit: int = TREND_LIMIT) -> list[dict[str, Any]]:
    """Scores and issue counts of the site's completed audits, oldest first (the newest
    `limit`). Raises Audit.DoesNotExist when the owner has no audit of that site (-> 404)."""
    site = site.strip().rstrip(".").lower()
    audits = annotate_site(audit_selectors.audit_list_for_user(user=user)).filter(site=site)
    if not audits.exists():
        raise Audit.DoesNotExist(f"no audit of {site}")
    done = list(audits.filter(status=Audit.Status.COMPLETED)
                .only("id", "url", "status", "created_at", "finished_at", "pages_crawled",
                      "seo_score", "geo_score")
                .order_by("-finished_at", "-created_at")[:limit])
    done.reverse()
    counts = _severity_counts([a.pk for a in done])
    return [_point(audit, counts[audit.pk]) for audit in done]


@dataclass(frozen=True, slots=True)
class PortfolioSite:
    site: str
    audits: int
    running: int
    last_audit_at: datetime
    latest: dict[str, Any] | None
    previous: dict[str, Any] | None

    def change(self, key: str) -> float | int | None:
        """Latest minus previous completed audit for `key` (None without both values)."""
        if not self.latest or not self.previous:
            return None
        new, old = self.latest.get(key), self.previous.get(key)
        if new is None or old is None:
            return None
        return round(new - old, 1) if isinstance(new, float) or isinstance(old, float) else new - old

    def as_dict(self) -> dict[str, Any]:
        return {"site": self.site, "audits": self.audits, "running": self.running,
                "last_audit_at": self.last_audit_at, "latest": self.latest,
                "previous": self.previous, "seo_change": self.change("seo_score"),
                "geo_change": self.change("geo_score"), "errors_change": self.change("errors")}


def portfolio_for_user(*, user: Any) -> list[PortfolioSite]:
    """Every site of the owner: latest completed audit's scores and issue counts, the change
    since the completed audit before it, audits running. Three queries whatever the number of
    sites: the grouped site list, the two newest completed audits per site (a window
    function), and their finding counts."""
    sites = site_list_for_user(user=user)
    ranked = (annotate_site(audit_selectors.audit_list_for_user(user=user))
              .filter(status=Audit.Status.COMPLETED)
              .annotate(rank=Window(RowNumber(), partition_by=[F("site")],
                                    order_by=[F("finished_at").desc(nulls_last=True),
                                              F("created_at").desc()]))
              .filter(rank__lte=2)
              .only("id", "url", "status", "created_at", "finished_at", "pages_crawled",
                    "seo_score", "geo_score"))
    recent = list(ranked)
    counts = _severity_counts([a.pk for a in recent])
    by_site: dict[str, dict[int, dict[str, Any]]] = {}
    for audit in recent:
        by_site.setdefault(audit.site, {})[audit.rank] = _point(audit, counts[audit.pk])
    return [PortfolioSite(site=row["site"], audits=row["audits"], running=row["running"],
                          last_audit_at=row["last_audit_at"],
                          latest=by_site.get(row["site"], {}).get(1),
                          previous=by_site.get(row["site"], {}).get(2))
            for row in sites]


def audit_comparison_for_user(*, user: Any, audit_id: Any,
                               previous_id: Any | None = None) -> AuditComparison:
    """New, fixed and persisting issues of one of the owner's audits against `previous_id`
    (default: the owner's completed audit of the same URL before it), via
    reports.comparison.audit_compare. Another owner's audit raises Audit.DoesNotExist (404)."""
    audit = audit_selectors.audit_get_for_user(user=user, audit_id=audit_id)
    previous = (audit_selectors.audit_get_for_user(user=user, audit_id=previous_id)
                if previous_id is not None else None)
    return audit_compare(audit=audit, previous=previous)


def annotate_finding_counts(queryset: QuerySet[Audit]) -> QuerySet[Audit]:
    """Annotate `errors`, `warnings`, `notices` per audit as correlated subqueries: a paged
    list computes them for the rows it shows only (index finding_audit_severity), not for the
    whole table as a GROUP BY over a join would."""
    def count(severity: str) -> Coalesce:
        rows = (Finding.objects.filter(audit_id=OuterRef("pk"), severity=severity).order_by()
                .values("audit_id").annotate(n=Count("id")).values("n"))
        return Coalesce(Subquery(rows, output_field=IntegerField()), 0)
    return queryset.annotate(errors=count("error"), warnings=count("warning"),
                             notices=count("notice"))
