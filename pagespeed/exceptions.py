"""Domain errors of the pagespeed services; the API maps them to HTTP errors."""

from __future__ import annotations


class PageSpeedError(Exception):
    code = "pagespeed_error"
    http_status = 400


class PsiNotConfigured(PageSpeedError):
    """A PageSpeed Insights measurement was asked for, but no API key is set."""

    code = "psi_not_configured"
    http_status = 503
