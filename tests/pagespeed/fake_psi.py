"""A local fake of the PageSpeed Insights v5 `runPagespeed` endpoint (pytest-httpserver, real
HTTP on 127.0.0.1) answering with the real response shape (psi_response.json: a trimmed real
answer: loadingExperience with CrUX percentiles/categories, lighthouseResult audits and
categories) and Google's error shape."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

PATH = "/pagespeedonline/v5/runPagespeed"
RESPONSE = json.loads((Path(__file__).with_name("psi_response.json")).read_text())
API_KEY = "psi-test-key"


def response_for(url: str, strategy: str) -> dict[str, Any]:
    payload = copy.deepcopy(RESPONSE)
    payload["id"] = url
    lighthouse = payload["lighthouseResult"]
    lighthouse["requestedUrl"] = lighthouse["finalUrl"] = lighthouse["finalDisplayedUrl"] = url
    lighthouse["configSettings"]["formFactor"] = strategy
    if strategy == "desktop":  # a faster desktop run, as Google's would be
        lighthouse["audits"]["largest-contentful-paint"]["numericValue"] = 1900.0
        lighthouse["categories"]["performance"]["score"] = 0.91
    return payload


def google_error(code: int, message: str, status: str) -> Response:
    body = {"error": {"code": code, "message": message,
                      "errors": [{"message": message, "domain": "global", "reason": "badRequest"}],
                      "status": status}}
    return Response(json.dumps(body), status=code, content_type="application/json")


def install(server: HTTPServer) -> list[dict[str, str]]:
    """Serve runPagespeed on `server`; returns the list the requests' query args go to.
    URLs containing "unreachable" get Lighthouse's FAILED_DOCUMENT_REQUEST, "quota" a 429,
    "broken" a 500."""
    calls: list[dict[str, str]] = []

    def handler(request: Request) -> Response:
        args = dict(request.args)
        calls.append(args)
        if args.get("key") != API_KEY:
            return google_error(400, "API key not valid. Please pass a valid API key.",
                                "INVALID_ARGUMENT")
        url = args.get("url", "")
        if "unreachable" in url:
            return google_error(400, "Lighthouse returned error: FAILED_DOCUMENT_REQUEST. "
                                     "Lighthouse was unable to reliably load the page you "
                                     "requested. (Details: net::ERR_CONNECTION_FAILED)",
                                "INVALID_ARGUMENT")
        if "quota" in url:
            return google_error(429, "Quota exceeded for quota metric 'Queries' and limit "
                                     "'Queries per minute' of service "
                                     "'pagespeedonline.googleapis.com'.", "RESOURCE_EXHAUSTED")
        if "broken" in url:
            return google_error(500, "Internal error encountered.", "INTERNAL")
        return Response(json.dumps(response_for(url, args.get("strategy", "mobile"))),
                        content_type="application/json")

    server.expect_request(PATH).respond_with_handler(handler)
    return calls
