"""CSV (findings, pages) and JSON (the whole audit) exports, streamed: each yields text chunks
from server-side cursors, so memory stays flat however big the audit is."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Count
from django.utils import translation

from audits import selectors
from audits.models import Audit, Page

from ..ai_fixes import ai_fixes_json
from ..comparison import audit_compare
from ..i18n import title_for_code
from ..page_speed import page_speed_json

CHUNK = 2000
FINDING_COLUMNS = ("url", "code", "severity", "category", "title", "details")
PAGE_COLUMNS = ("url", "final_url", "status", "depth", "content_type", "size", "ttfb_ms",
                "title", "description", "canonical", "indexable", "indexability_reason",
                "word_count", "in_sitemap", "inlinks", "geo_score", "findings", "error")


def _csv_lines(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """CSV text in chunks of about CHUNK rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for count, row in enumerate(rows, 1):
        writer.writerow(row)
        if count % CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _cell(value: Any) -> str:
    """Spreadsheet-safe text: a cell starting with = + - @ is not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def findings_csv(*, audit: Audit, language: str = "en") -> Iterator[str]:
    """Every finding: URL ('' for site-wide), code, severity, category, title, details JSON."""
    with translation.override(language):
        rows = ((_cell(f["url"] or ""), f["code"], f["severity"], f["category"],
                 _cell(title_for_code(f["code"])), json.dumps(f["details"], ensure_ascii=False, default=str))
                for f in selectors.finding_iter(audit=audit))
        yield from _csv_lines(FINDING_COLUMNS, rows)


TEXT_PAGE_COLUMNS = frozenset({"url", "final_url", "content_type", "title", "description",
                               "canonical", "indexability_reason", "error"})


def _page_rows(audit: Audit) -> Iterator[dict[str, Any]]:
    fields = [c for c in PAGE_COLUMNS if c != "findings"]
    queryset = (Page.objects.filter(audit=audit).order_by("id")
                .annotate(finding_count=Count("findings")).values(*fields, "finding_count"))
    for row in queryset.iterator(chunk_size=CHUNK):
        row["findings"] = row.pop("finding_count")
        yield row


def pages_csv(*, audit: Audit) -> Iterator[str]:
    """One row per crawled page with its status, timing, indexability and finding count."""
    rows = ([_cell(page[column]) if column in TEXT_PAGE_COLUMNS else page[column]
             for column in PAGE_COLUMNS] for page in _page_rows(audit))
    yield from _csv_lines(PAGE_COLUMNS, rows)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))


def audit_json(*, audit: Audit) -> Iterator[str]:
    """The whole audit as one JSON object: audit fields, scores, crawl summary, findings per
    check, comparison with the previous audit, the page-speed measurements (latest per URL,
    form factor and source) and AI-generated fixes (latest done per page and kind), then every
    page and every finding (streamed)."""
    head = {
        "id": str(audit.pk), "url": audit.url, "normalized_url": audit.normalized_url,
        "status": audit.status, "options": audit.options,
        "created_at": audit.created_at, "started_at": audit.started_at,
        "finished_at": audit.finished_at, "pages_crawled": audit.pages_crawled,
        "seo_score": audit.seo_score, "geo_score": audit.geo_score,
        "scores": audit.scores, "summary": audit.summary,
        "finding_summary": selectors.finding_summary_for_audit(audit=audit),
        "comparison": audit_compare(audit=audit).as_dict(),
    }
    yield _dumps(head)[:-1] + ',"pagespeed":['
    yield from _batched(_dumps(row) for row in page_speed_json(audit=audit))
    yield '],"ai_content":['
    yield from _batched(_dumps(row) for row in ai_fixes_json(audit=audit))
    yield '],"pages":['
    yield from _batched(_dumps(page) for page in _page_rows(audit))
    yield '],"findings":['
    yield from _batched(_dumps(finding) for finding in selectors.finding_iter(audit=audit))
    yield "]}\n"


def _batched(items: Iterable[str], size: int = 64 * 1024) -> Iterator[str]:
    """Comma-joined JSON values in chunks of about `size` characters (not one per row)."""
    parts: list[str] = []
    length = 0
    first = True
    for item in items:
        parts.append(item if first else "," + item)
        first = False
        length += len(item) + 1
        if length >= size:
            yield "".join(parts)
            parts, length = [], 0
    if parts:
        yield "".join(parts)
