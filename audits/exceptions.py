"""Domain errors raised by audit services; the API layer maps them to HTTP errors."""


class AuditError(Exception):
    code = "audit_error"


class InvalidAuditURL(AuditError):
    code = "invalid_url"


class InvalidAuditOptions(AuditError):
    code = "invalid_options"
