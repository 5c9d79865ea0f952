"""OpenAPI: the bearer security scheme and the error responses every operation can give.

The error shape is the same everywhere (errors.py), so it is one component referenced by
the error responses each operation documents: 400 where there is input, 401 where
authentication is required, 404 where a path names an object, 429 (rate limits) and the
request-validation errors of the middleware (413/414/415).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "description": "Stable machine-readable code."},
                "message": {"type": "string", "description": "Human-readable explanation."},
                "details": {"type": "object", "additionalProperties": True,
                            "description": "Evidence: invalid fields, retry_after, ..."},
            },
        },
    },
}

_DESCRIPTIONS = {
    "400": "Invalid input (the details name the fields).",
    "401": "Missing, invalid or expired credentials.",
    "404": "No such object, or it belongs to someone else.",
    "405": "Method not allowed.",
    "406": "Not acceptable.",
    "409": "The object's state does not allow this.",
    "422": "The Idempotency-Key was used with a different request.",
    "413": "Request body too large.",
    "414": "Request URL too long.",
    "415": "Unsupported media type.",
    "429": "Rate limit exceeded; see Retry-After.",
}


class BearerAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "seoaudit.api.authentication.BearerAuthentication"
    name = "HTTPBearer"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "http", "scheme": "bearer",
                "description": "A local access token (POST /api/v1/auth/token), an Auth0 access "
                               "token, or a personal API token (sat_...)."}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool
                        ) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: document the error responses of every operation."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            secured = any(req for req in operation.get("security", []))
            codes = ["400", "405", "406", "413", "414", "415", "429"]
            if secured or "/auth/" in path:
                codes.append("401")
            if "{" in path:
                codes.append("404")
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(code, {"description": _DESCRIPTIONS[code]})
            for code, response in responses.items():
                if code.startswith(("4", "5")) and "content" not in response:
                    response["content"] = {"application/json": {"schema": ref}}
    return result
