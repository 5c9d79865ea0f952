"""What each report format is called, its content type and file extension."""

from __future__ import annotations

from dataclasses import dataclass

from .models import Report


@dataclass(frozen=True, slots=True)
class FormatInfo:
    content_type: str
    extension: str
    #: Rendered from ReportData (HTML, PDF, Markdown) rather than streamed from the rows.
    from_report_data: bool


FORMATS: dict[str, FormatInfo] = {
    Report.Format.PDF: FormatInfo("application/pdf", "pdf", True),
    Report.Format.HTML: FormatInfo("text/html; charset=utf-8", "html", True),
    Report.Format.MARKDOWN: FormatInfo("text/markdown; charset=utf-8", "md", True),
    Report.Format.CSV: FormatInfo("text/csv; charset=utf-8", "csv", False),
    Report.Format.PAGES_CSV: FormatInfo("text/csv; charset=utf-8", "csv", False),
    Report.Format.JSON: FormatInfo("application/json", "json", False),
    Report.Format.JUNIT: FormatInfo("application/xml; charset=utf-8", "xml", False),
}


def report_filename(*, host: str, audit_id: str, format: str, language: str) -> str:
    """seo-report-example.com-1a2b3c4d-en.pdf (ASCII only: a safe Content-Disposition)."""
    safe_host = "".join(ch if ch.isalnum() or ch in ".-" else "-" for ch in host)[:80]
    safe_host = safe_host.encode("ascii", "ignore").decode() or "site"
    kind = {"csv": "findings", "pages_csv": "pages"}.get(format, "seo-report")
    return f"{kind}-{safe_host}-{audit_id[:8]}-{language}.{FORMATS[format].extension}"
