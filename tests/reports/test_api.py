from __future__ import annotations

import base64
import csv
import io
import json

import pytest
from rest_framework.test import APIClient

from audits.models import Audit
from reports.models import Report, ReportBranding
from tests.api.conftest import bearer_client
from tests.audits.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

PNG = base64.b64encode(base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)).decode()


def _generate(client: APIClient, audit: Audit, django_capture_on_commit_callbacks,
              **body) -> dict:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/audits/{audit.pk}/reports", body, format="json")
    assert response.status_code == 202, response.content
    return response.json()


def test_pdf_is_generated_in_the_background_and_downloaded(crawled, report_dir,
                                                           django_capture_on_commit_callbacks):
    client = bearer_client(crawled.user)
    created = _generate(client, crawled.after, django_capture_on_commit_callbacks,
                        format="pdf", language="es")
    assert created["status"] == "PENDING" and created["download_url"] is None
    status = client.get(f"/api/v1/reports/{created['id']}").json()
    assert status["status"] == "READY", status
    assert status["download_url"] == f"/api/v1/reports/{created['id']}/download"
    response = client.get(status["download_url"])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF") and len(body) == status["size"]
    host = "127.0.0.1"
    assert response["Content-Disposition"] == (
        f'attachment; filename="seo-report-{host}-{str(crawled.after.pk)[:8]}-es.pdf"')
    report = Report.objects.get(pk=created["id"])
    assert report.created_by == crawled.user and report.file.path.startswith(str(report_dir))
    listed = client.get(f"/api/v1/audits/{crawled.after.pk}/reports").json()
    assert [row["id"] for row in listed] == [created["id"]]


@pytest.mark.parametrize(("fmt", "content_type"), [("csv", "text/csv; charset=utf-8"),
                                                   ("json", "application/json"),
                                                   ("junit", "application/xml; charset=utf-8")])
def test_other_formats_generate_too(crawled, report_dir, django_capture_on_commit_callbacks,
                                    fmt, content_type):
    client = bearer_client(crawled.user)
    created = _generate(client, crawled.after, django_capture_on_commit_callbacks, format=fmt)
    response = client.get(f"/api/v1/reports/{created['id']}/download")
    assert response.status_code == 200 and response["Content-Type"] == content_type


def test_direct_formats_are_streamed(crawled):
    client = bearer_client(crawled.user)
    audit = crawled.after
    response = client.get(f"/api/v1/audits/{audit.pk}/report.csv")
    assert response.status_code == 200 and response.streaming
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == audit.findings.count()
    assert response["Content-Disposition"].startswith('attachment; filename="findings-127.0.0.1-')
    doc = json.loads(b"".join(client.get(f"/api/v1/audits/{audit.pk}/report.json")
                              .streaming_content))
    assert doc["id"] == str(audit.pk)
    html = client.get(f"/api/v1/audits/{audit.pk}/report.html?lang=es")
    assert html["Content-Type"] == "text/html; charset=utf-8"
    assert "Resumen ejecutivo" in b"".join(html.streaming_content).decode()
    md = client.get(f"/api/v1/audits/{audit.pk}/report.md", HTTP_ACCEPT="text/markdown")
    assert md.status_code == 200
    assert client.get(f"/api/v1/audits/{audit.pk}/report.xlsx").status_code == 404
    assert client.get(f"/api/v1/audits/{audit.pk}/report.pdf").status_code == 404
    bad = client.get(f"/api/v1/audits/{audit.pk}/report.md?lang=fr")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "validation_error"


def test_another_users_audit_and_reports_do_not_exist(crawled, report_dir,
                                                      django_capture_on_commit_callbacks):
    owner = bearer_client(crawled.user)
    created = _generate(owner, crawled.after, django_capture_on_commit_callbacks, format="md")
    stranger = bearer_client(UserFactory())
    audit_id = crawled.after.pk
    for response in (stranger.post(f"/api/v1/audits/{audit_id}/reports", {"format": "pdf"},
                                   format="json"),
                     stranger.get(f"/api/v1/audits/{audit_id}/reports"),
                     stranger.get(f"/api/v1/audits/{audit_id}/report.csv"),
                     stranger.get(f"/api/v1/reports/{created['id']}"),
                     stranger.get(f"/api/v1/reports/{created['id']}/download")):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert APIClient().get(f"/api/v1/reports/{created['id']}").status_code == 401


