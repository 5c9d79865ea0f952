"""Admin console helpers that are not model admins: the staff dashboard view and the
streamed findings CSV of the "export CSV" action."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from audits import selectors as audit_selectors
from audits.models import Audit

from . import charts, dashboard

CSV_COLUMNS = ("audit_id", "site_url", "page_url", "code", "severity", "category", "title",
               "details")


class _Echo:
    """A file-like object whose write() returns the line: csv.writer into a generator."""

    def write(self, value: str) -> str:
        return value


def findings_csv_rows(audits: Iterable[Audit]) -> Iterator[str]:
    """CSV lines of every finding of the given audits, read in chunks (bounded memory)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for audit in audits:
        for row in audit_selectors.finding_iter(audit=audit):
            yield writer.writerow((audit.pk, audit.url, row["url"] or "", row["code"],
                                   row["severity"], row["category"], row["title"],
                                   json.dumps(row["details"], ensure_ascii=False, sort_keys=True)))


def findings_csv_response(audits: Iterable[Audit]) -> StreamingHttpResponse:
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(findings_csv_rows(audits), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="findings-{stamp}.csv"'
    return response


def progress_page_url(audit_id: Any) -> str | None:
    """The live progress page of an audit (dashboard app), None while that app is absent."""
    try:
        return reverse("dashboard:audit-detail", args=[audit_id])
    except NoReverseMatch:
        return None


def dashboard_view(request: HttpRequest) -> HttpResponse:
    """Staff dashboard: running audits, failures in the last 24 h, audits per day over 30
    days (inline SVG bars with a table fallback) and the slowest sites."""
    days = dashboard.audits_per_day(days=30)
    chart = charts.bar_chart(
        title="Audits per day, last 30 days",
        desc=(f"{sum(d.audits for d in days)} audits in 30 days, "
              f"{sum(d.failed for d in days)} of them failed; busiest day "
              f"{max(days, key=lambda d: d.audits).day:%d %b} with "
              f"{max(d.audits for d in days)} audits."),
        labels=[f"{d.day:%d %b}" for d in days], values=[d.audits for d in days],
        highlight=[d.failed for d in days])
    running = dashboard.audits_running()
    context = {
        **admin.site.each_context(request),
        "title": "Operations dashboard",
        "running": [(a, progress_page_url(a.pk)) for a in running],
        "failed": dashboard.audits_failed_since(hours=24),
        "days": days,
        "chart": chart,
        "slowest": dashboard.slowest_sites(days=30),
        "status_counts": dashboard.status_counts(),
    }
    return TemplateResponse(request, "admin/console/dashboard.html", context)
