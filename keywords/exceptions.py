"""Domain errors of the keywords app; the API maps them to the one error shape."""

from __future__ import annotations


class KeywordsError(Exception):
    code = "keywords_error"
    http_status = 400


class InvalidSite(KeywordsError):
    code = "invalid_site"


class InvalidImport(KeywordsError):
    code = "invalid_import"


class TrackingUnavailable(KeywordsError):
    """No SERP provider is configured: 409, the request conflicts with the deployment's
    state (a 5xx would read as a server fault, and retrying will not help)."""

    code = "serp_provider_not_configured"
    http_status = 409
