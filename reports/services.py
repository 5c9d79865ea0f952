"""Report writes: request a report, generate its file, save an owner's branding.

Every renderer reads one of two sources: `ReportData` (HTML, PDF, Markdown) or the audit's rows
streamed from the database (CSV, JSON, JUnit). `report_chunks` is the one switch between them;
the API, the Celery task and the CLI all go through it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import timedelta
from typing import IO, Any
from urllib.parse import urlsplit

import structlog
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit
from webhooks.services import event_emit

from .branding import InvalidBranding, logo_validate
from .builder import report_data_build
from .exceptions import AuditNotReportable, InvalidReportBranding
from .formats import report_filename
from .models import Report, ReportBranding
from .renderers import ci, tabular
from .renderers.html import render_html
from .renderers.pdf import render_pdf

log = structlog.get_logger(__name__)

#: A RUNNING report whose worker has been silent this long may be taken over.
STALE_AFTER = timedelta(minutes=15)
REPORTABLE = (Audit.Status.COMPLETED, Audit.Status.CANCELLED)


def report_chunks(*, audit: Audit, format: str, language: str = "en") -> Iterator[bytes]:
    """The report as byte chunks (streamed for the row-based formats)."""
    if format == Report.Format.PDF:
        yield render_pdf(report_data_build(audit=audit, language=language))
        return
    if format == Report.Format.HTML:
        yield render_html(report_data_build(audit=audit, language=language)).encode()
        return
    if format == Report.Format.MARKDOWN:
        data = report_data_build(audit=audit, language=language, examples_per_check=0)
        yield ci.markdown_summary(data).encode()
        return
    streams: dict[str, Any] = {
        Report.Format.CSV: lambda: tabular.findings_csv(audit=audit, language=language),
        Report.Format.PAGES_CSV: lambda: tabular.pages_csv(audit=audit),
        Report.Format.JSON: lambda: tabular.audit_json(audit=audit),
        Report.Format.JUNIT: lambda: ci.junit_xml(audit=audit, language=language),
    }
    if format not in streams:
        raise ValueError(f"unknown report format {format!r}")
    yield from (chunk.encode() for chunk in streams[format]())


def report_write(*, audit: Audit, format: str, language: str, stream: IO[bytes]) -> int:
    """Write the report to a binary stream; returns the number of bytes written."""
    size = 0
    for chunk in report_chunks(audit=audit, format=format, language=language):
        stream.write(chunk)
        size += len(chunk)
    return size


def audit_require_reportable(audit: Audit) -> None:
    if audit.status not in REPORTABLE:
        raise AuditNotReportable(f"the audit is {audit.status.lower()}; reports are available "
                                 "once it has completed")


def report_request(*, audit: Audit, format: str, language: str, user: Any) -> Report:
    """Record a report to generate and enqueue its generation once the transaction commits."""
    audit_require_reportable(audit)
    report = Report.objects.create(audit=audit, format=format, language=language,
                                   created_by=user if getattr(user, "pk", None) else None)
    from .tasks import generate_report

    report_id = str(report.pk)
    transaction.on_commit(lambda: generate_report.delay(report_id))
    log.info("report.requested", report_id=report_id, audit_id=str(audit.pk), format=format,
             language=language)
    return report


def _claim(report_id: Any) -> bool:
    """PENDING -> RUNNING, or take over a RUNNING report whose worker died (conditional
    UPDATEs: two workers cannot both win)."""
    now = timezone.now()
    if Report.objects.filter(pk=report_id, status=Report.Status.PENDING).update(
            status=Report.Status.RUNNING, started_at=now):
        return True
    return bool(Report.objects.filter(pk=report_id, status=Report.Status.RUNNING,
                                      started_at__lt=now - STALE_AFTER).update(started_at=now))


def report_generate(*, report_id: Any) -> Report:
    """Render the report's file and mark it READY (FAILED with the reason on an error).
    Idempotent: a report already READY, FAILED or running elsewhere is returned untouched."""
    if not _claim(report_id):
        return Report.objects.get(pk=report_id)
    report = Report.objects.select_related("audit").get(pk=report_id)
    audit = report.audit
    started = timezone.now()
    try:
        with tempfile.TemporaryFile() as spool:
            size = report_write(audit=audit, format=report.format, language=report.language,
                                stream=spool)
            spool.seek(0)
            name = report_filename(host=report_host(audit), audit_id=str(audit.pk),
                                   format=report.format, language=report.language)
            report.file.save(name, File(spool), save=False)
    except Exception as exc:
        log.exception("report.failed", report_id=str(report.pk))
        Report.objects.filter(pk=report.pk).update(
            status=Report.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:1000],
            finished_at=timezone.now())
        report.refresh_from_db()
        return report
    Report.objects.filter(pk=report.pk).update(status=Report.Status.READY, file=report.file.name,
                                               size=size, finished_at=timezone.now(), error="")
    report.refresh_from_db()
    seconds = (report.finished_at - started).total_seconds() if report.finished_at else None
    log.info("report.generated", report_id=str(report.pk), format=report.format, size=size,
             seconds=seconds)
    _emit(report)
    return report


def report_host(audit: Audit) -> str:
    """The host name used in report file names."""
    return urlsplit(audit.normalized_url).hostname or "site"


def _emit(report: Report) -> None:
    """Webhook events `report.generated` (every format) and `pdf.ready` (PDF), payloads as in
    docs/webhooks.md; recorded in the caller's transaction, delivered after it commits."""
    data = {"audit_id": str(report.audit_id), "report_id": str(report.pk),
            "format": report.format, "language": report.language,
            "url": reverse("report-download", kwargs={"report_id": report.pk}),
            "size_bytes": report.size}
    log.info("report.event", type="report.generated", **data)
    owner = report.audit.owner
    event_emit(owner=owner, type="report.generated", data=data)
    if report.format == Report.Format.PDF:
        event_emit(owner=owner, type="pdf.ready", data=data)


def branding_update(*, owner: Any, **fields: Any) -> ReportBranding:
    """Create or update the owner's branding; the logo must be an inline data: URL."""
    if "logo" in fields:
        try:
            fields["logo"] = logo_validate(fields["logo"] or "")
        except InvalidBranding as exc:
            raise InvalidReportBranding(str(exc)) from exc
    branding, _created = ReportBranding.objects.update_or_create(owner=owner, defaults=fields)
    return branding
