"""Domain errors of the AI visibility app; the API maps them to the one error shape."""

from __future__ import annotations

from typing import Any


class VisibilityError(Exception):
    code = "ai_visibility_error"
    http_status = 400

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.details = details or {}


class InvalidPrompt(VisibilityError):
    code = "invalid_prompt"


class BudgetExhausted(VisibilityError):
    """The owner's engine calls for today are used up: 409 (retrying today will not help,
    and it is not a request-rate limit)."""

    code = "budget_exhausted"
    http_status = 409


class NoEngineConfigured(VisibilityError):
    """No answer engine is configured (or the one asked for is not): 409, the request
    conflicts with the deployment's state; a 5xx would read as a server fault."""

    code = "no_engine_configured"
    http_status = 409
