"""Security headers, request ids and the access log, CORS, and `check --deploy`."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", ["/healthz", "/probe/plain", "/api/v1/probe/search", "/nowhere",
                                  "/api/v1/../x"])
def test_every_response_carries_the_security_headers(probe, path):
    response = Client().get(path)
    assert response["Content-Security-Policy"].startswith("default-src 'self'")
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response  # plain http: no HSTS


def test_hsts_over_https_and_http_is_redirected(probe):
    probe.SEOAUDIT_HTTPS = True
    probe.SECURE_SSL_REDIRECT = True
    probe.SECURE_HSTS_SECONDS = 31_536_000
    secure = Client().get("/probe/plain", secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    plain = Client().get("/probe/plain")
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")
    assert Client().get("/healthz").status_code == 200  # load balancer probes stay on http


def test_forwarded_proto_is_believed_only_from_a_trusted_proxy(probe):
    probe.SECURE_SSL_REDIRECT = True
    spoofed = Client().get("/probe/plain", HTTP_X_FORWARDED_PROTO="https")
    assert spoofed.status_code == 301  # the client's own claim does not make it https
    probe.SEOAUDIT_TRUSTED_PROXIES = ["127.0.0.1"]
    proxied = Client().get("/probe/plain", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200


def test_request_id_and_response_time(probe):
    response = Client().get("/probe/plain", HTTP_X_REQUEST_ID="abc12345-trace")
    assert response["X-Request-ID"] == "abc12345-trace"
    assert response["X-Response-Time"].endswith("ms")
    assert float(response["X-Response-Time"].removesuffix("ms")) >= 0
    generated = Client().get("/probe/plain", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert len(generated["X-Request-ID"]) == 32
    assert "\n" not in generated["X-Request-ID"]


@pytest.mark.django_db
def test_one_structured_log_line_per_request(probe, caplog):
    from tests.audits.factories import UserFactory

    user = UserFactory()
    caplog.set_level(logging.INFO, logger="seoaudit.request")
    Client().get("/api/v1/probe/search?secret=1", HTTP_AUTHORIZATION=f"Bearer good-{user.pk}",
                 HTTP_X_REQUEST_ID="req-00000001")
    lines = [r.msg for r in caplog.records if r.name == "seoaudit.request"]
    assert len(lines) == 1
    line = lines[0]
    assert line["event"] == "request"
    assert line["method"] == "GET"
    assert line["path"] == "/api/v1/probe/search"  # no query string: it may hold secrets
    assert line["status"] == 200
    assert line["user"] == str(user.pk)
    assert line["client_ip"] == "127.0.0.1"
    assert line["duration_ms"] >= 0
    assert line["request_id"] == "req-00000001"


def test_log_line_for_refused_requests_too(probe, caplog):
    caplog.set_level(logging.INFO, logger="seoaudit.request")
    Client().get("/probe/plain%00")
    (line,) = [r.msg for r in caplog.records if r.name == "seoaudit.request"]
    assert line["status"] == 400
    assert line["user"] == "-"


def test_a_4xx_is_one_line_not_two(probe, caplog):
    caplog.set_level(logging.INFO)
    for _ in range(4):
        Client().get("/probe/plain")  # the 4th is a 429
    Client().get("/nowhere")
    assert [r.name for r in caplog.records] == ["seoaudit.request"] * 5


def test_cors_answers_only_listed_origins_with_credentials(probe):
    probe.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    listed = Client().get("/api/v1/probe/search", HTTP_ORIGIN="https://app.example.com")
    assert listed["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert listed["Access-Control-Allow-Credentials"] == "true"
    assert "X-RateLimit-Remaining" in listed["Access-Control-Expose-Headers"]
    other = Client().get("/api/v1/probe/search", HTTP_ORIGIN="https://evil.example.net")
    assert "Access-Control-Allow-Origin" not in other
    assert "Access-Control-Allow-Credentials" not in other
    preflight = Client().options("/api/v1/probe/search", HTTP_ORIGIN="https://app.example.com",
                                 HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
                                 HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, idempotency-key")
    assert preflight.status_code == 200
    assert "idempotency-key" in preflight["Access-Control-Allow-Headers"]
    admin = Client().get("/admin/login/", HTTP_ORIGIN="https://app.example.com")
    assert "Access-Control-Allow-Origin" not in admin  # the API only


def deploy_check(**overrides: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SEOAUDIT_HTTPS")}
    env.update({"SEOAUDIT_QUIET_STARTUP": "1", "DEBUG": "false",
                "SECRET_KEY": "x7Gq2-Lw9Zr4Vb8Nc1Mf6Hj3Kp0Td5Ys8Ua2Ie7Oo9Wq4Xr1Zt6Cv3Bn8Mm5Ll0Kk2",
                "ALLOWED_HOSTS": "seo.example.com", **overrides})
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = deploy_check(SEOAUDIT_HTTPS="true", SEOAUDIT_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_a_deployment_without_https(tmp_path):
    result = deploy_check(SEOAUDIT_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # no HSTS
