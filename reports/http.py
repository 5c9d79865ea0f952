"""HTTP responses for reports, shared by the API and the signed-in pages."""

from __future__ import annotations

from django.http import StreamingHttpResponse

from audits.models import Audit

from . import services
from .formats import FORMATS, report_filename

#: Formats rendered on request (PDF is generated in the background).
DIRECT_FORMATS = ("html", "csv", "pages_csv", "json", "junit", "md")


#: The HTML report is self-contained: its own inline CSS, SVG charts and data: images, no
#: scripts. This policy lets a browser show it as designed and still runs nothing.
REPORT_HTML_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
                   "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def content_disposition(filename: str, *, inline: bool) -> str:
    return f'{"inline" if inline else "attachment"}; filename="{filename}"'


def direct_report_response(*, audit: Audit, fmt: str, language: str) -> StreamingHttpResponse:
    """A finished audit's report in a direct format, streamed (raises AuditNotReportable)."""
    services.audit_require_reportable(audit)
    chunks = services.report_chunks(audit=audit, format=fmt, language=language)
    response = StreamingHttpResponse(chunks, content_type=FORMATS[fmt].content_type)
    filename = report_filename(host=services.report_host(audit), audit_id=str(audit.pk),
                               format=fmt, language=language)
    response["Content-Disposition"] = content_disposition(filename, inline=fmt in ("html", "md"))
    if fmt == "html":
        response["Content-Security-Policy"] = REPORT_HTML_CSP
    return response
