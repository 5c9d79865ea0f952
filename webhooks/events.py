"""The outgoing event types and the payloads the audits app sends (documented in
docs/webhooks.md). Plain Python: the audits app imports this without a cycle."""

from __future__ import annotations

from typing import Any


class EventType:
    AUDIT_CREATED = "audit.created"
    AUDIT_STARTED = "audit.started"
    AUDIT_PROGRESS = "audit.progress"
    AUDIT_COMPLETED = "audit.completed"
    AUDIT_FAILED = "audit.failed"
    REPORT_GENERATED = "report.generated"
    PDF_READY = "pdf.ready"
    RANK_CHANGED = "rank.changed"
    AI_VISIBILITY_CHANGED = "ai_visibility.changed"
    #: Sent only by "send test event", to one endpoint.
    TEST = "webhook.test"

    ALL = (AUDIT_CREATED, AUDIT_STARTED, AUDIT_PROGRESS, AUDIT_COMPLETED, AUDIT_FAILED,
           REPORT_GENERATED, PDF_READY, RANK_CHANGED, AI_VISIBILITY_CHANGED)
    #: Sent only to endpoints that list them explicitly (chatty).
    OPT_IN = frozenset({AUDIT_PROGRESS})


def audit_data(audit: Any) -> dict[str, Any]:
    """The `data` object of the audit.* events: the audit as the API shows its summary."""
    def iso(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    data: dict[str, Any] = {
        "audit_id": str(audit.pk), "url": audit.url, "normalized_url": audit.normalized_url,
        "status": audit.status, "progress": audit.progress, "pages_crawled": audit.pages_crawled,
        "total_pages": audit.total_pages, "created_at": iso(audit.created_at),
        "started_at": iso(getattr(audit, "started_at", None)),
        "finished_at": iso(getattr(audit, "finished_at", None)),
    }
    if audit.status == "COMPLETED":
        data.update(seo_score=audit.seo_score, geo_score=audit.geo_score)
    if audit.status == "FAILED":
        data["error"] = audit.error
    return data
