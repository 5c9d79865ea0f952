from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audits.models import Audit, Page
from tests.sites import Route, html, serve

pytestmark = pytest.mark.django_db(transaction=True)


def site() -> dict[str, Route]:
    return {
        "/": Route(html("Home page of the CLI test site", '<a href="/a">A</a><a href="/x">X</a>')),
        "/a": Route(html("Alpha page of the CLI test site", '<a href="/">Home</a>')),
    }


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("audit", *args, "--parse-workers", "0", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_json_output_without_saving():
    with serve(site()) as base:
        data = json.loads(run(base + "/", "--allow-private", "--no-save", "--format", "json"))
    assert data["pages_crawled"] == 3
    assert 0 <= data["score"]["score"] <= 100
    assert any(f["url"] == base + "/x" for f in data["findings"])
    assert sum(c["count"] for c in data["checks"]) == len(data["findings"])
    assert not Audit.objects.exists()


def test_saved_audit_and_table_output():
    with serve(site()) as base:
        out = run(base + "/", "--allow-private")
    audit = Audit.objects.get()
    assert audit.status == Audit.Status.COMPLETED and audit.owner.username == "cli"
    assert Page.objects.filter(audit=audit).count() == 3
    assert "SEO audit of" in out and "Findings by check" in out


def test_csv_to_file(tmp_path):
    target = tmp_path / "out.csv"
    with serve(site()) as base:
        assert run(base + "/", "--allow-private", "--no-save", "--format", "csv",
                   "--output", str(target)) == ""
    rows = list(csv.DictReader(target.open()))
    assert rows and {"url", "code", "severity", "category", "title", "details"} <= set(rows[0])


def test_fail_under_exits_1():
    with serve(site()) as base, pytest.raises(SystemExit) as exc:
        run(base + "/", "--allow-private", "--no-save", "--fail-under", "101")
    assert exc.value.code == 1


def test_fail_under_geo_gates_on_the_geo_score():
    with serve(site()) as base:
        data = json.loads(run(base + "/", "--allow-private", "--no-save", "--format", "json",
                              "--fail-under-geo", "0"))
        geo = data["score"]["geo"]
        assert 0 <= geo["score"] <= 100 and set(geo["components"]) >= {"access", "llms_txt"}
        with pytest.raises(SystemExit) as exc:
            run(base + "/", "--allow-private", "--no-save", "--fail-under-geo", "101")
    assert exc.value.code == 1


def test_no_geo_runs_a_classic_seo_audit():
    routes = site()
    routes["/robots.txt"] = Route("User-agent: PerplexityBot\nDisallow: /\n",
                                  headers={"Content-Type": "text/plain"})
    with serve(routes) as base:
        with_geo = json.loads(run(base + "/", "--allow-private", "--no-save", "--format", "json"))
        without = json.loads(run(base + "/", "--allow-private", "--no-save", "--format", "json",
                                 "--no-geo"))
    assert any(f["code"] == "seo.geo.answer_agent_blocked" for f in with_geo["findings"])
    assert not any(f["code"].startswith("seo.geo.") for f in without["findings"])
    assert without["score"]["geo"] is None and without["summary"]["llms_txt_proposal"] == ""
    assert without["score"]["score"] == with_geo["score"]["score"]


def test_saved_audit_stores_the_geo_score_and_page_scores():
    with serve(site()) as base:
        out = run(base + "/", "--allow-private")
    audit = Audit.objects.get()
    assert audit.geo_score is not None and audit.scores["geo"]["score"] == audit.geo_score
    assert audit.summary["geo"]["score"] == audit.geo_score
    html_pages = Page.objects.filter(audit=audit, status=200)
    assert html_pages.exists() and all(p.geo_score is not None for p in html_pages)
    assert Page.objects.get(audit=audit, status=404).geo_score is None
    assert "GEO score components" in out


def test_fail_under_passes_when_score_is_high_enough():
    with serve(site()) as base:
        run(base + "/", "--allow-private", "--no-save", "--fail-under", "0")


@pytest.mark.parametrize("url", ["not a url", "ftp://example.com/"])
def test_invalid_url_exits_2(url):
    with pytest.raises(CommandError) as exc:
        run(url, "--no-save")
    assert exc.value.returncode == 2 and "invalid URL" in str(exc.value)


def test_private_address_needs_allow_private():
    with serve(site()) as base, pytest.raises(CommandError) as exc:
        run(base + "/", "--no-save")
    assert exc.value.returncode == 2
    assert "--allow-private" in str(exc.value) and "\n" not in str(exc.value)


def test_unreachable_host_exits_2_and_saves_failure():
    with pytest.raises(CommandError) as exc:
        run("http://no-such-host.invalid/")
    assert exc.value.returncode == 2 and "dns" in str(exc.value)
    assert Audit.objects.get().status == Audit.Status.FAILED


def test_bad_option_exits_2():
    with pytest.raises(CommandError) as exc:
        run("https://example.com/", "--no-save", "--include", "(")
    assert exc.value.returncode == 2
