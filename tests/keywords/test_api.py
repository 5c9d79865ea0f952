"""The keywords and rank-tracking API: CRUD, CSV import with bad rows reported line by line,
history, latest positions, analytics, provider status, cross-user isolation."""

from __future__ import annotations

from datetime import date

import pytest

from keywords import services
from keywords.models import Keyword, KeywordGroup, RankCheck


def test_site_and_keyword_crud(api, user):
    response = api.post("/api/v1/keywords/sites", {"url": "https://www.shop.example/", "name": "Shop"},
                        format="json")
    assert response.status_code == 201, response.json()
    site = response.json()
    assert site["host"] == "shop.example"
    response = api.post("/api/v1/keywords", {"site": site["id"], "phrase": "Red  Shoes",
                                             "country": "us", "tags": ["brand"]}, format="json")
    assert response.status_code == 201, response.json()
    keyword = response.json()
    assert keyword["phrase"] == "red shoes"
    again = api.post("/api/v1/keywords", {"site": site["id"], "phrase": "red shoes", "country": "us"},
                     format="json")
    assert again.status_code == 200 and again.json()["id"] == keyword["id"]
    response = api.patch(f"/api/v1/keywords/{keyword['id']}", {"active": False}, format="json")
    assert response.status_code == 200 and response.json()["active"] is False
    listing = api.get(f"/api/v1/keywords?site={site['id']}").json()
    assert [k["id"] for k in listing["results"]] == [keyword["id"]]
    assert api.delete(f"/api/v1/keywords/{keyword['id']}").status_code == 204
    assert api.delete(f"/api/v1/keywords/sites/{site['id']}").status_code == 204
    assert Keyword.objects.count() == 0


def test_invalid_keyword_fields_use_the_error_shape(api, site):
    response = api.post("/api/v1/keywords", {"site": site.pk, "phrase": "x", "country": "usa",
                                             "device": "tv"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert "country" in error["details"]["fields"] and "device" in error["details"]["fields"]


def test_csv_import_reports_bad_rows_line_by_line(api, site):
    text = ("phrase,country,language,device,tags,group,target_url\n"
            "blue shoes,us,en,desktop,a|b,Shoes,https://www.site.example/blue\n"
            ",us,en,desktop,,,\n"
            "green shoes,usa,en,desktop,,,\n"
            "red shoes,us,en,toaster,,,\n"
            "blue shoes,us,en,desktop,,,\n"
            "black shoes,,,mobile,,Shoes,ftp://x\n"
            "white shoes,gb,en,mobile,,Shoes,\n")
    response = api.post("/api/v1/keywords/import", {"site": site.pk, "csv": text}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["created"] == 2 and body["existing"] == 1
    assert [(e["line"], sorted(e["errors"])) for e in body["errors"]] == [
        (3, ["phrase"]), (4, ["country"]), (5, ["device"]), (7, ["target_url"])]
    blue = Keyword.objects.get(phrase="blue shoes")
    assert blue.tags == ["a", "b"] and blue.group.name == "Shoes"
    assert KeywordGroup.objects.filter(site=site).count() == 1


def test_csv_without_phrase_column_is_refused(api, site):
    response = api.post("/api/v1/keywords/import", {"site": site.pk, "csv": "keyword\nx\n"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_import"


def test_other_users_objects_are_404(api, other_api, site, other_user):
    keyword, _ = services.keyword_create(site=site, phrase="mine")
    group = services.group_create(site=site, name="G")
    RankCheck.objects.create(keyword=keyword, checked_on=date(2026, 1, 1), position=3, provider="x")
    check = RankCheck.objects.get()
    for path in (f"/api/v1/keywords/sites/{site.pk}", f"/api/v1/keywords/{keyword.pk}",
                 f"/api/v1/keywords/{keyword.pk}/history", f"/api/v1/keywords/groups/{group.pk}",
                 f"/api/v1/rank-tracking/checks/{check.pk}",
                 f"/api/v1/rank-tracking/sites/{site.pk}/latest",
                 f"/api/v1/rank-tracking/sites/{site.pk}/summary",
                 f"/api/v1/rank-tracking/sites/{site.pk}/history",
                 f"/api/v1/keywords/suggestions?site={site.pk}"):
        response = other_api.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    assert other_api.delete(f"/api/v1/keywords/{keyword.pk}").status_code == 404
    assert other_api.get("/api/v1/keywords").json()["results"] == []
    assert other_api.get("/api/v1/rank-tracking/checks").json()["results"] == []
    # Foreign keys in bodies: another user's site or group "does not exist".
    response = other_api.post("/api/v1/keywords", {"site": site.pk, "phrase": "steal"}, format="json")
    assert response.status_code == 400 and "site" in response.json()["error"]["details"]["fields"]
    response = other_api.post("/api/v1/keywords/import", {"site": site.pk, "csv": "phrase\nx\n"},
                              format="json")
    assert response.status_code == 400
    response = other_api.post("/api/v1/rank-tracking/run", {"site": site.pk}, format="json")
    assert response.status_code == 400
    assert Keyword.objects.count() == 1


def test_history_latest_and_summary(api, site):
    keyword, _ = services.keyword_create(site=site, phrase="tea")
    RankCheck.objects.create(keyword=keyword, checked_on=date(2026, 1, 1), position=9, provider="x")
    RankCheck.objects.create(keyword=keyword, checked_on=date(2026, 1, 2), position=1, provider="x",
                             ranking_url="https://www.site.example/tea")
    history = api.get(f"/api/v1/keywords/{keyword.pk}/history").json()
    assert [(h["checked_on"], h["position"]) for h in history] == [("2026-01-01", 9), ("2026-01-02", 1)]
    assert len(api.get(f"/api/v1/keywords/{keyword.pk}/history?since=2026-01-02").json()) == 1
    [latest] = api.get(f"/api/v1/rank-tracking/sites/{site.pk}/latest").json()
    assert latest["position"] == 1 and latest["ranking_url"] == "https://www.site.example/tea"
    summary = api.get(f"/api/v1/rank-tracking/sites/{site.pk}/summary?since=2026-01-01").json()
    assert summary["visibility"] == 100.0
    assert summary["winners"][0]["change"] == 8
    days = api.get(f"/api/v1/rank-tracking/sites/{site.pk}/history").json()
    assert [d["visibility"] for d in days] == [9.78, 100.0]  # 0.027 / 0.276


def test_run_without_provider_is_409_with_a_clear_message(api, site):
    services.keyword_create(site=site, phrase="tea")
    status = api.get("/api/v1/rank-tracking/status").json()
    assert status["configured"] is False and "SERP_PROVIDER" in status["message"]
    response = api.post("/api/v1/rank-tracking/run", {"site": site.pk}, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "serp_provider_not_configured" and "SERP_PROVIDER" in error["message"]


@pytest.mark.django_db(transaction=True)
def test_run_queues_tracking(api, searxng, settings, site):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from seoaudit.celery import app
    app.conf.task_always_eager = True
    try:
        services.keyword_create(site=site, phrase="tea")
        response = api.post("/api/v1/rank-tracking/run", {"site": site.pk}, format="json")
        assert response.status_code == 202 and response.json() == {"queued": 1}
        assert RankCheck.objects.filter(keyword__site=site).count() == 1
    finally:
        app.conf.task_always_eager = False


def test_unauthenticated_is_401(client):
    assert client.get("/api/v1/keywords").status_code == 401
