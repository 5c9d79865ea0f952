"""Audits API: create (validation, idempotency), list (filters, ordering, cursor), retrieve,
delete, cancel, re-run, nested pages/links/findings, summary, score and progress."""

from __future__ import annotations

import json

import pytest

from audits.models import Audit, Finding, Link, Page
from tests.api.conftest import error_of

pytestmark = pytest.mark.django_db


def _create(api, url="https://example.com", options=None, **headers):
    body = {"url": url} if options is None else {"url": url, "options": options}
    return api.post("/api/v1/audits", body, format="json", **headers)


def test_create_is_201_then_200_for_the_same_active_url(api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = api.post("/api/v1/audits", {"url": "HTTPS://Example.com"}, format="json")
    assert first.status_code == 201 and len(callbacks) == 1  # crawl enqueued after commit
    body = first.json()
    assert body["normalized_url"] == "https://example.com/" and body["status"] == "PENDING"
    again = api.post("/api/v1/audits", {"url": "https://example.com/"}, format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    Audit.objects.filter(pk=body["id"]).update(status=Audit.Status.COMPLETED)
    third = api.post("/api/v1/audits", {"url": "https://example.com/"}, format="json")
    assert third.status_code == 201 and third.json()["id"] != body["id"]


def test_idn_is_stored_as_punycode(api):
    response = api.post("/api/v1/audits", {"url": "https://bücher.example/"}, format="json")
    assert response.status_code == 201
    assert response.json()["normalized_url"] == "https://xn--bcher-kva.example/"


@pytest.mark.parametrize(("url", "fragment"), [
    ("ftp://example.com/", "scheme"),
    ("https://", "host"),
    ("https://example.com/" + "a" * 2050, "2048"),
    ("http://127.0.0.1/", "loopback"),
    ("http://10.1.2.3/", "private"),
    ("http://[::1]:8080/", "loopback"),
    ("http://169.254.169.254/latest/meta-data", "metadata"),
    ("http://localhost:8000/", "this machine"),
    ("http://app.localhost/", "this machine"),
    ("http://example.com:22/", "port"),
])
def test_create_refuses_bad_or_private_urls(api, url, fragment):
    response = api.post("/api/v1/audits", {"url": url}, format="json")
    assert response.status_code == 400, response.content
    error = error_of(response)
    assert error["code"] in ("invalid_url", "validation_error")
    assert fragment in error["message"].lower() or fragment in str(error["details"]).lower()
    assert not Audit.objects.exists()


def test_private_urls_are_allowed_when_the_deployment_says_so(api, settings):
    settings.SEOAUDIT_ALLOW_PRIVATE_NETWORKS = True
    assert api.post("/api/v1/audits", {"url": "http://127.0.0.1:8080/"}, format="json").status_code == 201


@pytest.mark.parametrize("options", [
    {"max_pages": 0}, {"max_pages": 10**9}, {"max_pages": "lots"}, {"max_depth": -1},
    {"ignore_robots": "yes"}, {"unknown": 1}, {"allow_private": True},
    {"include": ["("]}, {"user_agent": "bot\x00"}, {"include": ["a\x00"]},
])
def test_create_validates_options_within_deployment_bounds(api, options):
    response = api.post("/api/v1/audits", {"url": "https://example.com", "options": options}, format="json")
    assert response.status_code == 400, (options, response.content)
    assert error_of(response)["code"] in ("invalid_options", "validation_error")


def test_max_pages_bound_comes_from_settings(api, settings):
    settings.SEOAUDIT_MAX_PAGES_LIMIT = 50
    assert _create(api, options={"max_pages": 51}).status_code == 400
    good = _create(api, options={"max_pages": 50})
    assert good.status_code == 201 and good.json()["options"] == {"max_pages": 50}


def test_idempotency_key_replays_and_refuses_a_different_body(api):
    headers = {"HTTP_IDEMPOTENCY_KEY": "key-123"}
    first = api.post("/api/v1/audits", {"url": "https://a.example"}, format="json", **headers)
    assert first.status_code == 201
    Audit.objects.update(status=Audit.Status.COMPLETED)  # even once the audit finished
    replay = api.post("/api/v1/audits", {"url": "https://a.example"}, format="json", **headers)
    assert replay.status_code == 200 and replay.json()["id"] == first.json()["id"]
    other = api.post("/api/v1/audits", {"url": "https://b.example"}, format="json", **headers)
    assert other.status_code == 422 and error_of(other)["code"] == "idempotency_key_reused"
    assert Audit.objects.count() == 1


def test_idempotency_keys_are_per_user(api, other_api):
    headers = {"HTTP_IDEMPOTENCY_KEY": "shared"}
    mine = api.post("/api/v1/audits", {"url": "https://a.example"}, format="json", **headers)
    theirs = other_api.post("/api/v1/audits", {"url": "https://a.example"}, format="json", **headers)
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]


def test_a_refused_request_does_not_burn_its_idempotency_key(api):
    headers = {"HTTP_IDEMPOTENCY_KEY": "retry-me"}
    assert _create(api, "ftp://x", **headers).status_code == 400
    assert _create(api, "https://x.example", **headers).status_code == 201


def test_list_filters_ordering_and_cursor(api, user, audit_factory):
    a = audit_factory(user, url="https://alpha.example/")
    b = audit_factory(user, url="https://beta.example/", status=Audit.Status.FAILED)
    c = audit_factory(user, url="http://alpha.example:8080/", status=Audit.Status.RUNNING)
    ids = lambda r: [row["id"] for row in r.json()["results"]]  # noqa: E731
    assert ids(api.get("/api/v1/audits")) == [str(c.pk), str(b.pk), str(a.pk)]
    assert ids(api.get("/api/v1/audits?ordering=created_at")) == [str(a.pk), str(b.pk), str(c.pk)]
    assert ids(api.get("/api/v1/audits?status=FAILED")) == [str(b.pk)]
    assert set(ids(api.get("/api/v1/audits?status=FAILED&status=RUNNING"))) == {str(b.pk), str(c.pk)}
    assert set(ids(api.get("/api/v1/audits?site=alpha.example"))) == {str(a.pk), str(c.pk)}
    Audit.objects.filter(pk=a.pk).update(created_at="2020-01-01T00:00:00Z")
    assert ids(api.get("/api/v1/audits?created_before=2021-01-01T00:00:00Z")) == [str(a.pk)]
    assert str(a.pk) not in ids(api.get("/api/v1/audits?created_after=2021-01-01T00:00:00Z"))
    page1 = api.get("/api/v1/audits?page_size=2").json()
    assert len(page1["results"]) == 2 and page1["next"]
    page2 = api.get(page1["next"]).json()
    assert len(page2["results"]) == 1 and page2["next"] is None
    assert {r["id"] for r in page1["results"] + page2["results"]} == {str(a.pk), str(b.pk), str(c.pk)}


@pytest.mark.parametrize("query", ["status=NOPE", "created_after=yesterday", "cursor=garbage",
                                   "created_after=0001-01-01T00:00:00%2B05:00"])
def test_bad_list_parameters_are_400(api, query):
    response = api.get(f"/api/v1/audits?{query}")
    assert response.status_code == 400 and error_of(response)["code"] == "validation_error"


def test_extreme_time_zone_offsets_are_converted_not_500(api, user, audit_factory):
    audit_factory(user)
    response = api.get("/api/v1/audits?created_after=0218-03-17T06:15:28%2B22:09")
    assert response.status_code == 200 and len(response.json()["results"]) == 1


def test_retrieve_delete(api, user, audit_factory):
    audit = audit_factory(user)
    assert api.get(f"/api/v1/audits/{audit.pk}").json()["seo_score"] == 87.5
    assert api.delete(f"/api/v1/audits/{audit.pk}").status_code == 204
    assert not Audit.objects.exists() and not Page.objects.exists()
    assert not Link.objects.exists() and not Finding.objects.exists()
    assert api.get(f"/api/v1/audits/{audit.pk}").status_code == 404


def test_cancel_active_then_409_when_finished(api, user, audit_factory):
    audit = audit_factory(user, status=Audit.Status.RUNNING)
    response = api.post(f"/api/v1/audits/{audit.pk}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "CANCELLED"
    again = api.post(f"/api/v1/audits/{audit.pk}/cancel")
    assert again.status_code == 409 and error_of(again)["code"] == "audit_not_active"


def test_rerun_starts_a_new_audit_with_the_same_options(api, user, audit_factory):
    audit = audit_factory(user)
    Audit.objects.filter(pk=audit.pk).update(options={"max_pages": 7})
    response = api.post(f"/api/v1/audits/{audit.pk}/rerun")
    assert response.status_code == 201
    body = response.json()
    assert body["id"] != str(audit.pk) and body["options"] == {"max_pages": 7}
    again = api.post(f"/api/v1/audits/{audit.pk}/rerun")
    assert again.status_code == 200 and again.json()["id"] == body["id"]


def test_pages_links_findings(api, user, audit_factory):
    audit = audit_factory(user)
    base = f"/api/v1/audits/{audit.pk}"
    pages = api.get(f"{base}/pages").json()["results"]
    assert [p["url"] for p in pages] == [f"https://example.com/p{i}" for i in range(3)]
    assert "facts" not in pages[0]
    detail = api.get(f"{base}/pages/{pages[0]['id']}").json()
    assert detail["facts"] == {"lang": "en"} and detail["redirect_chain"] == []
    assert [p["status"] for p in api.get(f"{base}/pages?status=404").json()["results"]] == [404]
    assert len(api.get(f"{base}/pages?indexable=true").json()["results"]) == 2
    one = api.get(f"{base}/pages", {"url": "https://example.com/p1"}).json()["results"]
    assert [p["url"] for p in one] == ["https://example.com/p1"]

    links = api.get(f"{base}/links?page_size=4").json()
    assert len(links["results"]) == 4 and links["next"]
    assert links["results"][0]["source_url"] == "https://example.com/p0"
    from_p1 = api.get(f"{base}/links", {"source": pages[1]["id"]}).json()["results"]
    assert len(from_p1) == 3 and {link["source"] for link in from_p1} == {pages[1]["id"]}

    findings = api.get(f"{base}/findings").json()["results"]
    assert len(findings) == 3 and findings[0]["title"]
    assert len(api.get(f"{base}/findings?severity=error").json()["results"]) == 2
    assert len(api.get(f"{base}/findings?category=sitemaps").json()["results"]) == 1
    assert len(api.get(f"{base}/findings?code=seo.title.missing").json()["results"]) == 2
    by_page = api.get(f"{base}/findings", {"page_url": "https://example.com/p0"}).json()["results"]
    assert [f["page_url"] for f in by_page] == ["https://example.com/p0"]
    site_wide = api.get(f"{base}/findings?site_wide=true").json()["results"]
    assert [f["page_url"] for f in site_wide] == [None]
    finding = api.get(f"{base}/findings/{findings[0]['id']}").json()
    assert finding["code"] == findings[0]["code"]


def test_summary_score_progress(api, user, audit_factory):
    audit = audit_factory(user)
    base = f"/api/v1/audits/{audit.pk}"
    summary = api.get(f"{base}/findings/summary").json()
    assert summary["total"] == 3 and summary["by_severity"] == {"error": 2, "warning": 1, "notice": 0}
    assert summary["checks"][0] == {"code": "seo.title.missing", "severity": "error",
                                    "category": "on_page", "count": 2,
                                    "title": summary["checks"][0]["title"]}
    score = api.get(f"{base}/score").json()
    assert score["seo_score"] == 87.5 and score["geo"]["score"] == 64.0
    assert "geo" not in score["seo"] and score["seo"]["top_losses"][0]["code"] == "seo.title.missing"
    progress = api.get(f"{base}/progress").json()
    assert progress["audit_id"] == str(audit.pk) and progress["progress"] == 100


def test_score_of_an_unfinished_audit_is_null(api, user):
    audit = Audit.objects.create(owner=user, url="https://x.example/", normalized_url="https://x.example/")
    score = api.get(f"/api/v1/audits/{audit.pk}/score").json()
    assert score == {"status": "PENDING", "seo_score": None, "geo_score": None, "seo": None, "geo": None}


def test_checks_catalog(api):
    checks = api.get("/api/v1/checks").json()
    assert len(checks) > 50 and {"code", "severity", "title", "fix", "reference"} <= set(checks[0])
    geo = api.get("/api/v1/checks?category=geo").json()
    assert geo and all(c["category"] == "geo" and c["component"] for c in geo)
    one = api.get("/api/v1/checks/seo.title.missing")
    assert one.status_code == 200 and one.json()["severity"] == "error"
    missing = api.get("/api/v1/checks/seo.nope")
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"


def test_search(api, user, other_user, audit_factory):
    audit_factory(user, url="https://findme.example/")
    audit_factory(other_user, url="https://findme-too.example/")
    result = api.get("/api/v1/search", {"q": "findme"}).json()
    assert [a["normalized_url"] for a in result["audits"]] == ["https://findme.example/"]
    assert len(result["pages"]) == 3
    assert all(p["url"].startswith("https://findme.example/") for p in result["pages"])
    titles = api.get("/api/v1/search", {"q": "Page number 2"}).json()["pages"]
    assert [p["title"] for p in titles] == ["Page number 2"]
    findings = api.get("/api/v1/search", {"q": "title.missing"}).json()["findings"]
    assert len(findings) == 2 and all(f["code"] == "seo.title.missing" for f in findings)
    assert api.get("/api/v1/search", {"q": "x"}).status_code == 400
    assert api.get("/api/v1/search").status_code == 400


def test_list_queries_do_not_grow_with_the_page(api, user, audit_factory, django_assert_max_num_queries):
    audit = audit_factory(user, pages=12)
    base = f"/api/v1/audits/{audit.pk}"
    for path in (f"{base}/findings?page_size=100", f"{base}/links?page_size=100",
                 f"{base}/pages?page_size=100", "/api/v1/audits", f"{base}"):
        with django_assert_max_num_queries(5):  # token, audit, rows (+ last_used_at once a minute)
            assert api.get(path).status_code == 200


def test_findings_rows_match_the_generic_serializer(api, user, audit_factory):
    """FindingSerializer writes its rows by hand (hot path): same keys, values and types as
    DRF's generic field walk over the declared fields, for list and retrieve."""
    from rest_framework import serializers as drf

    from audits.api.serializers import FindingSerializer

    audit = audit_factory(user)
    base = f"/api/v1/audits/{audit.pk}/findings"
    listed = api.get(base).json()["results"]
    expected = []
    for finding in Finding.objects.filter(audit=audit).select_related("page").order_by("id"):
        finding.page_url = finding.page.url if finding.page else None
        expected.append(drf.ModelSerializer.to_representation(FindingSerializer(), finding))
    assert listed == json.loads(json.dumps(expected)) and len(listed) == 3
    assert {row["page_url"] for row in listed} == {"https://example.com/p0", "https://example.com/p2", None}
    assert api.get(f"{base}/{listed[0]['id']}").json() == listed[0]


def test_cached_serializer_fields_are_per_instance_and_serialize_the_same(user, audit_factory):
    from rest_framework import serializers as drf

    from audits.api.serializers import AuditSerializer

    class Generic(drf.ModelSerializer):
        options = drf.DictField(read_only=True)
        scores = drf.DictField(read_only=True)
        queue_position = drf.SerializerMethodField()
        get_queue_position = AuditSerializer.get_queue_position

        class Meta(AuditSerializer.Meta):
            pass

    audit = audit_factory(user)
    first, second = AuditSerializer(audit), AuditSerializer(audit)
    assert first.fields["status"] is not second.fields["status"]
    assert first.fields["status"].parent is first and second.fields["status"].parent is second
    assert first.data == second.data == Generic(audit).data
