"""Owner analytics API on real audits: trends and portfolio numbers match the database, other
users' sites do not exist, queries stay bounded."""

from __future__ import annotations

import pytest
from django.db.models import Count
from rest_framework.test import APIClient

from accounts import services as account_services
from audits import services
from audits.models import Audit, Finding
from tests.audits.factories import UserFactory

from .conftest import bulk_audits, site_v1, site_v2

pytestmark = pytest.mark.django_db(transaction=True)


def api_for(user) -> APIClient:
    _, raw = account_services.api_token_create(user=user, name="analytics tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def db_counts(audit: Audit) -> dict[str, int]:
    rows = Finding.objects.filter(audit=audit).values("severity").annotate(n=Count("id"))
    counts = {"error": 0, "warning": 0, "notice": 0}
    counts.update({row["severity"]: row["n"] for row in rows})
    return counts


def test_site_trend_follows_two_crawls_of_a_site_that_changed(crawl):
    owner = UserFactory()
    before = crawl(owner, site_v1())
    after = crawl(owner, site_v2())
    api = api_for(owner)

    sites = api.get("/api/v1/analytics/sites").json()
    assert [(s["site"], s["audits"], s["completed"], s["running"]) for s in sites] == [
        ("127.0.0.1", 2, 2, 0)]

    trend = api.get("/api/v1/analytics/sites/127.0.0.1")
    assert trend.status_code == 200
    points = trend.json()["points"]
    assert [p["audit_id"] for p in points] == [str(before.pk), str(after.pk)]  # oldest first
    for point, audit in zip(points, (before, after), strict=True):
        counts = db_counts(audit)
        assert point["seo_score"] == audit.seo_score and point["geo_score"] == audit.geo_score
        assert (point["errors"], point["warnings"], point["notices"]) == (
            counts["error"], counts["warning"], counts["notice"])
        assert point["findings"] == Finding.objects.filter(audit=audit).count()
        assert point["pages_crawled"] == audit.pages_crawled
    # the fixes show: fewer errors, a better score
    assert points[1]["errors"] < points[0]["errors"]
    assert points[1]["seo_score"] > points[0]["seo_score"]


def test_portfolio_shows_latest_scores_change_and_running_audits(crawl):
    owner = UserFactory()
    first = crawl(owner, site_v1())
    latest = crawl(owner, site_v2())
    other_site = crawl(owner, site_v2(), host="localhost")
    pending = services.audit_create(owner=owner, url="https://pending.example/", enqueue=False)

    body = api_for(owner).get("/api/v1/analytics/portfolio").json()
    by_site = {s["site"]: s for s in body["sites"]}
    assert set(by_site) == {"127.0.0.1", "localhost", "pending.example"}
    assert body["totals"] == {"sites": 3, "audits": 4, "running": 1}

    local = by_site["127.0.0.1"]
    assert local["latest"]["audit_id"] == str(latest.pk)
    assert local["previous"]["audit_id"] == str(first.pk)
    assert local["seo_change"] == pytest.approx(round(latest.seo_score - first.seo_score, 1))
    assert local["errors_change"] == db_counts(latest)["error"] - db_counts(first)["error"]
    assert local["running"] == 0 and local["audits"] == 2

    alone = by_site["localhost"]
    assert alone["latest"]["audit_id"] == str(other_site.pk) and alone["previous"] is None
    assert alone["seo_change"] is None

    waiting = by_site["pending.example"]
    assert waiting["running"] == 1 and waiting["latest"] is None
    assert pending.status == Audit.Status.PENDING


def test_another_users_site_does_not_exist(crawl):
    owner, stranger = UserFactory(), UserFactory()
    crawl(owner, site_v2())
    api = api_for(stranger)
    response = api.get("/api/v1/analytics/sites/127.0.0.1")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert api.get("/api/v1/analytics/sites").json() == []
    assert api.get("/api/v1/analytics/portfolio").json() == {
        "sites": [], "totals": {"sites": 0, "audits": 0, "running": 0}}
    assert api_for(owner).get("/api/v1/analytics/sites/127.0.0.1").status_code == 200


def test_analytics_needs_authentication():
    client = APIClient()
    for path in ("/api/v1/analytics/sites", "/api/v1/analytics/portfolio",
                 "/api/v1/analytics/sites/example.com",
                 "/api/v1/analytics/compare?audit=00000000-0000-0000-0000-000000000000"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "not_authenticated"


def test_sites_are_hosts_whatever_the_scheme_port_or_path():
    owner = UserFactory()
    for url in ("https://Example.com/", "http://example.com:8080/shop", "https://www.example.com/",
                "http://[2001:db8::1]:8080/x", "https://[2001:db8::1]/"):
        services.audit_create(owner=owner, url=url, enqueue=False)
    sites = {s["site"]: s["audits"] for s in api_for(owner).get("/api/v1/analytics/sites").json()}
    assert sites == {"example.com": 2, "www.example.com": 1, "[2001:db8::1]": 2}


def test_portfolio_and_trend_queries_do_not_grow_with_sites(django_assert_max_num_queries):
    owner = UserFactory()
    bulk_audits(owner, sites=40, per_site=5, findings=30)
    api = api_for(owner)
    # auth (token lookup + user), then: site groups, ranked latest audits, finding counts
    with django_assert_max_num_queries(6):
        body = api.get("/api/v1/analytics/portfolio").json()
    assert body["totals"] == {"sites": 40, "audits": 200, "running": 0}
    row = next(s for s in body["sites"] if s["site"] == "site3.example")
    assert row["latest"]["seo_score"] == 54.0 and row["previous"]["seo_score"] == 53.0
    assert row["seo_change"] == 1.0
    assert (row["latest"]["errors"], row["latest"]["warnings"], row["latest"]["notices"]) == (10, 10, 10)
    with django_assert_max_num_queries(6):
        points = api.get("/api/v1/analytics/sites/site3.example").json()["points"]
    assert [p["seo_score"] for p in points] == [50.0, 51.0, 52.0, 53.0, 54.0]


def test_analytics_endpoints_are_in_the_openapi_schema(staff_client):
    schema = staff_client.get("/api/schema/?format=json").json()
    for path in ("/api/v1/analytics/sites", "/api/v1/analytics/sites/{site}",
                 "/api/v1/analytics/portfolio", "/api/v1/analytics/compare"):
        assert path in schema["paths"], path
    assert "PortfolioSite" in schema["components"]["schemas"]


def test_compare_counts_fixed_and_new_issues_between_two_crawls(crawl_versions):
    owner = UserFactory()
    before, after = crawl_versions(owner, [site_v1(), site_v2()])
    api = api_for(owner)
    body = api.get(f"/api/v1/analytics/compare?audit={after.pk}").json()  # previous by default
    assert body["audit_id"] == str(after.pk) and body["previous_id"] == str(before.pk)
    assert body["seo_change"] == round(after.seo_score - before.seo_score, 1)
    checks = {c["code"]: c for c in body["checks"]}
    # the broken link to /gone is fixed on every page that had it (/ and /a), and nothing
    # new of that kind appeared
    assert checks["seo.links.broken_internal"]["fixed"] == Finding.objects.filter(
        audit=before, code="seo.links.broken_internal").count() > 0
    assert checks["seo.links.broken_internal"]["new"] == 0
    assert checks["seo.title.missing"]["fixed"] == 1  # /b got its title
    assert not Finding.objects.filter(audit=after, code__in=["seo.title.missing",
                                                              "seo.links.broken_internal"]).exists()
    assert body["fixed"] == sum(c["fixed"] for c in body["checks"]) > 0
    assert body["persisting"] > 0 and body["new"] == sum(c["new"] for c in body["checks"])
    assert {e["code"] for e in body["fixed_examples"]} >= {"seo.title.missing"}
    # explicit previous: the reverse direction swaps new and fixed
    reverse = api.get(f"/api/v1/analytics/compare?audit={before.pk}&previous={after.pk}").json()
    assert (reverse["new"], reverse["fixed"], reverse["persisting"]) == (
        body["fixed"], body["new"], body["persisting"])


def test_compare_is_owner_scoped_and_validates_its_query(crawl_versions):
    owner, stranger = UserFactory(), UserFactory()
    before, after = crawl_versions(owner, [site_v1(), site_v2()])
    mine = services.audit_create(owner=stranger, url="https://mine.example/", enqueue=False)
    api = api_for(stranger)
    for query in (f"audit={after.pk}", f"audit={mine.pk}&previous={before.pk}"):
        response = api.get(f"/api/v1/analytics/compare?{query}")
        assert response.status_code == 404, query
        assert response.json()["error"]["code"] == "not_found"
    bad = api.get("/api/v1/analytics/compare?audit=not-a-uuid")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "validation_error"
    assert api.get("/api/v1/analytics/compare").status_code == 400
    first = api_for(owner).get(f"/api/v1/analytics/compare?audit={before.pk}").json()
    assert first["previous_id"] is None and first["new"] == first["fixed"] == 0
