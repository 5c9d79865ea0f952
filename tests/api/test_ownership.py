"""Every object is visible only to its owner: another user's audit, page, link, finding or
token answers 404 on every endpoint (never 403), and lists never include it. The endpoint
list comes from the OpenAPI schema, so a new endpoint is covered without editing this test."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from accounts import services as account_services
from ai.models import AIContent
from audits.models import Audit, Finding, Link, Page
from tests.api.conftest import error_of

pytestmark = pytest.mark.django_db


def _operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


@pytest.fixture
def theirs(other_user, audit_factory):
    """Objects that belong to other_user."""
    audit = audit_factory(other_user, status=Audit.Status.RUNNING)
    token, _raw = account_services.api_token_create(user=other_user, name="theirs")
    page = Page.objects.filter(audit=audit).first()
    ai_content = AIContent.objects.create(kind=AIContent.Kind.FAQ, audit=audit, page=page,
                                          page_url=page.url, created_by=other_user)
    return {"audit": audit, "page": page, "ai_content": ai_content,
            "finding": Finding.objects.filter(audit=audit).first(), "token": token}


def _fill(path, objects):
    audit = objects["audit"]
    if path.startswith("/api/v1/tokens/"):
        return path.replace("{id}", str(objects["token"].pk))
    if path.startswith("/api/v1/ai-content/"):
        return path.replace("{id}", str(objects["ai_content"].pk))
    path = path.replace("{audit_id}", str(audit.pk))
    if "/pages/{id}" in path:
        return path.replace("{id}", str(objects["page"].pk))
    if "/findings/{id}" in path:
        return path.replace("{id}", str(objects["finding"].pk))
    return path.replace("{id}", str(audit.pk))


def test_every_object_endpoint_answers_404_to_another_user(api, theirs):
    checked = []
    for method, path, _operation in _operations():
        if "{" not in path or path.startswith("/api/v1/checks/"):
            continue  # the check catalog is public reference data, not owned
        url = _fill(path, theirs)
        response = getattr(api, method)(url, {}, format="json") if method in ("post", "put", "patch") \
            else getattr(api, method)(url)
        assert response.status_code == 404, (method, url, response.status_code)
        assert error_of(response)["code"] == "not_found"
        assert "other" not in response.content.decode().lower()
        checked.append((method, path))
    assert len(checked) >= 12, checked
    # Nothing was changed by those calls.
    audit = Audit.objects.get(pk=theirs["audit"].pk)
    assert audit.status == Audit.Status.RUNNING
    assert Audit.objects.count() == 1 and Page.objects.count() == 3 and Link.objects.count() == 9
    theirs["token"].refresh_from_db()
    assert theirs["token"].revoked_at is None


def test_the_owner_reaches_the_same_endpoints(other_api, theirs):
    """The same URLs work for the owner, so the 404s above are about ownership."""
    for method, path, _operation in _operations():
        if "{" not in path or method != "get" or path.startswith("/api/v1/checks/"):
            continue
        response = other_api.get(_fill(path, theirs))
        assert response.status_code == 200, (path, response.content[:200])


def test_lists_and_search_hold_only_the_callers_objects(api, other_user, audit_factory):
    audit_factory(other_user, url="https://secret.example/")
    account_services.api_token_create(user=other_user, name="theirs")
    assert api.get("/api/v1/audits").json()["results"] == []
    assert api.get("/api/v1/audits?site=secret.example").json()["results"] == []
    assert [t["name"] for t in api.get("/api/v1/tokens").json()["results"]] == ["tests"]
    found = api.get("/api/v1/search", {"q": "secret"}).json()
    assert found == {"audits": [], "pages": [], "findings": []}
    assert api.get("/api/v1/search", {"q": "title.missing"}).json()["findings"] == []


def test_idempotency_key_of_another_user_does_not_leak_their_audit(api, other_api):
    headers = {"HTTP_IDEMPOTENCY_KEY": "k"}
    theirs = other_api.post("/api/v1/audits", {"url": "https://a.example"}, format="json", **headers)
    mine = api.post("/api/v1/audits", {"url": "https://a.example"}, format="json", **headers)
    assert mine.json()["id"] != theirs.json()["id"]
