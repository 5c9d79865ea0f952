"""Who may follow a stream: session cookie, bearer token, stream token; ownership (404)."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.core import signing
from django.test import Client

from audits.models import Audit
from audits.sse.tokens import InvalidStreamToken, stream_token_issue, stream_token_user_id

from .conftest import make_audit, open_stream, session_cookies

pytestmark = pytest.mark.django_db(transaction=True)


def _get(server: str, path: str, **kwargs) -> httpx.Response:
    with httpx.Client(base_url=server, timeout=5) as client:
        return client.get(path, **kwargs)


def _issue(server: str, caller, audit_id) -> dict:
    with httpx.Client(base_url=server, timeout=5) as client:
        response = client.post(f"/api/v1/audits/{audit_id}/stream-token", headers=caller.bearer)
    assert response.status_code == 201, response.text
    return response.json()


def _assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body["error"]) == {"code", "message", "details"} and body["error"]["code"] == code


def test_session_cookie(server, caller):
    audit = make_audit(caller.user, status=Audit.Status.COMPLETED)
    with open_stream(server, audit.pk, cookies=session_cookies(caller.user)) as (response, reader):
        assert response.status_code == 200
        assert reader.next().snapshot["audit_id"] == str(audit.pk)


def test_bearer_jwt(server, caller):
    audit = make_audit(caller.user, status=Audit.Status.COMPLETED)
    jwt = httpx.post(f"{server}/api/v1/auth/token", timeout=5,
                     json={"username": caller.user.username, "password": "pw-for-tests-only"})
    assert jwt.status_code == 200, jwt.text
    access = jwt.json()["access"]
    with open_stream(server, audit.pk, headers={"Authorization": f"Bearer {access}"}) \
            as (response, reader):
        assert response.status_code == 200 and reader.next().event == "completed"


def test_no_credentials_and_bad_bearer_are_401(server, caller):
    audit = make_audit(caller.user)
    _assert_error(_get(server, f"/api/v1/audits/{audit.pk}/events"), 401, "not_authenticated")
    bad = _get(server, f"/api/v1/audits/{audit.pk}/events",
               headers={"Authorization": "Bearer sat_not-a-real-token"})
    _assert_error(bad, 401, "authentication_failed")
    assert bad.headers["WWW-Authenticate"].startswith("Bearer")


def test_other_users_audit_is_404_for_every_credential(server, caller, other_caller):
    theirs = make_audit(other_caller.user)
    path = f"/api/v1/audits/{theirs.pk}/events"
    _assert_error(_get(server, path, headers=caller.bearer), 404, "not_found")
    _assert_error(_get(server, path, cookies=session_cookies(caller.user)), 404, "not_found")
    with httpx.Client(base_url=server, timeout=5) as client:
        issued = client.post(f"/api/v1/audits/{theirs.pk}/stream-token", headers=caller.bearer)
    _assert_error(issued, 404, "not_found")
    # a token the owner issued, later used after the audit changed hands is still checked
    token, _ = stream_token_issue(user=caller.user, audit_id=theirs.pk)
    _assert_error(_get(server, path, params={"token": token}), 404, "not_found")


def test_stream_token_round_trip(server, caller):
    audit = make_audit(caller.user, status=Audit.Status.COMPLETED)
    issued = _issue(server, caller, audit.pk)
    assert set(issued) == {"token", "expires_at", "events_url"}
    assert issued["events_url"].startswith(f"/api/v1/audits/{audit.pk}/events?token=")
    assert parse_qs(urlsplit(issued["events_url"]).query)["token"] == [issued["token"]]
    with httpx.Client(base_url=server, timeout=5) as client, \
            client.stream("GET", issued["events_url"]) as response:
        assert response.status_code == 200
        body = response.read().decode()
    assert "event: completed" in body and str(audit.pk) in body


def test_expired_token(server, caller, settings):
    audit = make_audit(caller.user)
    issued = _issue(server, caller, audit.pk)
    settings.SSE_STREAM_TOKEN_TTL = 1
    time.sleep(2.1)
    response = _get(server, f"/api/v1/audits/{audit.pk}/events", params={"token": issued["token"]})
    _assert_error(response, 401, "invalid_stream_token")
    assert "expired" in response.json()["error"]["message"]


def test_tampered_token(server, caller, other_caller):
    audit = make_audit(caller.user)
    token = _issue(server, caller, audit.pk)["token"]
    payload, stamp, signature = token.split(":")
    # claim another user with the original signature
    forged_payload = signing.b64_encode(
        signing.JSONSerializer().dumps({"u": other_caller.user.pk, "a": str(audit.pk)})).decode()
    for forged in (f"{forged_payload}:{stamp}:{signature}",
                   f"{payload}:{stamp}:{signature[:-2]}xx", "garbage", ""):
        response = _get(server, f"/api/v1/audits/{audit.pk}/events", params={"token": forged})
        _assert_error(response, 401, "invalid_stream_token")


def test_token_for_another_audit(server, caller):
    first = make_audit(caller.user)
    second = make_audit(caller.user, status=Audit.Status.COMPLETED)
    token = _issue(server, caller, first.pk)["token"]
    response = _get(server, f"/api/v1/audits/{second.pk}/events", params={"token": token})
    _assert_error(response, 401, "invalid_stream_token")
    with pytest.raises(InvalidStreamToken, match="not for this audit"):
        stream_token_user_id(token=token, audit_id=second.pk)
    assert stream_token_user_id(token=token, audit_id=first.pk) == caller.user.pk


def test_token_of_a_deactivated_user(server, caller):
    audit = make_audit(caller.user)
    token = _issue(server, caller, audit.pk)["token"]
    type(caller.user).objects.filter(pk=caller.user.pk).update(is_active=False)
    _assert_error(_get(server, f"/api/v1/audits/{audit.pk}/events", params={"token": token}),
                  401, "invalid_stream_token")


def test_wsgi_dev_server_streams_too(caller):
    """Under runserver (WSGI) the same view streams through a blocking iterator."""
    audit = make_audit(caller.user, status=Audit.Status.FAILED, error="unreachable")
    client = Client()
    client.force_login(caller.user)
    response = client.get(f"/api/v1/audits/{audit.pk}/events")
    assert response.status_code == 200 and response.streaming
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("retry: 3000\nid: 0\nevent: failed\ndata: {")
    assert '"error":"unreachable"' in body


def test_schema_documents_the_stream_and_the_token(server):
    schema = _get(server, "/api/schema/", params={"format": "json"}).json()
    events = schema["paths"]["/api/v1/audits/{id}/events"]["get"]
    assert "text/event-stream" in events["responses"]["200"]["content"]
    assert {"401", "404", "429"} <= set(events["responses"])
    token = schema["paths"]["/api/v1/audits/{id}/stream-token"]["post"]
    assert "201" in token["responses"]
