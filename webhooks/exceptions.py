"""Domain errors of the webhooks app; seoaudit/api/errors.py maps them to the error shape."""

from __future__ import annotations


class WebhookError(Exception):
    code = "webhook_error"
    http_status = 400
    #: The field of the request the error is about, if any.
    field: str | None = None


class InvalidEndpointURL(WebhookError):
    code = "invalid_url"
    field = "url"


class InvalidEventTypes(WebhookError):
    code = "invalid_event_types"
    field = "event_types"


class InvalidRepository(WebhookError):
    code = "invalid_repository"


class EndpointDisabled(WebhookError):
    code = "endpoint_disabled"
    http_status = 409


class GitHubNotConfigured(WebhookError):
    code = "webhook_not_configured"
    http_status = 503


class BadGitHubSignature(WebhookError):
    code = "invalid_signature"
    http_status = 401


class BadGitHubDelivery(WebhookError):
    code = "bad_delivery"
    http_status = 400
