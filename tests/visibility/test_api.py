"""The AI visibility API: brand settings, prompts CRUD and CSV import, run now (budget,
idempotency, no engine), runs with filters, metrics, budget and status, isolation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.api.conftest import error_of
from visibility import tracking
from visibility.models import AnswerRun, TrackedPrompt, VisibilityBudget

from .conftest import RecordedEngine, answer_from, load_fixture

pytestmark = pytest.mark.django_db


def test_brand_settings(api, site):
    listing = api.get("/api/v1/ai-visibility/sites").json()["results"]
    assert listing[0]["host"] == "acme-cloud.com" and listing[0]["brand_name"] == "Acme Cloud"
    response = api.patch(f"/api/v1/ai-visibility/sites/{site.pk}",
                         {"brand_variants": ["AcmeCloud", "Acme"],
                          "domains": ["https://www.acme.io/x", "acme.dev"]},
                         format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["domains"] == ["acme.io", "acme.dev"]
    assert response.json()["brand_variants"] == ["AcmeCloud", "Acme"]
    bad = api.patch(f"/api/v1/ai-visibility/sites/{site.pk}", {"domains": ["not a domain"]}, format="json")
    assert bad.status_code == 400 and error_of(bad)["code"] == "validation_error"
    assert "domains" in error_of(bad)["details"]["fields"]


def test_prompt_crud(api, site):
    body = {"site": site.pk, "question": "  Best   Postgres host? ", "language": "EN", "country": "us",
            "tags": ["db"], "competitors": [{"name": "Globex", "domains": ["www.globex.io"]}]}
    response = api.post("/api/v1/ai-visibility/prompts", body, format="json")
    assert response.status_code == 201, response.json()
    prompt = response.json()
    assert prompt["question"] == "Best Postgres host?" and prompt["language"] == "en"
    assert prompt["competitors"] == [{"name": "Globex", "variants": [], "domains": ["globex.io"]}]
    again = api.post("/api/v1/ai-visibility/prompts", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == prompt["id"]
    response = api.patch(f"/api/v1/ai-visibility/prompts/{prompt['id']}", {"active": False, "tags": ["x"]},
                         format="json")
    assert response.status_code == 200 and response.json()["active"] is False
    assert api.get("/api/v1/ai-visibility/prompts?active=true").json()["results"] == []
    assert len(api.get("/api/v1/ai-visibility/prompts?tag=x").json()["results"]) == 1
    assert len(api.get("/api/v1/ai-visibility/prompts?search=postgres").json()["results"]) == 1
    assert api.delete(f"/api/v1/ai-visibility/prompts/{prompt['id']}").status_code == 204
    assert TrackedPrompt.objects.count() == 0


def test_invalid_prompts_use_the_error_shape(api, site):
    response = api.post("/api/v1/ai-visibility/prompts",
                        {"site": site.pk, "question": "", "country": "usa"}, format="json")
    assert response.status_code == 400
    assert {"question", "country"} <= set(error_of(response)["details"]["fields"])
    response = api.post("/api/v1/ai-visibility/prompts",
                        {"site": site.pk, "question": "q", "language": "english",
                         "competitors": [{"name": "", "domains": []}, {"name": "X", "domains": ["nope"]}]},
                        format="json")
    assert response.status_code == 400
    fields = error_of(response)["details"]["fields"]
    assert set(fields) == {"language", "competitors"}
    assert fields["competitors"] == ["#1 name: a competitor needs a name or a domain",
                                     "#2 domains: 'nope' is not a domain name"]
    response = api.get("/api/v1/ai-visibility/runs?since=yesterday")
    assert response.status_code == 400 and "since" in error_of(response)["details"]["fields"]


def test_csv_import_reports_bad_rows_line_by_line(api, site):
    text = ("question,language,country,tags,competitors,active,extra\n"
            "Best Postgres host?,en,us,db|hosting,Globex:globex.io|Initech:initech.com,true,x\n"
            ",en,us,,,,\n"
            "Cheapest GPU cloud?,english,us,,,,\n"
            "Best Postgres host?,en,us,,,,\n"
            "Managed Redis?,,,,Bad:not a domain,,\n"
            "Managed Kafka?,,,,,maybe,\n"
            "Serverless SQL?,de,de,,,false,\n")
    response = api.post("/api/v1/ai-visibility/prompts/import", {"site": site.pk, "csv": text}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["created"] == 2 and body["existing"] == 1 and body["ignored_columns"] == ["extra"]
    assert [(e["line"], sorted(e["errors"])) for e in body["errors"]] == [
        (3, ["question"]), (4, ["language"]), (6, ["competitors"]), (7, ["active"])]
    first = TrackedPrompt.objects.get(question="Best Postgres host?")
    assert first.tags == ["db", "hosting"] and [c["domains"] for c in first.competitors] == [["globex.io"],
                                                                                            ["initech.com"]]
    assert TrackedPrompt.objects.get(question="Serverless SQL?").active is False
    missing = api.post("/api/v1/ai-visibility/prompts/import", {"site": site.pk, "csv": "q\nx\n"},
                       format="json")
    assert missing.status_code == 400 and error_of(missing)["code"] == "invalid_import"


def test_without_engines_run_now_says_so_and_lists_still_work(api, prompt, no_engines):
    status = api.get("/api/v1/ai-visibility/status").json()
    assert status["configured"] is False and "OPENAI_API_KEY" in status["message"]
    response = api.post(f"/api/v1/ai-visibility/prompts/{prompt.pk}/run", {}, format="json")
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "no_engine_configured" and "OPENAI_API_KEY" in error["message"]
    for path in ("sites", "prompts", "runs", "budget", f"sites/{prompt.site_id}/metrics"):
        assert api.get(f"/api/v1/ai-visibility/{path}").status_code == 200, path


def test_without_the_registry_module_the_feature_says_so(api, prompt, monkeypatch):
    from visibility import engine_access

    monkeypatch.setattr(engine_access, "_registry", lambda: None)
    assert api.get("/api/v1/ai-visibility/status").json()["message"] == engine_access.NO_REGISTRY_MESSAGE
    response = api.post(f"/api/v1/ai-visibility/prompts/{prompt.pk}/run", {}, format="json")
    assert response.status_code == 409 and error_of(response)["code"] == "no_engine_configured"


def test_run_now_runs_once_a_day_and_respects_the_budget(api, prompt, engine, eager,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/ai-visibility/prompts/{prompt.pk}/run", {}, format="json")
    assert response.status_code == 202, response.json()
    assert response.json()["queued"] == ["openai"]
    assert AnswerRun.objects.get(prompt=prompt).status == "ok" and len(engine.asked) == 1
    with django_capture_on_commit_callbacks(execute=True):
        again = api.post(f"/api/v1/ai-visibility/prompts/{prompt.pk}/run", {}, format="json")
    assert again.status_code == 202 and again.json()["queued"] == []
    assert again.json()["already_run_today"] == ["openai"] and len(engine.asked) == 1
    unknown = api.post(f"/api/v1/ai-visibility/prompts/{prompt.pk}/run", {"engines": ["bard"]}, format="json")
    assert unknown.status_code == 400 and "engines" in error_of(unknown)["details"]["fields"]
    other = TrackedPrompt.objects.create(site=prompt.site, question="another")
    VisibilityBudget.objects.create(owner=prompt.site.owner, max_runs_per_day=1)
    budget = api.get("/api/v1/ai-visibility/budget").json()
    assert (budget["used"], budget["limit"], budget["remaining"], budget["custom"]) == (1, 1, 0, True)
    response = api.post(f"/api/v1/ai-visibility/prompts/{other.pk}/run", {}, format="json")
    assert response.status_code == 409 and error_of(response)["code"] == "budget_exhausted"
    assert len(engine.asked) == 1


def test_runs_list_detail_and_filters(api, prompt, engines):
    engine = engines(RecordedEngine("openai"), RecordedEngine("perplexity"))[1]
    engine.default = answer_from(load_fixture("perplexity_word_inside_word.json")["answer"])
    today = timezone.now().date()
    for name in ("openai", "perplexity"):
        tracking.prompt_run(prompt=prompt, engine_name=name, day=today - timedelta(days=1))
        tracking.prompt_run(prompt=prompt, engine_name=name, day=today)
    runs = api.get("/api/v1/ai-visibility/runs").json()["results"]
    assert len(runs) == 4 and "answer" not in runs[0] and runs[0]["question"] == prompt.question
    only = api.get(f"/api/v1/ai-visibility/runs?engine=perplexity&since={today}&prompt={prompt.pk}").json()
    assert [(r["engine"], r["run_on"]) for r in only["results"]] == [("perplexity", today.isoformat())]
    detail = api.get(f"/api/v1/ai-visibility/runs/{only['results'][0]['id']}").json()
    assert detail["answer"].startswith("For product analytics") and len(detail["citations"]) == 4
    assert detail["brand_mentioned"] is False and detail["cost_usd"] == "0.005200"


def test_metrics_per_site_and_prompt(api, prompt, engines):
    engine = engines(RecordedEngine("openai"))[0]
    quiet = answer_from(load_fixture("openai_brand_cited.json")["answer"],
                        text="Globex Data and Cloud Corp lead.", citations=[])
    today = timezone.now().date()
    engine.queue += [quiet, engine.default, engine.default]
    for days_ago in (2, 1, 0):
        tracking.prompt_run(prompt=prompt, engine_name="openai", day=today - timedelta(days=days_ago))
    url = f"/api/v1/ai-visibility/sites/{prompt.site_id}/metrics"
    site_metrics = api.get(f"{url}?since={today - timedelta(days=2)}")
    assert site_metrics.status_code == 200, site_metrics.json()
    totals = site_metrics.json()["totals"]
    assert totals["runs"] == 3 and totals["mention_rate"] == pytest.approx(0.6667)
    assert totals["citation_rate"] == pytest.approx(0.6667) and totals["avg_citation_position"] == 2
    # brand in 2 answers; Globex in 3, Cloud Corp in 1: 2 / (2 + 3 + 1)
    assert totals["share_of_voice"] == pytest.approx(0.3333)
    assert [(c["name"], c["mentions"]) for c in totals["competitors"]] == [("Globex", 3), ("Cloud Corp", 1)]
    history = site_metrics.json()["history"]
    assert [h["mention_rate"] for h in history] == [0.0, 1.0, 1.0]
    prompt_metrics = api.get(f"/api/v1/ai-visibility/prompts/{prompt.pk}/metrics?engine=openai").json()
    assert prompt_metrics["totals"]["runs"] == 3 and "openai" in prompt_metrics["engines"]
    bad = api.get(f"{url}?since={today}&until={today - timedelta(days=3)}")
    assert bad.status_code == 400
    for query in ("since=1900-01-01", "since=x", "engine=" + "e" * 41):
        response = api.get(f"{url}?{query}")
        assert response.status_code == 400 and error_of(response)["code"] == "validation_error", query
    for body in ({"engines": "openai"}, {"engines": [1, {}]}):
        response = api.post(f"/api/v1/ai-visibility/prompts/{prompt.pk}/run", body, format="json")
        assert response.status_code == 400, body
    for query in ("prompt=abc", "active=maybe", "status=done"):
        path = "prompts" if query.startswith("active") else "runs"
        assert api.get(f"/api/v1/ai-visibility/{path}?{query}").status_code == 400, query


def test_winners_and_losers_against_the_previous_period(api, site, engines):
    engine = engines(RecordedEngine("openai"))[0]
    quiet = answer_from(load_fixture("openai_brand_cited.json")["answer"], text="Nobody.",
                        citations=[])
    up = TrackedPrompt.objects.create(site=site, question="rising")
    down = TrackedPrompt.objects.create(site=site, question="falling")
    today = timezone.now().date()
    engine.queue += [quiet, engine.default, engine.default, quiet]
    for prompt in (up, down):
        tracking.prompt_run(prompt=prompt, engine_name="openai", day=today - timedelta(days=7))
        tracking.prompt_run(prompt=prompt, engine_name="openai", day=today)
    body = api.get(f"/api/v1/ai-visibility/sites/{site.pk}/metrics?since={today - timedelta(days=6)}").json()
    assert [(w["question"], w["score_change"]) for w in body["winners"]] == [("rising", 100.0)]
    assert [(w["question"], w["score_change"]) for w in body["losers"]] == [("falling", -100.0)]
    assert body["previous"]["until"] == (today - timedelta(days=7)).isoformat()


def test_another_users_objects_are_not_found(api, other_api, prompt, engine):
    run = tracking.prompt_run(prompt=prompt, engine_name="openai")
    for path in (f"sites/{prompt.site_id}", f"sites/{prompt.site_id}/metrics", f"prompts/{prompt.pk}",
                 f"prompts/{prompt.pk}/metrics", f"runs/{run.pk}"):
        response = other_api.get(f"/api/v1/ai-visibility/{path}")
        assert response.status_code == 404 and error_of(response)["code"] == "not_found", path
    response = other_api.post(f"/api/v1/ai-visibility/prompts/{prompt.pk}/run", {}, format="json")
    assert response.status_code == 404
    response = other_api.post("/api/v1/ai-visibility/prompts",
                              {"site": prompt.site_id, "question": "steal"}, format="json")
    assert response.status_code == 400 and "site" in error_of(response)["details"]["fields"]
    for path in ("sites", "prompts", "runs"):
        assert other_api.get(f"/api/v1/ai-visibility/{path}").json()["results"] == []
    assert other_api.get("/api/v1/ai-visibility/budget").json()["used"] == 0
    assert api.get("/api/v1/ai-visibility/budget").json()["used"] == 1