def test_unfinished_audit_and_unready_report_are_conflicts(report_dir):
    user = UserFactory()
    client = bearer_client(user)
    audit = Audit.objects.create(owner=user, url="https://example.com/",
                                 normalized_url="https://example.com/",
                                 status=Audit.Status.RUNNING)
    response = client.post(f"/api/v1/audits/{audit.pk}/reports", {"format": "pdf"},
                           format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "audit_not_finished"
    assert client.get(f"/api/v1/audits/{audit.pk}/report.md").status_code == 409
    pending = Report.objects.create(audit=audit, format="pdf")
    response = client.get(f"/api/v1/reports/{pending.pk}/download")
    assert response.status_code == 409 and response.json()["error"]["code"] == "report_not_ready"
    invalid = client.post(f"/api/v1/audits/{audit.pk}/reports", {"format": "docx"},
                          format="json")
    assert invalid.status_code == 400 and "format" in invalid.json()["error"]["details"]["fields"]


def test_report_requests_are_rate_limited_as_pdf_generation(crawled, settings, report_dir):
    settings.SEOAUDIT_RATE_LIMITS_ENABLED = True
    settings.SEOAUDIT_RATE_LIMITS = {**settings.SEOAUDIT_RATE_LIMITS, "pdf": "2/minute"}
    client = bearer_client(crawled.user)
    url = f"/api/v1/audits/{crawled.after.pk}/reports"
    codes = [client.post(url, {"format": "md"}, format="json").status_code for _ in range(3)]
    assert codes == [202, 202, 429]
    assert client.get(url).status_code == 200  # listing is not PDF generation


def test_branding_is_per_owner_and_shows_on_the_report(crawled):
    client = bearer_client(crawled.user)
    assert client.get("/api/v1/reports/branding").json()["primary_color"] == "#1f4e79"
    response = client.put("/api/v1/reports/branding", {
        "agency_name": "Acme Growth Partners", "logo": f"data:image/png;base64,{PNG}",
        "primary_color": "#7a1f5c", "accent_color": "#0a7d6e",
        "footer_text": "Prepared for Garden Co. by Acme Growth Partners"}, format="json")
    assert response.status_code == 200, response.content
    assert ReportBranding.objects.get(owner=crawled.user).agency_name == "Acme Growth Partners"
    html = b"".join(client.get(f"/api/v1/audits/{crawled.after.pk}/report.html")
                    .streaming_content).decode()
    assert "Acme Growth Partners" in html and "#7a1f5c" in html and PNG in html
    other = bearer_client(UserFactory())
    assert other.get("/api/v1/reports/branding").json()["agency_name"] == ""
    bad_logo = client.patch("/api/v1/reports/branding",
                            {"logo": "https://evil.example/logo.png"}, format="json")
    assert bad_logo.status_code == 400
    assert bad_logo.json()["error"]["code"] == "invalid_branding"
    bad_colour = client.patch("/api/v1/reports/branding", {"primary_color": "red"},
                              format="json")
    assert bad_colour.status_code == 400
    ReportBranding.objects.filter(owner=crawled.user).delete()


def test_openapi_documents_the_report_endpoints():
    schema = APIClient().get("/api/schema/?format=json").json()
    for path in ("/api/v1/audits/{audit_id}/reports", "/api/v1/reports/{report_id}",
                 "/api/v1/reports/{report_id}/download", "/api/v1/audits/{audit_id}/report.{fmt}",
                 "/api/v1/reports/branding"):
        assert path in schema["paths"], path


def test_generated_reports_emit_webhook_events(crawled, report_dir, django_capture_on_commit_callbacks):
    from webhooks import services as webhook_services
    from webhooks.models import WebhookEvent

    webhook_services.endpoint_create(owner=crawled.user, url="https://hooks.example.com/reports",
                                     event_types=["report.generated", "pdf.ready"])
    client = bearer_client(crawled.user)
    pdf = _generate(client, crawled.after, django_capture_on_commit_callbacks, format="pdf")
    md = _generate(client, crawled.after, django_capture_on_commit_callbacks, format="md")
    events = [(e.type, json.loads(e.body)["data"]) for e in WebhookEvent.objects.order_by("created_at")]
    assert [(kind, data["report_id"], data["format"]) for kind, data in events] == [
        ("report.generated", pdf["id"], "pdf"), ("pdf.ready", pdf["id"], "pdf"),
        ("report.generated", md["id"], "md")]
    ready = Report.objects.get(pk=pdf["id"])
    assert events[1][1]["url"] == f"/api/v1/reports/{pdf['id']}/download"
    assert events[1][1]["size_bytes"] == ready.size > 0
