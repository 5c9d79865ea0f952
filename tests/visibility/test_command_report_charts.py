"""`track_ai_visibility` for cron, the audit report section, the analytics page charts and
the admin pages."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from audits.models import Finding, Page
from reports.builder import report_data_build
from reports.renderers.html import render_html
from tests.api.conftest import make_audit
from visibility import tracking
from visibility.models import AnswerRun, TrackedPrompt, VisibilityBudget
from visibility.report import report_section

from .conftest import RecordedEngine, answer_from, load_fixture

pytestmark = pytest.mark.django_db


def _command(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("track_ai_visibility", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_command_runs_prints_and_is_idempotent(prompt, engines):
    engines(RecordedEngine("openai"), RecordedEngine("perplexity"))
    code, out, _err = _command("--site", "www.acme-cloud.com")
    assert code == 0, out
    assert "[1/2] openai acme-cloud.com 'Best managed Postgres hosting?': mentioned, cited #2" in out
    assert "ran 2, already asked today 0, failed 0, skipped 0" in out
    code, out, _err = _command()
    assert code == 0 and "ran 0, already asked today 2" in out
    assert AnswerRun.objects.count() == 2


def test_command_dry_run_engine_filter_and_budget(site, engines):
    engine = engines(RecordedEngine("openai"), RecordedEngine("perplexity"))[0]
    for i in range(3):
        TrackedPrompt.objects.create(site=site, question=f"q{i}")
    code, out, _err = _command("--dry-run")
    assert code == 0 and out.count("would ask") == 6 and "6 runs due, 0 over budget" in out
    assert engine.asked == []
    VisibilityBudget.objects.create(owner=site.owner, max_runs_per_day=2)
    code, out, _err = _command("--engine", "openai")
    assert code == 1 and "ran 2, already asked today 0, failed 0, skipped 1" in out
    with pytest.raises(CommandError, match="not configured: bard"):
        call_command("track_ai_visibility", "--engine", "bard", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no tracked prompt"):
        call_command("track_ai_visibility", "--site", "nowhere.example", stdout=io.StringIO())


def test_command_without_engines_exits_2(prompt, no_engines):
    code, _out, err = _command()
    assert code == 2 and "No answer engine is configured" in err


def _audited_site(user):
    """An audit of example.com whose page p1 has a GEO finding, and a tracked prompt whose
    answer cites p1 through www. with a tracking parameter, and p9 that was not crawled."""
    from keywords import services as keyword_services
    from visibility import services

    audit = make_audit(user, url="https://example.com/")
    page = Page.objects.get(audit=audit, url="https://example.com/p1")
    Finding.objects.create(audit=audit, page=page, code="seo.geo.no_statistics",
                           severity="warning", category="geo")
    site = keyword_services.site_create(owner=user, url="https://example.com/")
    services.brand_update(site=site, brand_name="Example")
    prompt, _ = services.prompt_create(site=site, question="Who explains examples best?")
    answer = answer_from(load_fixture("openai_brand_cited.json")["answer"],
                         text="Example is the reference.",
                         citations=[{"url": "https://other.example/", "position": 1},
                                    {"url": "https://www.example.com/p1?utm_source=openai", "position": 2},
                                    {"url": "https://example.com/p9", "position": 3}])
    return audit, site, prompt, answer


def test_report_section_joins_cited_pages_with_their_geo_findings(user, engines):
    audit, _site, prompt, answer = _audited_site(user)
    assert report_section(audit=audit) is not None  # prompts but no answers yet
    engines(RecordedEngine("openai", answer))
    tracking.prompt_run(prompt=prompt, engine_name="openai", day=audit.created_at.date())
    section = report_section(audit=audit)
    assert section.answers == 1 and section.mention_rate == 1.0 and section.citation_rate == 1.0
    rows = [(r.url, r.position, r.crawled, [f.code for f in r.geo_findings]) for r in section.cited]
    assert rows == [("https://www.example.com/p1", 2, True, ["seo.geo.no_statistics"]),
                    ("https://example.com/p9", 3, False, [])]
    assert section.cited[0].geo_findings[0].title != "seo.geo.no_statistics"  # the check's title
    html = render_html(report_data_build(audit=audit))
    assert "AI answer visibility" in html and "Who explains examples best?" in html
    assert "seo.geo.no_statistics" in html and "not crawled in this audit" in html


def test_report_has_no_section_without_prompts(user):
    audit = make_audit(user, url="https://example.com/")
    assert report_data_build(audit=audit).ai_visibility is None
    assert "AI answer visibility" not in render_html(report_data_build(audit=audit))


def test_analytics_page_draws_the_charts(user, engines):
    _audit, _site, prompt, answer = _audited_site(user)
    engines(RecordedEngine("openai", answer))
    tracking.prompt_run(prompt=prompt, engine_name="openai")
    client = Client()
    client.force_login(user)
    page = client.get("/analytics/sites/example.com/").content.decode()
    assert "AI answer visibility" in page
    assert "Mention rate %" in page and "<svg" in page and "Share of voice in AI answers" in page
    assert "1 answers: mentioned in 100.0 %, cited in 100.0 %." in page


def test_admin_pages(user, prompt, engine, admin_client, no_engines):
    run = AnswerRun.objects.create(prompt=prompt, engine="openai", run_on=timezone.now().date(),
                                   status="ok", citations=[{"position": 1, "url": "https://a.example/",
                                                            "title": "", "domain": "a.example"}])
    VisibilityBudget.objects.create(owner=user, max_runs_per_day=7)
    page = admin_client.get("/admin/visibility/answerrun/").content.decode()
    assert "AI visibility tracking is off" in page
    assert admin_client.get(f"/admin/visibility/answerrun/{run.pk}/change/").status_code == 200
    assert "0 of 7" in admin_client.get("/admin/visibility/visibilitybudget/").content.decode()
    assert admin_client.get("/admin/visibility/trackedprompt/").status_code == 200
    assert admin_client.get("/admin/visibility/visibilitybrand/").status_code == 200
    from visibility.budget import budget_reserve

    budget_reserve(owner_id=user.pk, day=timezone.now().date())
    usage = admin_client.get("/admin/visibility/visibilityusage/").content.decode()
    assert user.username in usage and "<td class=\"field-limit\">7</td>" in usage
