"""/api/v1/ai-content: 202 on request, status and result, filters, ownership, errors, limits."""

from __future__ import annotations

import uuid

import pytest
import yaml
from rest_framework.test import APIClient

from ai.models import AIContent
from ai.tasks import generate_content
from tests.api.conftest import bearer_client, error_of
from tests.audits.factories import UserFactory

from .conftest import page_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/ai-content"


@pytest.fixture(autouse=True)
def _no_limits(settings):
    settings.SEOAUDIT_RATE_LIMITS_ENABLED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api(audit) -> APIClient:
    return bearer_client(audit.owner)


def test_request_is_accepted_then_generated_on_commit(offline, audit, api,
                                                      django_capture_on_commit_callbacks):
    page = page_of(audit, "/cold-brew")
    with django_capture_on_commit_callbacks() as callbacks:
        response = api.post(URL + "/", {"audit": str(audit.pk), "kind": "title_meta",
                                        "page": page.pk}, format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "pending" and body["page"] == page.pk and body["kind"] == "title_meta"
    assert response["Location"].endswith(body["id"])
    assert len(callbacks) == 1
    generate_content(body["id"])  # what the worker runs (the callback enqueues exactly this)
    done = api.get(f"{URL}/{body['id']}").json()
    assert done["status"] == "done" and done["offline"] is True and done["provider"] == "offline"
    assert done["output"]["title"] == "Cold brew guide | Ember Coffee"
    generate_content(body["id"])  # a redelivered message changes nothing
    assert api.get(f"{URL}/{body['id']}").json()["finished_at"] == done["finished_at"]


def test_task_runs_through_celery_eagerly(offline, audit, api, settings,
                                          django_capture_on_commit_callbacks):
    from seoaudit.celery import app

    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(URL, {"audit": str(audit.pk), "kind": "geo_brief",
                                      "page_url": page_of(audit, "/cold-brew").url}, format="json")
    finally:
        app.conf.task_always_eager = False
    assert response.status_code == 202
    assert AIContent.objects.get(pk=response.json()["id"]).status == "done"


def test_list_is_filtered_by_audit_and_kind(offline, audit, api, user):
    for kind in ("faq", "faq", "title_meta"):
        assert api.post(URL, {"audit": str(audit.pk), "kind": kind}, format="json").status_code == 202
    rows = api.get(URL, {"audit": str(audit.pk), "kind": "faq"}).json()["results"]
    assert [row["kind"] for row in rows] == ["faq", "faq"]
    assert len(api.get(URL).json()["results"]) == 3
    assert api.get(URL, {"audit": str(uuid.uuid4())}).json()["results"] == []
    assert error_of(api.get(URL, {"audit": "nope"}))["code"] == "validation_error"


def test_other_users_audit_page_and_content_are_404(offline, audit, api):
    stranger = bearer_client(UserFactory())
    response = stranger.post(URL, {"audit": str(audit.pk), "kind": "faq"}, format="json")
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    mine = api.post(URL, {"audit": str(audit.pk), "kind": "faq"}, format="json").json()
    assert stranger.get(f"{URL}/{mine['id']}").status_code == 404
    assert stranger.get(URL).json()["results"] == []
    assert api.post(URL, {"audit": str(audit.pk), "kind": "faq", "page": 10**9},
                    format="json").status_code == 404


def test_invalid_requests_use_the_error_shape(offline, audit, api):
    response = api.post(URL, {"audit": str(audit.pk), "kind": "poem"}, format="json")
    assert response.status_code == 400 and error_of(response)["code"] == "validation_error"
    response = api.post(URL, {"audit": str(audit.pk), "kind": "json_ld",
                              "schema_type": "Recipe"}, format="json")
    assert response.status_code == 400 and "schema_type" in error_of(response)["details"]["fields"]
    assert APIClient().get(URL).status_code == 401


def test_ai_scope_is_rate_limited(offline, audit, api, settings):
    settings.SEOAUDIT_RATE_LIMITS_ENABLED = True
    settings.SEOAUDIT_RATE_LIMIT_NAMESPACE = f"test-{uuid.uuid4().hex}"
    settings.SEOAUDIT_RATE_LIMITS = {**settings.SEOAUDIT_RATE_LIMITS, "ai": "2/minute"}
    codes = [api.get(URL).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_openapi_documents_the_endpoint(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    operations = schema["paths"]["/api/v1/ai-content/"]
    assert {"get", "post"} <= set(operations)
    assert "202" in operations["post"]["responses"]
    assert "/api/v1/ai-content/{id}/" in schema["paths"]


def test_deleting_the_audit_deletes_its_ai_content(offline, audit, api):
    created = api.post(URL, {"audit": str(audit.pk), "kind": "faq"}, format="json").json()
    assert api.delete(f"/api/v1/audits/{audit.pk}").status_code == 204
    assert not AIContent.objects.filter(pk=created["id"]).exists()
    assert api.get(f"{URL}/{created['id']}").status_code == 404
