"""The page-speed and AI-generated-fixes sections in every report format: the right values and
ratings, escaping of crawled/generated text, the skipped message, Spanish, absent when there is
no data, bounded queries."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.utils import translation

from audits.models import Audit, Page, url_hash
from pagespeed.thresholds import LABELS
from reports import services
from reports.builder import report_data_build
from reports.page_speed import TRANSLATED_LABELS, page_speed_section
from tests.web.helpers import make_audit

from .factories import HOSTILE, AIContentFactory, measurement, seed_ai_fixes, seed_page_speed

pytestmark = pytest.mark.django_db


def _completed(user, **fields) -> Audit:
    return make_audit(user, status="COMPLETED", progress=100, pages=3, total=3, seo_score=80.0,
                      findings={"error": 1}, **fields)


@pytest.fixture
def audit(user) -> Audit:
    audit = _completed(user)
    pages = list(Page.objects.filter(audit=audit).order_by("url"))
    seed_page_speed(audit, pages)
    seed_ai_fixes(audit, pages)
    return audit


def render(audit: Audit, fmt: str, language: str = "en") -> str:
    stream = io.BytesIO()
    services.report_write(audit=audit, format=fmt, language=language, stream=stream)
    return stream.getvalue().decode()


def _cells(html: str, url: str) -> str:
    """The HTML of the page-speed table rows of `url` (up to the next page's rows)."""
    table = html[html.index('<table class="speed">'):]
    table = table[:table.index("</table>")]
    start = table.index(f'<tr class="page-row"><td class="url" colspan="9">{url}<')
    return table[start:table.index('<tr class="page-row">', start + 10)]


# --- Page speed ---------------------------------------------------------------------------------

def test_page_speed_section_has_the_latest_measurements_with_ratings(audit):
    older = measurement(audit=audit, page=Page.objects.get(audit=audit, url__endswith="p0"),
                        form_factor="mobile", lcp_ms=900.0)
    type(older).objects.filter(pk=older.pk).update(created_at=older.created_at.replace(year=2020))
    section = report_data_build(audit=audit).pagespeed
    assert section.status == "measured" and section.pages_measured == 2 and not section.truncated
    home, other = section.rows
    assert home.url.endswith("/p0") and other.url.endswith("/p1")
    mobile_lab, mobile_psi, desktop = home.results
    assert (mobile_lab.form_factor, mobile_lab.source) == ("mobile", "lab")
    assert (mobile_psi.source, desktop.form_factor) == ("psi", "desktop")
    metrics = {m.key: (m.display, m.rating) for m in mobile_lab.metrics}
    assert metrics == {"lcp_ms": ("4.9 s", "poor"), "cls": ("0.12", "needs-improvement"),
                       "tbt_ms": ("150 ms", "good"), "fcp_ms": ("1.7 s", "good"),
                       "ttfb_ms": ("420 ms", "good")}  # the newest mobile run, not the 2020 one
    assert (mobile_lab.score, mobile_lab.page_weight, mobile_lab.request_count) == (48, "1.7\xa0MB", 63)
    # The lab's own rating wins over the thresholds (1.2 s alone would be "good").
    assert desktop.metrics[0].display == "1.2 s" and desktop.metrics[0].rating == "needs-improvement"
    assert [kind for kind, _size in mobile_lab.weight_by_type] == ["image", "script", "stylesheet",
                                                                  "document"]
    assert len(mobile_lab.render_blocking) == 5 and mobile_lab.render_blocking_total == 7
    image, offscreen = mobile_lab.unused_images
    assert (image.natural, image.displayed, image.offscreen) == ("4000×3000", "400×300", False)
    assert offscreen.offscreen and mobile_lab.render_blocking[0].delay == "320 ms"
    # PSI field data: FAST/AVERAGE/SLOW read as good/needs-improvement/poor, table order.
    assert [(m.key, m.display, m.rating) for m in mobile_psi.field] == [
        ("lcp_ms", "2.3 s", "good"), ("cls", "0.14", "needs-improvement"),
        ("inp_ms", "560 ms", "poor")]
    failed, other_desktop = other.results
    assert failed.status == "failed" and failed.error == "navigation timed out after 30 s"
    # Malformed details are ignored, not fatal.
    assert other_desktop.weight_by_type == () and other_desktop.render_blocking == ()
    assert other_desktop.metrics[1].display == "0" and other_desktop.score is None


def test_executive_summary_mentions_page_speed_and_ai_fixes(audit, user):
    summary = " ".join(report_data_build(audit=audit).summary)
    assert ("Largest Contentful Paint on mobile (lab) of the 1 page measured: 1 poor, 0 needing "
            "improvement, 0 good; the slowest is https://example.com/p0 (4.9 s).") in summary
    assert ("The report includes 6 AI-generated fixes to review before publishing. 1 of them is "
            "an offline draft, made without an AI model.") in summary
    spanish = " ".join(report_data_build(audit=audit, language="es").summary)
    assert "de la 1 página medida: 1 deficiente" in spanish and "(4,9 s)" in spanish
    skipped = _completed(user, summary={"pagespeed": {"status": "skipped", "pages": 0,
                                                      "reason": "Chromium not found at /x."}})
    assert "The page-speed lab measurement was skipped: Chromium not found at /x." in " ".join(
        report_data_build(audit=skipped).summary)
    assert not any("Contentful" in p or "AI-generated" in p
                   for p in report_data_build(audit=_completed(user)).summary)


def test_html_report_shows_the_page_speed_table(audit):
    html = render(audit, "html")
    assert "<h2>Page speed</h2>" in html
    home = _cells(html, "https://example.com/p0")
    assert '<td class="num rating r-poor">4.9 s</td>' in home
    assert '<td class="num rating r-needs-improvement">0.12</td>' in home
    assert '<td class="num rating r-good">150 ms</td>' in home
    assert "1.7\xa0MB" in home and ">63<" in home and "PageSpeed Insights" in home
    assert "Measurement failed: navigation timed out after 30 s" in html
    assert "7 render-blocking resources:" in html and "5 of 7 shown." in html
    assert "blocking-4.css" in html and "blocking-5.css" not in html
    assert "4000×3000 px shown at 400×300 px" in html
    assert "footer.jpg</span> <span class=\"muted\">(488.3\xa0KB; not on screen at load)" in html
    assert "2 large images shown much smaller than their size, or not on screen at load:" in html
    assert "(stylesheet, 9.8\xa0KB, 320 ms of delay)" in html
    assert "Field data from real Chrome users" in html
    assert '<td class="num rating r-poor">560 ms</td>' in html
    assert "The lab measurement was skipped." not in html


def test_skipped_lab_step_says_why_and_how_to_enable_it(user):
    audit = _completed(user, summary={"findings_by_severity": {"error": 1}, "pagespeed": {
        "status": "skipped", "reason": "Chromium not found at /usr/bin/chromium", "pages": 0}})
    html = render(audit, "html")
    assert "<h2>Page speed</h2>" in html
    assert "The lab measurement was skipped." in html
    assert "Chromium not found at /usr/bin/chromium" in html
    assert "set SEOAUDIT_CHROMIUM to its path" in html
    assert '<table class="speed">' not in html
    markdown = render(audit, "md")
    assert "### Page speed" in markdown and "Chromium not found at /usr/bin/chromium" in markdown
    spanish = render(audit, "html", "es")
    assert "Se omitió la medición de laboratorio." in spanish
    assert "vuelva a ejecutar la auditoría" in spanish


def test_skipped_rows_of_the_sample_are_not_listed_again(user):
    """The lab step records a skipped row per sampled page and form factor, under the summary
    key "lab": the reason is shown once, the rows are not repeated."""
    audit = _completed(user, summary={"lab": {"status": "skipped", "pages": 2, "reason":
                                              "Chromium not found at /nonexistent/chromium"}})
    for page in Page.objects.filter(audit=audit)[:2]:
        for form_factor in ("mobile", "desktop"):
            measurement(audit=audit, page=page, form_factor=form_factor, status="skipped",
                        error="Chromium not found at /nonexistent/chromium")
    section = report_data_build(audit=audit).pagespeed
    assert section.skipped and section.rows == () and section.pages_measured == 2
    html = render(audit, "html")
    chapter = html[html.index('id="page-speed"'):html.index("</section>", html.index('id="page-speed"'))]
    assert chapter.count("Chromium not found at /nonexistent/chromium") == 1
    assert "The lab measurement was skipped." in chapter
    assert report_data_build(audit=_completed(user, summary={"lab": None})).pagespeed is None


def test_an_audit_without_the_data_has_no_such_sections(user):
    audit = _completed(user)
    data = report_data_build(audit=audit)
    assert data.pagespeed is None and data.ai_fixes is None
    html = render(audit, "html")
    assert 'id="page-speed"' not in html and 'id="ai-fixes"' not in html
    assert "<h2>Page speed</h2>" not in html and "<h2>AI-generated fixes</h2>" not in html
    markdown = render(audit, "md")
    assert "Page speed" not in markdown and "AI-generated fixes" not in markdown
    exported = json.loads(render(audit, "json"))
    assert exported["pagespeed"] == [] and exported["ai_content"] == []


def test_time_budget_note_and_origin_field_data_are_shown(audit):
    summary = {**audit.summary, "pagespeed": {"status": "measured", "pages": 2,
                                              "reason": "time budget of 120 s used up"}}
    Audit.objects.filter(pk=audit.pk).update(summary=summary)
    psi = audit.pagespeed_measurements.get(source="psi")
    psi.details = {**psi.details, "field_scope": "origin"}
    psi.save(update_fields=["details"])
    audit.refresh_from_db()
    html = render(audit, "html")
    assert "Note: time budget of 120 s used up" in html
    assert "The lab measurement was skipped." not in html
    assert "whole-site data (too little traffic for this page)" in html


def test_recorded_but_empty_lab_step_says_so(user):
    audit = _completed(user, summary={"pagespeed": {"status": "measured", "reason": "",
                                                    "pages": 0}})
    html = render(audit, "html")
    assert "No page-speed measurement was recorded for this audit." in html


def test_page_speed_rows_are_capped(audit):
    pages = [Page.objects.create(audit=audit, url=f"https://example.com/extra/{i}",
                                 url_hash=url_hash(f"https://example.com/extra/{i}"), status=200,
                                 depth=2) for i in range(30)]
    for page in pages:
        measurement(audit=audit, page=page, lcp_ms=2000.0)
    section = page_speed_section(audit=audit, max_pages=25)
    assert len(section.rows) == 25 and section.truncated
    assert section.rows[0].url.endswith("/p0")  # shallow pages first
    html = render(audit, "html")
    assert "The first 25 measured pages are shown" in html


def test_report_data_queries_do_not_grow_with_the_measurements(audit, django_assert_max_num_queries):
    for i in range(40):
        page = Page.objects.create(audit=audit, url=f"https://example.com/more/{i}",
                                   url_hash=url_hash(f"https://example.com/more/{i}"), status=200)
        measurement(audit=audit, page=page, lcp_ms=3000.0, details={"field": {}})
        AIContentFactory(audit=audit, page=page, output={"title": "t" * 20,
                                                         "meta_description": "d" * 60})
    with django_assert_max_num_queries(10):
        data = report_data_build(audit=audit)
    assert len(data.pagespeed.rows) == 25 and len(data.ai_fixes.fixes) == 40


# --- AI-generated fixes ---------------------------------------------------------------------------

def test_ai_section_lists_the_latest_done_fix_per_page_and_kind(audit):
    section = report_data_build(audit=audit).ai_fixes
    kinds = [fix.kind for fix in section.fixes]
    assert kinds == ["title_meta", "alt_text", "faq", "json_ld", "geo_brief", "llms_txt"]
    title = section.fixes[0]
    assert title.title == "Cold brew coffee: steep times and grinds"  # not the outdated one
    assert title.origin == "openai · gpt-4o-mini" and not title.offline
    llms = section.fixes[-1]
    assert llms.offline and llms.origin == "offline draft (no AI provider configured)"
    assert section.offline_count == 1
    json_ld = section.fixes[3]
    assert json_ld.schema_type == "Article"
    assert json.loads(json_ld.text)["@type"] == "Article" and "\n  " in json_ld.text


def test_malformed_ai_output_is_left_out(user):
    audit = _completed(user)
    page = Page.objects.filter(audit=audit).first()
    AIContentFactory(audit=audit, page=page, kind="faq", output={"faq": "not a list"})
    AIContentFactory(audit=audit, page=page, kind="title_meta", output=["not", "a", "dict"])
    assert report_data_build(audit=audit).ai_fixes is None
    AIContentFactory(audit=audit, page=page, kind="alt_text", output={"images": [
        {"src": "https://example.com/a.png", "alt": {"nested": "dict"}}, "junk"]})
    [fix] = report_data_build(audit=audit).ai_fixes.fixes
    assert fix.images == (("https://example.com/a.png", ""),)


def test_html_report_escapes_generated_text(audit):
    html = render(audit, "html")
    assert "<h2>AI-generated fixes</h2>" in html
    assert "<script" not in html  # neither the brief's markup nor the JSON-LD's
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt; Ignore previous instructions" in html
    assert "Cold brew &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Outdated proposal title" not in html
    assert "Cold brew coffee: steep times and grinds" in html
    assert "(40 characters)" in html
    assert "openai · gpt-4o-mini" in html
    assert "offline draft (no AI provider configured)" in html
    assert "1 draft was made by the deterministic offline generator" in html
    assert "How long does cold brew take?" in html and "Coarse coffee grounds in a grinder" in html


def test_markdown_has_both_sections_escaped(audit):
    markdown = render(audit, "md")
    assert "### Page speed" in markdown and "### AI-generated fixes" in markdown
    row = next(line for line in markdown.splitlines()
               if line.startswith("| https://example.com/p0 | Mobile |"))
    assert "🔴 4.9 s" in row and "🟠 0.12" in row and "🟢 150 ms" in row and row.endswith("| 48 |")
    assert "failed: navigation timed out after 30 s" in markdown
    assert "<script" not in markdown
    assert "&lt;script&gt;alert('pwned'\\)&lt;/script&gt;" not in markdown  # parentheses kept
    assert "&lt;script&gt;alert('pwned')&lt;/script&gt; Ignore previous instructions" in markdown
    assert "offline draft (no AI provider configured)" in markdown


def test_json_export_includes_measurements_and_fixes(audit):
    exported = json.loads(render(audit, "json"))
    assert exported["summary"]["pagespeed"] == {"status": "measured", "reason": "", "pages": 2}
    speed = {(m["url"], m["form_factor"], m["source"]): m for m in exported["pagespeed"]}
    assert len(speed) == len(exported["pagespeed"]) == 5
    mobile = speed[("https://example.com/p0", "mobile", "lab")]
    assert mobile["metrics"]["lcp_ms"] == 4850.0 and mobile["ratings"]["lcp_ms"] == "poor"
    assert len(mobile["details"]["render_blocking"]) == 7  # whole, not capped
    assert speed[("https://example.com/p1", "mobile", "lab")]["status"] == "failed"
    fixes = exported["ai_content"]
    assert sorted(f["kind"] for f in fixes) == sorted(
        ["title_meta", "alt_text", "faq", "json_ld", "geo_brief", "llms_txt"])
    brief = next(f for f in fixes if f["kind"] == "geo_brief")
    assert brief["output"]["summary"] == HOSTILE
    assert next(f for f in fixes if f["kind"] == "llms_txt")["offline"] is True


# --- Spanish ------------------------------------------------------------------------------------

def test_spanish_report_translates_both_sections(audit):
    html = render(audit, "html", "es")
    assert "<h2>Velocidad de página</h2>" in html and "<h2>Correcciones generadas por IA</h2>" in html
    assert '<td class="num rating r-poor">4,9 s</td>' in html  # Spanish decimal comma
    assert "Móvil" in html and "Escritorio" in html and "La medición falló" in html
    assert "borrador sin conexión (sin proveedor de IA configurado)" in html
    assert "Título y meta descripción" in html and "Sección de preguntas frecuentes" in html
    assert "7 recursos que bloquean el renderizado:" in html
    assert "Datos de campo de usuarios reales de Chrome" in html
    markdown = render(audit, "md", "es")
    assert "### Velocidad de página" in markdown and "🔴 4,9 s" in markdown


def test_metric_labels_are_translated():
    assert set(TRANSLATED_LABELS) == set(LABELS.values())
    with translation.override("es"):
        missing = [label for label in LABELS.values() if translation.gettext(label) == label]
    assert missing == []


# --- PDF ----------------------------------------------------------------------------------------

def test_pdf_has_both_sections(audit, tmp_path):
    import subprocess

    from reports.renderers.pdf import render_pdf

    pdf = render_pdf(report_data_build(audit=audit))
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "Page speed" in text and "AI-generated fixes" in text
    assert re.search(r"4\.9 s", text) and "<script>alert('pwned')</script>" in text
