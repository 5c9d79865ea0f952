"""Every object is visible only to its owner: another user's audit, page, link, finding or
token answers 404 on every endpoint (never 403), and lists never include it. The endpoint
list comes from the OpenAPI schema, so a new endpoint is covered without editing this test."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from drf_spectacular.generators import SchemaGenerator

from accounts import services as account_services
from ai.models import AIContent
from audits.models import Audit, Finding, Link, Page
from pagespeed.models import Measurement
from reports.models import Report
from tests.api.conftest import error_of
from webhooks import services as webhook_services

pytestmark = pytest.mark.django_db


def _operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


@pytest.fixture
def theirs(other_user, audit_factory, settings, tmp_path):
    """Objects that belong to other_user."""
    audit = audit_factory(other_user, status=Audit.Status.RUNNING)
    token, _raw = account_services.api_token_create(user=other_user, name="theirs")
    settings.SEOAUDIT_REPORT_DIR = tmp_path / "reports"
    report = Report.objects.create(audit=audit, format="md", status=Report.Status.READY, size=9)
    report.file.save("report.md", ContentFile(b"# report\n"))
    endpoint = webhook_services.endpoint_create(owner=other_user, url="https://hooks.example.com/x")
    delivery = webhook_services.endpoint_send_test(endpoint=endpoint).deliveries.get()
    repository = webhook_services.github_repository_create(
        owner=other_user, full_name="acme/site", site_url="https://example.com/")
    page = Page.objects.filter(audit=audit).first()
    ai_content = AIContent.objects.create(kind=AIContent.Kind.FAQ, audit=audit, page=page,
                                          page_url=page.url, created_by=other_user)
    measurement = Measurement.objects.create(owner=other_user, audit=audit, page=page,
                                             url=page.url, form_factor="mobile", status="done")
    return {"audit": audit, "page": page, "ai_content": ai_content, "pagespeed": measurement,
            "finding": Finding.objects.filter(audit=audit).first(), "token": token,
            "report": report, "webhooks/endpoints": endpoint, "webhooks/deliveries": delivery,
            "webhooks/github/repositories": repository,
            **_their_keywords(other_user), **_their_visibility(other_user)}


def _their_keywords(owner):
    """A tracked site with a group, a keyword and a rank check (keywords app)."""
    from keywords import services as keyword_services
    from keywords.models import RankCheck

    site = keyword_services.site_create(owner=owner, url="https://their.example/")
    group = keyword_services.group_create(site=site, name="group")
    keyword, _ = keyword_services.keyword_create(site=site, phrase="their phrase", group=group)
    check = RankCheck.objects.create(keyword=keyword, checked_on="2026-01-01", position=4, provider="x")
    return {"site": site, "group": group, "keyword": keyword, "check": check}


def _their_visibility(owner):
    """Brand settings, a tracked prompt and an answer run (visibility app)."""
    from keywords import services as keyword_services
    from visibility import services as visibility_services
    from visibility.models import AnswerRun

    site = keyword_services.site_create(owner=owner, url="https://their-brand.example/")
    visibility_services.brand_update(site=site, brand_name="Theirs")
    prompt, _ = visibility_services.prompt_create(site=site, question="their question")
    run = AnswerRun.objects.create(prompt=prompt, engine="openai", run_on="2026-01-01", status="ok")
    return {"ai_site": site, "ai_prompt": prompt, "ai_run": run}


def _fill(path, objects):
    audit = objects["audit"]
    if path.startswith("/api/v1/tokens/"):
        return path.replace("{id}", str(objects["token"].pk))
    if path.startswith("/api/v1/ai-content/"):
        return path.replace("{id}", str(objects["ai_content"].pk))
    if path.startswith("/api/v1/pagespeed/"):
        return path.replace("{id}", str(objects["pagespeed"].pk))
    for prefix, key in (("/api/v1/ai-visibility/sites/", "ai_site"),
                        ("/api/v1/ai-visibility/prompts/", "ai_prompt"),
                        ("/api/v1/ai-visibility/runs/", "ai_run"),
                        ("/api/v1/keywords/sites/", "site"), ("/api/v1/keywords/groups/", "group"),
                        ("/api/v1/rank-tracking/sites/", "site"),
                        ("/api/v1/rank-tracking/checks/", "check"), ("/api/v1/keywords/", "keyword")):
        if path.startswith(prefix):
            return path.replace("{id}", str(objects[key].pk))
    for prefix in ("webhooks/endpoints", "webhooks/deliveries", "webhooks/github/repositories"):
        if path.startswith(f"/api/v1/{prefix}/"):
            return path.replace("{id}", str(objects[prefix].pk))
    path = path.replace("{audit_id}", str(audit.pk)).replace("{fmt}", "md")
    path = path.replace("{report_id}", str(objects["report"].pk))
    path = path.replace("{site}", urlsplit(audit.normalized_url).hostname or "")  # analytics
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
    endpoint = theirs["webhooks/endpoints"]
    assert endpoint.deliveries.count() == 1 and type(endpoint).objects.get(pk=endpoint.pk).is_active
    assert type(theirs["webhooks/github/repositories"]).objects.count() == 1
    assert Measurement.objects.filter(pk=theirs["pagespeed"].pk, status="done").exists()
    for key in ("site", "group", "keyword", "check",  # keywords app: nothing deleted
                "ai_site", "ai_prompt", "ai_run"):  # visibility app
        assert type(theirs[key]).objects.filter(pk=theirs[key].pk).exists(), key


def test_the_owner_reaches_the_same_endpoints(other_api, theirs):
    """The same URLs work for the owner, so the 404s above are about ownership (the audit has
    finished, so its reports can be rendered)."""
    Audit.objects.filter(pk=theirs["audit"].pk).update(status=Audit.Status.COMPLETED)
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
