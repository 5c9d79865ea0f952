"""Unversioned API paths: /api/<path> answers 308 to /api/v1/<path>, query string kept.
308 (not 301) so clients repeat POST/DELETE bodies and methods at the new address."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponsePermanentRedirect

CURRENT_VERSION = "v1"


class HttpResponsePermanentRedirect308(HttpResponsePermanentRedirect):
    status_code = 308


def legacy_redirect(request: HttpRequest, path: str = "") -> HttpResponsePermanentRedirect308:
    """The same path and query string (as sent, still escaped) under the current version."""
    full_path = request.get_full_path()  # "/api/<path>?<query>", escaped
    return HttpResponsePermanentRedirect308(f"/api/{CURRENT_VERSION}/" + full_path[len("/api/"):])
