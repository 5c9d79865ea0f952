"""Platform pieces: the one error shape, health endpoints, legacy redirects, OpenAPI schema
and its documentation pages (local assets only)."""

from __future__ import annotations

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.test import Client
from drf_spectacular.validation import validate_schema

from tests.api.conftest import error_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(HTTP_HOST="localhost")


# --- errors --------------------------------------------------------------------------------

def test_unknown_route_is_404_in_the_error_shape(client, api):
    for response in (client.get("/api/v1/nothing-here"), api.get("/api/v1/audits/not-a-uuid")):
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert error_of(response)["code"] == "not_found"


def test_pages_outside_the_api_keep_html_errors(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
    assert client.get("/no-such-page", HTTP_ACCEPT="application/json")["Content-Type"] == "application/json"


def test_method_not_allowed(api):
    response = api.put("/api/v1/checks", {}, format="json")
    assert response.status_code == 405 and error_of(response)["code"] == "method_not_allowed"


def test_malformed_json_is_400(api):
    response = api.post("/api/v1/audits", data='{"url": ', content_type="application/json")
    assert response.status_code == 400 and error_of(response)["code"] == "malformed_json"


def test_form_bodies_are_unsupported_media_type(api):
    response = api.post("/api/v1/audits", data="url=https://example.com",
                        content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and error_of(response)["code"] == "unsupported_media_type"


def test_validation_error_names_the_fields(api):
    response = api.post("/api/v1/audits", {"options": {}}, format="json")
    error = error_of(response)
    assert response.status_code == 400 and error["code"] == "validation_error"
    assert "url" in error["details"]["fields"] and "url" in error["message"]


@pytest.mark.parametrize("body", [[], "text", 42, {"url": None}, {"url": 5}, {"url": "x", "options": []}])
def test_wrong_json_types_are_400_not_500(api, body):
    response = api.post("/api/v1/audits", body, format="json")
    assert response.status_code == 400 and error_of(response)


# --- health --------------------------------------------------------------------------------

def test_health_endpoints_are_public(client):
    assert client.get("/health/live").json() == {"status": "ok"}
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert {name: c["status"] for name, c in ready.json()["checks"].items()} == {
        "database": "ok", "cache": "ok", "broker": "ok"}
    summary = client.get("/health").json()
    assert summary["status"] == "ok" and summary["mode"] and set(summary["checks"]) == {
        "database", "cache", "broker"}
    assert client.get("/healthz").json() == {"status": "ok"}


def test_ready_is_503_naming_the_broken_dependency(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:9/0"}}  # nothing listens there
    # (Django's setting_changed handler drops the cached cache connections.)
    response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["cache"]["status"] == "unavailable"
    assert body["checks"]["database"]["status"] == "ok"
    assert "127.0.0.1" not in response.content.decode()  # no internals to anonymous callers
    assert client.get("/health").json()["status"] == "degraded"
    assert client.get("/health/live").status_code == 200


# --- legacy paths --------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "target"), [
    ("/api/audits", "/api/v1/audits"),
    ("/api/audits?status=FAILED&site=a.example", "/api/v1/audits?status=FAILED&site=a.example"),
    ("/api/checks/seo.title.missing", "/api/v1/checks/seo.title.missing"),
    ("/api/", "/api/v1/"),
    ("/api/search?q=caf%C3%A9", "/api/v1/search?q=caf%C3%A9"),
])
def test_unversioned_paths_redirect_308_keeping_the_query(client, path, target):
    response = client.get(path)
    assert response.status_code == 308 and response["Location"] == target
    assert client.post(path).status_code == 308  # method and body are kept by clients on 308


def test_versioned_and_schema_paths_are_not_redirected(client):
    assert client.get("/api/v1/audits").status_code == 401
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/v1").status_code == 404
    assert client.get("/api/v2/audits").status_code == 404


# --- OpenAPI -------------------------------------------------------------------------------

def _schema(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_schema_is_valid_openapi_with_bearer_on_private_operations(client):
    schema = _schema(client)
    validate_schema(schema)
    assert schema["components"]["securitySchemes"]["HTTPBearer"] == {
        "type": "http", "scheme": "bearer", "description": schema["components"]["securitySchemes"]
        ["HTTPBearer"]["description"]}
    public = {("post", "/api/v1/auth/token"), ("post", "/api/v1/auth/token/refresh"),
              ("post", "/api/v1/auth/token/verify"), ("get", "/health"), ("get", "/health/live"),
              ("get", "/health/ready"),
              ("post", "/api/v1/webhooks/github/incoming")}  # signed with X-Hub-Signature-256
    seen_public = set()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            security = operation.get("security", [])
            if (method, path) in public:
                seen_public.add((method, path))
                assert not any(security), (method, path)
            else:
                assert security == [{"HTTPBearer": []}], (method, path)
            assert "429" in operation["responses"] and "400" in operation["responses"]
    assert seen_public == public


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_pages_use_local_assets_only(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(url.startswith("/") for url in urls), urls
    assert "http://" not in html and "https://" not in html
    for url in urls:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url
    if path == "/docs":
        script = client.get("/docs?script=")
        assert script.status_code == 200 and b"/api/schema/" in script.content
