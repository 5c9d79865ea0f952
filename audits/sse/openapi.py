"""OpenAPI for the event stream: a plain async Django view, so drf-spectacular does not see
it; this postprocessing hook documents it next to the DRF operations."""

from __future__ import annotations

from typing import Any

EVENTS_PATH = "/api/v1/audits/{id}/events"

_DESCRIPTION = (
    "Server-Sent Events (`text/event-stream`) with the audit's live progress. The first event is "
    "the current snapshot; then `progress`, `status`, `completed` and `failed` events, each with "
    "`id: <seq>` and the snapshot JSON (the schema of `GET /api/v1/audits/{id}/progress`) as "
    "`data:`; a `: heartbeat` comment every 15 s; the stream ends after a terminal status. "
    "Authenticate with the session cookie, `Authorization: Bearer`, or `?token=` from "
    "`POST /api/v1/audits/{id}/stream-token`. Not rate limited; at most "
    "SSE_MAX_STREAMS_PER_USER open streams per user (429 beyond). See docs/sse.md.")


def add_events_path(result: dict[str, Any], generator: Any, request: Any, public: bool
                    ) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: add `GET /api/v1/audits/{id}/events`."""
    result.setdefault("paths", {})[EVENTS_PATH] = {"get": {
        "operationId": "audits_events_retrieve",
        "summary": "Live progress as Server-Sent Events",
        "description": _DESCRIPTION,
        "tags": ["audits"],
        "parameters": [
            {"name": "id", "in": "path", "required": True,
             "schema": {"type": "string", "format": "uuid"}},
            {"name": "token", "in": "query", "required": False, "schema": {"type": "string"},
             "description": "A stream token (instead of a cookie or an Authorization header)."},
            {"name": "Last-Event-ID", "in": "header", "required": False,
             "schema": {"type": "string"},
             "description": "Sent by a reconnecting EventSource; the current snapshot follows at once."},
        ],
        "security": [{"HTTPBearer": []}, {"cookieAuth": []}],
        "responses": {"200": {
            "description": "The event stream: `id: <seq>`, `event: progress|status|completed|failed`, "
                           "`data: <snapshot JSON>`.",
            "content": {"text/event-stream": {"schema": {"type": "string"},
                                              "example": 'id: 7\nevent: progress\ndata: {"audit_id": '
                                                         '"...", "seq": 7, "status": "RUNNING", '
                                                         '"progress": 40}\n\n'}}}},
    }}
    schemes = result.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes.setdefault("cookieAuth", {"type": "apiKey", "in": "cookie", "name": "sessionid",
                                      "description": "The Django session of the platform's pages."})
    return result
