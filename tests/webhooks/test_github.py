"""The incoming GitHub webhook: signature, replays, events that start audits, errors."""

from __future__ import annotations

import json
import uuid

import pytest
from rest_framework.test import APIClient

from audits.models import Audit
from webhooks.models import GitHubDelivery, GitHubRepository
from webhooks.signing import github_signature, github_signature_valid

URL = "/api/v1/webhooks/github/incoming"
SECRET = "gh-test-secret"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.GITHUB_WEBHOOK_SECRET = SECRET


def test_githubs_published_test_vector():
    secret, body = "It's a Secret to Everybody", b"Hello, World!"
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert github_signature(secret, body) == expected
    assert github_signature_valid(secret=secret, body=body, header=expected)
    assert not github_signature_valid(secret=secret, body=b"Hello, World?", header=expected)


def send(event: str, payload, *, delivery: str | None = None, secret: str = SECRET,
         signature: str | None = None, client: APIClient | None = None):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"HTTP_X_GITHUB_EVENT": event,
               "HTTP_X_GITHUB_DELIVERY": delivery or str(uuid.uuid4())}
    sig = signature if signature is not None else github_signature(secret, body)
    if sig:
        headers["HTTP_X_HUB_SIGNATURE_256"] = sig
    return (client or APIClient()).post(URL, data=body, content_type="application/json", **headers)


def push(ref: str = "refs/heads/main", repo: str = "Acme/Site") -> dict:
    return {"ref": ref, "repository": {"full_name": repo, "default_branch": "main"}}


@pytest.fixture
def mapping(user):
    return GitHubRepository.objects.create(owner=user, full_name="acme/site",
                                           site_url="https://example.com/",
                                           audit_options={"max_pages": 5})


def test_ping_answers_pong():
    response = send("ping", {"zen": "Keep it logically awesome.", "hook_id": 1})
    assert response.status_code == 200
    assert response.json()["status"] == "pong"


@pytest.mark.parametrize("signature", ["", "sha256=" + "0" * 64, "sha1=abc"])
def test_missing_or_bad_signature_is_401(signature, mapping):
    response = send("push", push(), signature=signature)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_signature"
    assert not Audit.objects.exists() and not GitHubDelivery.objects.exists()


def test_signature_with_another_secret_is_401(mapping):
    assert send("push", push(), secret="not-the-secret").status_code == 401


def test_no_configured_secret_is_503(settings):
    settings.GITHUB_WEBHOOK_SECRET = ""
    response = send("ping", {"zen": "x"}, signature="sha256=" + "0" * 64)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "webhook_not_configured"


def test_push_to_default_branch_starts_an_audit_of_the_mapped_site(mapping, user):
    response = send("push", push())
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["status"] == "audit_started"
    audit = Audit.objects.get()
    assert audit.owner == user and audit.normalized_url == "https://example.com/"
    assert audit.options["max_pages"] == 5
    assert body["audits"][0]["audit_id"] == str(audit.pk)


def test_push_to_another_branch_is_ignored(mapping):
    response = send("push", push(ref="refs/heads/feature"))
    assert response.status_code == 202 and response.json()["status"] == "ignored"
    assert not Audit.objects.exists()


def test_replayed_delivery_is_ignored_and_starts_no_second_audit(mapping):
    delivery = str(uuid.uuid4())
    assert send("push", push(), delivery=delivery).status_code == 202
    # The first audit finishes, so a new delivery would start another one; the replay must not.
    Audit.objects.update(status=Audit.Status.COMPLETED)
    replay = send("push", push(), delivery=delivery)
    assert replay.status_code == 200
    assert replay.json()["message"] == "duplicate delivery ignored"
    assert Audit.objects.count() == 1
    assert send("push", push()).status_code == 202  # a genuinely new delivery does start one
    assert Audit.objects.count() == 2


