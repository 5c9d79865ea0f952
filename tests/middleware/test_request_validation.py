"""Malformed requests are refused early, in the one JSON error shape."""

from __future__ import annotations

import asyncio
import json

import pytest
from django.test import Client

from seoaudit.asgi_limits import BodySizeLimit

ECHO = "/api/v1/probe/echo"


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def test_a_url_over_2048_characters_is_414(probe):
    response = Client().get("/probe/plain?q=" + "a" * 2040)
    assert response.status_code == 414
    assert error_of(response)["code"] == "uri_too_long"
    assert Client().get("/probe/plain?q=" + "a" * 2000).status_code == 200


def test_a_declared_body_over_the_limit_is_413_without_reading_it(probe):
    probe.SEOAUDIT_MAX_REQUEST_BODY = 1000
    # The declared length is all it takes: the (tiny) body is never read.
    response = Client().post(ECHO, data=b"{}", content_type="application/json",
                             CONTENT_LENGTH="5000")
    assert response.status_code == 413
    assert error_of(response)["details"] == {"max_bytes": 1000}


def test_the_default_body_limit_is_10_mb(settings):
    assert settings.SEOAUDIT_MAX_REQUEST_BODY == 10 * 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.SEOAUDIT_MAX_REQUEST_BODY


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "application/xml", "application/vnd.api+json"])
def test_a_body_that_is_not_json_is_415(probe, content_type):
    response = Client().post(ECHO, data="a=1", content_type=content_type)
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"


@pytest.mark.parametrize("body", ['{"url": ', "{'single': 'quotes'}", '{"n": NaN}', "\ufeff{}x"])
def test_malformed_json_is_400(probe, body):
    response = Client().post(ECHO, data=body, content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"


def test_invalid_utf8_is_400(probe):
    response = Client().post(ECHO, data=b'{"a": "\xff"}', content_type="application/json")
    assert response.status_code == 400


def test_valid_json_and_bodiless_posts_pass(probe):
    response = Client().post(ECHO, data={"url": "https://example.com"},
                             content_type="application/json; charset=utf-8")
    assert response.status_code == 200
    assert response.json() == {"received": {"url": "https://example.com"}}
    assert Client().generic("POST", ECHO).status_code == 200  # no body: nothing to check


@pytest.mark.parametrize("path", ["/api/v1/../../etc/passwd", "/probe/%2e%2e/plain",
                                  "/api/v1/audits/..%5c..%5cwin.ini", "/static/..\\secret"])
def test_path_traversal_is_400(probe, path):
    response = Client().get(path)
    assert response.status_code == 400
    assert "traversal" in error_of(response)["message"]


@pytest.mark.parametrize("path", ["/probe/plain%00.json", "/probe/plain?q=a%00b"])
def test_nul_bytes_are_400(probe, path):
    response = Client().get(path)
    assert response.status_code == 400
    assert "NUL" in error_of(response)["message"]


def test_a_non_numeric_content_length_is_400(probe):
    response = Client().post(ECHO, data=b"{}", content_type="application/json", CONTENT_LENGTH="12abc")
    assert response.status_code == 400


def test_dots_inside_names_are_fine(probe):
    assert Client().get("/probe/plain?next=../x").status_code == 200  # query values are data
    assert Client().get("/probe/pl..ain").status_code == 404


# --- the ASGI guard: 413 before Django reads a body ------------------------------------------

def run_asgi(app, headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> tuple[int, dict, int]:
    """Drive `app` with one request; returns (status, json body, body bytes the app pulled)."""
    sent: list[dict] = []
    pulled = 0
    queue = [{"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
             for i, chunk in enumerate(chunks)]

    async def receive():
        nonlocal pulled
        if queue:
            message = queue.pop(0)
            pulled += len(message["body"])
            return message
        await asyncio.sleep(3600)

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/v1/x", "headers": headers}
    asyncio.run(asyncio.wait_for(app(scope, receive, send), 5))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], json.loads(body or b"{}"), pulled


async def reading_app(scope, receive, send):
    """Like Django's handler: read the body until done or disconnected, then answer 200."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def test_asgi_guard_refuses_a_declared_length_without_reading():
    app = BodySizeLimit(reading_app, max_bytes=100)
    status, body, pulled = run_asgi(app, [(b"content-length", b"101")], [b"x" * 101])
    assert (status, pulled) == (413, 0)
    assert body["error"]["code"] == "payload_too_large"


def test_asgi_guard_stops_a_chunked_body_at_the_limit():
    app = BodySizeLimit(reading_app, max_bytes=100)
    status, _, pulled = run_asgi(app, [], [b"x" * 60] * 10)
    assert status == 413
    assert pulled <= 120  # stopped right after the chunk that crossed the limit


def test_asgi_guard_lets_small_bodies_through():
    app = BodySizeLimit(reading_app, max_bytes=100)
    status, _, pulled = run_asgi(app, [(b"content-length", b"100")], [b"x" * 50, b"x" * 50])
    assert (status, pulled) == (200, 100)
