"""Domain errors raised by audit services; the API layer maps them to HTTP errors."""


class AuditError(Exception):
    code = "audit_error"


class InvalidAuditURL(AuditError):
    code = "invalid_url"


class InvalidAuditOptions(AuditError):
    code = "invalid_options"


class AuditNotActive(AuditError):
    """The audit is finished, so it cannot be cancelled."""

    code = "audit_not_active"
    http_status = 409


class IdempotencyKeyReused(AuditError):
    """An Idempotency-Key was sent again with a different request, or while the first
    request with it is still being processed."""

    code = "idempotency_key_reused"
    http_status = 422