def test_successful_deployment_starts_an_audit_other_states_do_not(mapping):
    base = {"repository": {"full_name": "acme/site", "default_branch": "main"}}
    pending = send("deployment_status", {**base, "deployment_status": {"state": "pending"}})
    assert pending.status_code == 202 and pending.json()["status"] == "ignored"
    assert not Audit.objects.exists()
    ok = send("deployment_status", {**base, "deployment_status": {"state": "success"}})
    assert ok.status_code == 202 and ok.json()["status"] == "audit_started"
    assert Audit.objects.count() == 1


def test_other_events_and_unmapped_repositories_are_ignored(mapping):
    issues = send("issues", {"action": "opened", "repository": {"full_name": "acme/site"}})
    assert issues.status_code == 202 and issues.json()["status"] == "ignored"
    unmapped = send("push", push(repo="someone/else"))
    assert unmapped.status_code == 202 and unmapped.json()["status"] == "ignored"
    assert not Audit.objects.exists()


def test_inactive_mapping_starts_nothing(mapping):
    GitHubRepository.objects.update(is_active=False)
    assert send("push", push()).json()["status"] == "ignored"
    assert not Audit.objects.exists()


def test_private_site_is_refused_with_422(user):
    GitHubRepository.objects.create(owner=user, full_name="acme/site",
                                    site_url="http://127.0.0.1:8000/")
    response = send("push", push())
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "audit_refused"
    assert not Audit.objects.exists()


def test_malformed_json_is_400_in_the_error_shape():
    response = send("push", b'{"ref": ')
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"


def test_oversized_body_is_413(settings):
    settings.SEOAUDIT_MAX_REQUEST_BODY = 1000
    response = send("push", {"padding": "x" * 2000})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_missing_delivery_header_is_400():
    body = b'{"zen": "x"}'
    response = APIClient().post(URL, data=body, content_type="application/json",
                                HTTP_X_GITHUB_EVENT="ping",
                                HTTP_X_HUB_SIGNATURE_256=github_signature(SECRET, body))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_delivery"


def test_repository_mappings_api_is_owner_scoped(api, other_api):
    created = api.post("/api/v1/webhooks/github/repositories",
                       {"full_name": "Acme/Site", "site_url": "https://example.com/"}, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["full_name"] == "acme/site"
    assert api.get("/api/v1/webhooks/github/repositories").json()["results"][0]["id"] == pk
    assert other_api.get(f"/api/v1/webhooks/github/repositories/{pk}").status_code == 404
    assert other_api.delete(f"/api/v1/webhooks/github/repositories/{pk}").status_code == 404
    assert other_api.get("/api/v1/webhooks/github/repositories").json()["results"] == []
    bad = api.post("/api/v1/webhooks/github/repositories",
                   {"full_name": "no-slash", "site_url": "https://example.com/"}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_repository"
    bad_site = api.post("/api/v1/webhooks/github/repositories",
                        {"full_name": "acme/other", "site_url": "http://exa mple.com/"}, format="json")
    assert bad_site.status_code == 400 and "site_url" in bad_site.json()["error"]["message"]
    assert api.patch(f"/api/v1/webhooks/github/repositories/{pk}", {"is_active": False},
                     format="json").json()["is_active"] is False


def test_incoming_operation_has_no_security_in_openapi():
    schema = APIClient().get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/webhooks/github/incoming"]["post"]
    assert "security" not in schema and operation.get("security") in (None, [], [{}])
    assert schema["paths"]["/api/v1/webhooks/endpoints"]["get"]["security"]  # the others need a token


def test_incoming_is_counted_in_the_webhooks_rate_class(settings):
    settings.SEOAUDIT_RATE_LIMIT_NAMESPACE = f"test-{uuid.uuid4().hex}"
    settings.SEOAUDIT_RATE_LIMITS = {**settings.SEOAUDIT_RATE_LIMITS, "webhooks": "3/minute",
                                     "default": "1/minute"}
    settings.SEOAUDIT_RATE_LIMITS_ENABLED = True
    settings.SEOAUDIT_RATE_LIMIT_TRUSTED_IPS = []
    answers = [send("ping", {"zen": "z"}) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0]["X-RateLimit-Limit"] == "3"
    assert answers[3].json()["error"]["code"] == "rate_limited"
