"""Domain errors of the reports app. They extend AuditError so the one API exception handler
(seoaudit/api/errors.py) renders them in the common error shape with their status."""

from audits.exceptions import AuditError


class ReportError(AuditError):
    code = "report_error"


class AuditNotReportable(ReportError):
    """The audit has not finished (or failed), so there is nothing to report yet."""

    code = "audit_not_finished"
    http_status = 409


class ReportNotReady(ReportError):
    """The report file is still being generated (or generation failed)."""

    code = "report_not_ready"
    http_status = 409


class InvalidReportBranding(ReportError):
    code = "invalid_branding"
    http_status = 400
