from __future__ import annotations

import base64
import subprocess
from dataclasses import replace

import pytest
from django.core.management import CommandError, call_command

from audits.models import Audit
from reports import services
from reports.branding import Branding
from reports.builder import report_data_build
from reports.models import Report
from reports.renderers.html import render_html
from reports.renderers.pdf import render_pdf
from tests.engine.test_defect_site import PNG_1PX
from tests.sites import Route, serve

pytestmark = pytest.mark.django_db


def test_generate_is_idempotent_and_records_failures(crawled, report_dir):
    report = Report.objects.create(audit=crawled.after, format="md", language="en")
    done = services.report_generate(report_id=report.pk)
    assert done.status == Report.Status.READY and done.size > 0
    name = done.file.name
    again = services.report_generate(report_id=report.pk)   # a redelivered task message
    assert again.status == Report.Status.READY and again.file.name == name
    broken = Report.objects.create(audit=crawled.after, format="xlsx")
    failed = services.report_generate(report_id=broken.pk)
    assert failed.status == Report.Status.FAILED and "unknown report format" in failed.error


def test_pdf_rendering_never_fetches(crawled, tmp_path):
    """A URL in the document (here a logo that bypassed validation) is never fetched: only
    data: URLs load, and a data: logo is embedded."""
    hits: list[str] = []

    def route(path: str) -> Route:
        hits.append(path)
        return Route(PNG_1PX, headers={"Content-Type": "image/png"})

    base_data = report_data_build(audit=crawled.before)
    with serve(route) as base:
        remote = replace(base_data, branding=Branding("Acme", base + "/logo.png", "#123456",
                                                      "#654321", "footer"))
        assert base + "/logo.png" in render_html(remote, for_pdf=True)
        assert render_pdf(remote).startswith(b"%PDF")
    assert hits == []
    inline = replace(base_data, branding=Branding(
        "Acme", "data:image/png;base64," + base64.b64encode(PNG_1PX).decode(), "#123456",
        "#654321", "footer"))
    path = tmp_path / "logo.pdf"
    path.write_bytes(render_pdf(inline))
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    assert [line.split()[2] for line in images].count("image") == 1


def test_cli_writes_any_format(crawled, tmp_path, capsysbinary):
    out = tmp_path / "report.xml"
    call_command("report", str(crawled.after.pk), "--format", "junit", "--lang", "es",
                 "--out", str(out))
    assert out.read_text(encoding="utf-8").startswith('<?xml version="1.0"')
    pdf = tmp_path / "report.pdf"
    call_command("report", str(crawled.after.pk), "--out", str(pdf))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Executive summary" in text
    with pytest.raises(CommandError):
        call_command("report", "not-a-uuid", "--format", "md")
    running = Audit.objects.create(owner=crawled.user, url="https://x.example/",
                                   normalized_url="https://x.example/")
    with pytest.raises(CommandError, match="pending"):
        call_command("report", str(running.pk), "--format", "md")
