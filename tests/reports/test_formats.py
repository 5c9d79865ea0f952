"""Every format rendered for real audits of the defect fixture site, checked against the
database."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from audits.catalog import catalog
from audits.models import Finding, Page
from reports import services
from reports.builder import EXAMPLES_PER_CHECK, report_data_build
from reports.renderers.ci import markdown_summary

from .conftest import FIXED_PATH

pytestmark = pytest.mark.django_db


def render(audit, fmt: str, language: str = "en") -> bytes:
    stream = io.BytesIO()
    services.report_write(audit=audit, format=fmt, language=language, stream=stream)
    return stream.getvalue()


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_report_data_matches_the_database(crawled, django_assert_max_num_queries):
    audit = crawled.after
    with django_assert_max_num_queries(11):
        data = report_data_build(audit=audit)
    findings = Finding.objects.filter(audit=audit).exclude(code__startswith="engine.")
    by_severity = Counter(findings.values_list("severity", flat=True))
    assert data.by_severity == {key: by_severity.get(key, 0) for key in data.by_severity}
    assert data.total_findings == findings.count()
    assert data.stats.pages == Page.objects.filter(audit=audit).count()
    assert data.pages_crawled == audit.pages_crawled
    impacts = [issue.impact for issue in data.top_issues]
    assert impacts == sorted(impacts, reverse=True) and len(impacts) == 10
    for section in data.categories:
        for issue in section.issues:
            urls = set(findings.filter(code=issue.code, page__isnull=False)
                       .values_list("page__url", flat=True))
            assert issue.pages == len(urls)
            assert len(issue.examples) <= EXAMPLES_PER_CHECK and set(issue.examples) <= urls
            assert len(issue.examples) == min(EXAMPLES_PER_CHECK, len(urls))
    assert data.comparison is not None and data.comparison.has_previous
    assert data.geo is not None and data.geo.crawlers and data.geo.llms_txt_proposal
    assert f"We crawled {audit.pages_crawled} pages" in data.summary[0]


def test_findings_csv_has_every_finding(crawled):
    audit = crawled.after
    rows = list(csv.DictReader(io.StringIO(render(audit, "csv").decode())))
    expected = Counter((url or "", code) for url, code in
                       Finding.objects.filter(audit=audit).values_list("page__url", "code"))
    assert Counter((row["url"], row["code"]) for row in rows) == expected
    title = next(row for row in rows if row["code"] == "seo.http.5xx")["title"]
    assert title == "Page returns a 5xx server error"
    assert all(json.loads(row["details"]) is not None for row in rows)


def test_pages_csv_has_every_page(crawled):
    audit = crawled.after
    rows = list(csv.DictReader(io.StringIO(render(audit, "pages_csv").decode())))
    pages = dict(Page.objects.filter(audit=audit).values_list("url", "status"))
    assert {row["url"]: int(row["status"]) for row in rows} == pages
    counts = Counter(Finding.objects.filter(audit=audit, page__isnull=False)
                     .values_list("page__url", flat=True))
    assert all(int(row["findings"]) == counts.get(row["url"], 0) for row in rows)


def test_json_is_the_whole_audit(crawled):
    audit = crawled.after
    doc = json.loads(render(audit, "json"))
    assert doc["id"] == str(audit.pk) and doc["seo_score"] == audit.seo_score
    assert len(doc["pages"]) == Page.objects.filter(audit=audit).count()
    assert len(doc["findings"]) == Finding.objects.filter(audit=audit).count()
    assert doc["comparison"]["previous_id"] == str(crawled.before.pk)
    assert doc["comparison"]["new"] >= 1 and doc["comparison"]["fixed"] >= 1
    assert doc["summary"]["ai_access"]["agents"]


def test_junit_has_one_testcase_per_check_and_fails_with_the_pages(crawled):
    audit = crawled.before
    root = ET.fromstring(render(audit, "junit"))
    cases = root.findall(".//testcase")
    assert len(cases) == len(catalog()) == int(root.get("tests"))
    failing_codes = set(Finding.objects.filter(audit=audit, severity__in=("error", "warning"))
                        .exclude(code__startswith="engine.").values_list("code", flat=True))
    informational = {c.code for c in catalog() if c.informational}
    failed = {case.get("name").split(":")[0] for case in cases
              if case.find("failure") is not None}
    assert failed == failing_codes - informational
    assert int(root.get("failures")) == len(failed)
    title_case = next(c for c in cases if c.get("name").startswith("seo.title.missing:"))
    assert crawled.base + FIXED_PATH in title_case.find("failure").text


def test_markdown_summary(crawled):
    text = render(crawled.after, "md").decode()
    assert text.startswith("## SEO & GEO audit: " + crawled.after.normalized_url)
    assert f"| SEO health | {crawled.after.seo_score:.1f} |" in text
    assert "### Top issues" in text and "Since the previous audit" in text


def test_html_is_self_contained(crawled):
    html = render(crawled.after, "html").decode()
    for heading in ("Executive summary", "Top issues", "Issues by category",
                    "GEO: AI answer engines", "Appendix: crawl settings and statistics",
                    "Change since the previous audit"):
        assert heading in html
    assert html.count("<svg") >= 4
    assert "<script" not in html and "<link" not in html and 'src="http' not in html


def test_pdf_holds_the_sections_and_numbers(crawled, tmp_path):
    audit = crawled.after
    pdf = render(audit, "pdf")
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    for heading in ("Executive summary", "Scores", "Top issues", "Issues by category",
                    "GEO: AI answer engines", "AI crawler access", "llms.txt",
                    "Change since the previous audit", "Appendix: crawl settings"):
        assert heading in text, heading
    assert f"{audit.seo_score:.1f}" in text and f"{audit.geo_score:.1f}" in text
    assert f"We crawled {audit.pages_crawled} pages" in text
    assert "Page returns a 5xx server error" in text and "How to fix" in text
    pages = subprocess.run(["pdfinfo", str(tmp_path / "report.pdf")], capture_output=True,
                           text=True, check=True).stdout
    assert int(next(line.split()[-1] for line in pages.splitlines()
                    if line.startswith("Pages:"))) >= 8


def test_spanish_report(crawled, tmp_path):
    text = pdf_text(render(crawled.after, "pdf", "es"), tmp_path)
    for heading in ("Resumen ejecutivo", "Problemas principales", "Problemas por categoría",
                    "GEO: motores de respuesta de IA", "Anexo: configuración y estadísticas",
                    "Cómo solucionarlo", "La página devuelve un error de servidor 5xx"):
        assert heading in text, heading
    assert "Executive summary" not in text
    markdown = render(crawled.after, "md", "es").decode()
    assert "Problemas principales" in markdown and "Salud SEO" in markdown


def test_markdown_without_previous_or_issues_says_so(crawled):
    data = report_data_build(audit=crawled.before, language="en")
    text = markdown_summary(data)
    assert "Since the previous audit" not in text


def test_summary_says_when_no_ai_crawler_is_blocked(crawled):
    data = report_data_build(audit=crawled.after)
    assert data.geo is not None and all(all(row.allowed) for row in data.geo.crawlers)
    assert any("No AI search or assistant crawler is blocked from key pages." in paragraph
               for paragraph in data.summary)
    spanish = report_data_build(audit=crawled.after, language="es")
    assert any("Ningún rastreador de búsqueda o asistente de IA tiene bloqueado el acceso a "
               "páginas clave." in paragraph for paragraph in spanish.summary)
