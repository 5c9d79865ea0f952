"""OpenAPI for the event stream: a plain async Django view, so drf-spectacular does not see
it; this postprocessing hook documents it next to the DRF operations."""

from __future__ import annotations

from copy import deepcopy
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
    components = result.setdefault("components", {}).setdefault("schemas", {})
    snapshot_ref: dict[str, Any] = {"type": "object"}
    if "Progress" in components:  # each event's data: the progress snapshot, without updated_at
        event = deepcopy(components["Progress"])
        event.get("properties", {}).pop("updated_at", None)
        event["required"] = [name for name in event.get("required", []) if name != "updated_at"]
        event["description"] = "The `data:` of every event: the live-progress snapshot."
        components["ProgressEvent"] = event
        snapshot_ref = {"$ref": "#/components/schemas/ProgressEvent"}
    # One server-sent event (the OpenAPI 3.2 shape: fields of the event, `data` as embedded JSON).
    event_schema = {
        "type": "object", "required": ["data"],
        "properties": {
            "id": {"type": "string", "description": "The snapshot's seq."},
            "event": {"type": "string", "enum": ["progress", "status", "completed", "failed"]},
            "retry": {"type": "integer"},
            # OpenAPI 3.0 has no contentSchema: the snapshot's schema rides in an extension.
            "data": {"type": "string", "description": "The snapshot as JSON (ProgressEvent).",
                     "x-contentMediaType": "application/json", "x-contentSchema": snapshot_ref},
        },
    }
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
        # The session cookie (platform pages) and ?token= are described above and in docs/sse.md.
        "security": [{"HTTPBearer": []}],
        "responses": {"200": {
            "description": "The event stream: `id: <seq>`, `event: progress|status|completed|failed`, "
                           "`data: <snapshot JSON>`.",
            "content": {"text/event-stream": {"schema": event_schema}}}},
    }}
    return result
