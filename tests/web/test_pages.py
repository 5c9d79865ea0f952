"""The audit list, the start form and the progress page as a browser without JavaScript
sees them: server-rendered state, form errors, ownership."""

from __future__ import annotations

import re
import uuid

import pytest
from django.contrib.staticfiles import finders

from audits.models import Audit
from tests.web.helpers import make_audit, submit_start_form

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- The list and the start form -------------------------------------------------------------

def test_list_shows_own_audits_only(web, user, other_user):
    mine = make_audit(user, url="https://mine.example/", status="COMPLETED", progress=100,
                      seo_score=91.4, geo_score=55.0)
    theirs = make_audit(other_user, url="https://theirs.example/")
    html = _text(web.get("/audits/"))
    assert "https://mine.example/" in html and f"/audits/{mine.pk}/" in html
    assert "https://theirs.example/" not in html and str(theirs.pk) not in html
    assert ">91<" in html and ">55<" in html  # scores, rounded
    assert "badge--completed" in html


def test_list_without_audits_invites_to_start_one(web):
    assert "No audits yet" in _text(web.get("/audits/"))


def test_start_form_creates_the_audit_and_opens_its_page(web, user):
    response = submit_start_form(web, url="https://www.example.com/shop", max_pages="25")
    audit = Audit.objects.get(owner=user)
    assert response.status_code == 302
    assert response["Location"] == f"/audits/{audit.pk}/"
    assert audit.normalized_url.startswith("https://www.example.com/shop")
    assert audit.options == {"max_pages": 25}
    assert audit.status == Audit.Status.PENDING


def test_start_form_accepts_a_bare_host_like_the_api(web, user):
    submit_start_form(web, url="example.org")
    assert Audit.objects.get(owner=user).url == "https://example.org"


def test_a_resubmitted_form_starts_one_audit(web, user):
    page = web.get("/audits/")
    from tests.web.helpers import hidden_fields

    data = {**hidden_fields(page.content.decode()), "url": "https://example.com/"}
    first = web.post("/audits/", data)
    second = web.post("/audits/", data)
    assert first["Location"] == second["Location"]
    assert Audit.objects.filter(owner=user).count() == 1


@pytest.mark.parametrize(("url", "message"), [
    ("", "This field is required."),
    ("http://", "invalid URL"),
    ("http://127.0.0.1:8000/", "only public sites can be audited here"),
    ("http://localhost/", "only public sites can be audited here"),
    ("ftp://example.com/", "invalid URL"),
])
def test_start_form_shows_url_errors(web, user, url, message):
    response = submit_start_form(web, url=url)
    html = _text(response)
    assert response.status_code == 400
    assert message in html
    assert 'aria-invalid="true" aria-describedby="url-errors"' in html
    assert not Audit.objects.filter(owner=user).exists()


@pytest.mark.parametrize(("max_pages", "message"), [
    ("many", "Enter a whole number."),
    ("0", "greater than or equal to 1"),
    ("100000000", "max_pages must be between 1 and"),
])
def test_start_form_shows_page_limit_errors(web, user, max_pages, message):
    response = submit_start_form(web, url="https://example.com/", max_pages=max_pages)
    html = _text(response)
    assert response.status_code == 400
    assert message in html
    assert 'aria-describedby="max-pages-errors"' in html
    assert "https://example.com/" in html  # what was typed is kept
    assert not Audit.objects.filter(owner=user).exists()


def test_start_form_without_csrf_token_is_refused(web, user):
    response = web.post("/audits/", {"url": "https://example.com/",
                                     "idempotency_key": str(uuid.uuid4())})
    assert response.status_code == 403
    assert not Audit.objects.exists()


# --- The progress page ----------------------------------------------------------------------

def test_running_audit_page_shows_its_state_without_javascript(web, user):
    audit = make_audit(user, status="RUNNING", progress=40, pages=12, total=30,
                       findings={"error": 3, "warning": 2, "notice": 1},
                       current_url="https://example.com/p11")
    html = _text(web.get(f"/audits/{audit.pk}/"))
    bar = re.search(r'<div role="progressbar"[^>]*>', html).group(0)
    assert 'aria-valuenow="40"' in bar and 'aria-valuemin="0"' in bar and 'aria-valuemax="100"' in bar
    assert '<progress class="bar" max="100" value="40"' in html
    assert re.search(r'data-field="pages-crawled">12</span> pages crawled of '
                     r'<span data-field="total-pages">30<', html)
    assert 'data-field="findings-error">3<' in html
    assert 'data-field="findings-warning">2<' in html
    assert 'data-field="findings-notice">1<' in html
    assert 'data-field="elapsed">1 min 15 s<' in html
    assert re.search(r'data-field="eta">1 min 5[23] s<', html)  # 75 s for 12 pages, 18 to go
    assert 'data-field="current-url">https://example.com/p11<' in html
    assert 'aria-live="polite"' in html
    assert 'badge--running' in html
    # Without JavaScript the page refreshes itself while the audit runs.
    assert '<noscript><meta http-equiv="refresh" content="10"></noscript>' in html
    # Results only once finished.
    assert re.search(r'data-field="results" hidden', html)
    assert f'data-events-url="/api/v1/audits/{audit.pk}/events"' in html


def test_completed_audit_page_shows_scores_and_links(web, user):
    audit = make_audit(user, status="COMPLETED", progress=100, pages=5, total=5,
                       seo_score=87.6, geo_score=42.0, findings={"error": 1})
    html = _text(web.get(f"/audits/{audit.pk}/"))
    assert 'aria-valuenow="100"' in html and "bar--done" in html
    assert 'data-field="seo-score">88<' in html and "score--good" in html
    assert 'data-field="geo-score">42<' in html and "score--poor" in html
    assert not re.search(r'data-field="results" hidden', html)
    assert f'href="/audits/{audit.pk}/findings/"' in html
    assert f"<code>GET /api/v1/audits/{audit.pk}/findings</code>" in html
    assert 'href="/api/' not in html  # the API wants a bearer token: no link a browser cannot open
    assert "http-equiv=\"refresh\"" not in html
    assert 'data-field="eta">—<' in html


def test_failed_audit_page_shows_the_reason(web, user):
    audit = make_audit(user, status="FAILED", progress=10, pages=1, total=10,
                       error="example.com is unreachable: connection refused")
    html = _text(web.get(f"/audits/{audit.pk}/"))
    assert "The audit failed." in html
    assert "example.com is unreachable: connection refused" in html
    assert not re.search(r'data-field="error-box" hidden', html)
    assert "bar--failed" in html


def test_another_users_audit_is_404(web, other_user):
    audit = make_audit(other_user)
    response = web.get(f"/audits/{audit.pk}/")
    assert response.status_code == 404
    html = _text(response)
    assert "<h1>Not found</h1>" in html and "Back to your audits" in html  # the site's layout
    assert audit.url not in html
    assert web.get(f"/audits/{audit.pk}/findings/").status_code == 404
    assert web.get(f"/audits/{uuid.uuid4()}/").status_code == 404


def test_staff_may_open_any_audit(client, staff_user, other_user):
    from django.urls import reverse

    audit = make_audit(other_user, url="https://client.example/")
    client.force_login(staff_user)
    url = reverse("dashboard:audit-detail", args=[audit.pk])
    assert url == f"/audits/{audit.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    html = _text(response)
    assert "https://client.example/" in html and f"Audit by {other_user.username}" in html
    assert "data-events-url" not in html  # the stream is the owner's: the page polls instead


def test_findings_page_groups_by_check(web, user):
    audit = make_audit(user, status="COMPLETED", progress=100, findings={"error": 2, "notice": 1},
                       seo_score=90.0, scores={"score": 90.0, "categories": {
                           "on_page": {"score": 71.6, "findings": 3, "losses": []}}})
    html = _text(web.get(f"/audits/{audit.pk}/findings/"))
    assert '<td>On-page</td><td class="num">72</td><td class="num">3</td>' in html
    assert "seo.title.missing" in html and "seo.h1.missing" in html
    assert html.index("seo.title.missing") < html.index("seo.h1.missing")  # errors first
    assert re.search(r'seo\.title\.missing</code></td> <td class="num">2<', html)


def test_pages_follow_the_content_security_policy(web, user):
    audit = make_audit(user)
    for path in ("/audits/", f"/audits/{audit.pk}/", "/accounts/login/"):
        response = web.get(path)
        html = response.content.decode()
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path  # no inline script
        assert " style=" not in html and "<style" not in html, path  # no inline style
    assert finders.find("js/progress.js") and finders.find("css/app.css")


# --- The live snapshot endpoint (what the list polls) ----------------------------------------

def test_live_endpoint_returns_snapshots_of_own_audits(web, user, other_user):
    mine = make_audit(user, progress=40, pages=12, total=30, findings={"warning": 2})
    theirs = make_audit(other_user)
    response = web.get(f"/audits/live?id={mine.pk}&id={theirs.pk}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]  # a poll must never be answered from a cache
    [snapshot] = response.json()["audits"]
    assert snapshot["audit_id"] == str(mine.pk)
    assert snapshot["status"] == "RUNNING" and snapshot["progress"] == 40
    assert snapshot["pages_crawled"] == 12 and snapshot["total_pages"] == 30
    assert snapshot["findings"] == {"error": 0, "warning": 2, "notice": 0}


def test_live_endpoint_rejects_bad_ids(web):
    response = web.get("/audits/live?id=not-a-uuid")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_id"
    too_many = "&".join(f"id={uuid.uuid4()}" for _ in range(41))
    assert web.get(f"/audits/live?{too_many}").json()["error"]["code"] == "too_many_ids"


def test_live_endpoint_takes_as_many_ids_as_the_list_sends(web, user):
    audits = [make_audit(user, url=f"https://s{i}.example/", pages=1, total=2) for i in range(40)]
    query = "&".join(f"id={audit.pk}" for audit in audits)
    response = web.get(f"/audits/live?{query}")
    assert response.status_code == 200
    assert len(response.json()["audits"]) == 40


def test_staff_live_snapshot_of_any_audit(client, staff_user, other_user):
    audit = make_audit(other_user)
    client.force_login(staff_user)
    assert [s["audit_id"] for s in client.get(f"/audits/live?id={audit.pk}").json()["audits"]] \
        == [str(audit.pk)]


def test_live_polls_count_in_the_audits_rate_limit_class(web, user, settings):
    settings.SEOAUDIT_RATE_LIMITS_ENABLED = True
    audit = make_audit(user)
    live = web.get(f"/audits/live?id={audit.pk}")
    page = web.get("/audits/")
    assert live["X-RateLimit-Limit"] == "600"  # settings.SEOAUDIT_RATE_LIMITS["audits"]
    assert page["X-RateLimit-Limit"] == "100"  # the pages themselves: the default class


def test_finished_page_links_to_reports_the_viewer_can_open(web, user, other_user):
    audit = make_audit(user, status="COMPLETED", progress=100, seo_score=80.0, geo_score=70.0)
    html = _text(web.get(f"/audits/{audit.pk}/"))
    assert f'href="/audits/{audit.pk}/report.html"' in html
    assert f'href="/audits/{audit.pk}/report.html?lang=es"' in html
    assert f"<code>POST /api/v1/audits/{audit.pk}/reports</code>" in html
    response = web.get(f"/audits/{audit.pk}/report.html?lang=es")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "script-src" not in response["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in response["Content-Security-Policy"]
    body = b"".join(response.streaming_content).decode()
    assert 'lang="es"' in body
    csv_response = web.get(f"/audits/{audit.pk}/report.csv")
    assert csv_response.status_code == 200 and csv_response["Content-Type"].startswith("text/csv")
    assert web.get(f"/audits/{audit.pk}/report.pdf").status_code == 404  # PDF: background only
    assert web.get(f"/audits/{audit.pk}/report.html?lang=fr").status_code == 404
    theirs = make_audit(other_user, status="COMPLETED", progress=100)
    assert web.get(f"/audits/{theirs.pk}/report.html").status_code == 404


def test_report_of_a_running_audit_is_not_ready(web, user):
    audit = make_audit(user, status="RUNNING", progress=40)
    response = web.get(f"/audits/{audit.pk}/report.md")
    assert response.status_code == 409 and b"No report yet" in response.content


def test_site_navigation_reaches_analytics(web, user):
    html = _text(web.get("/audits/"))
    assert 'href="/analytics/"' in html
    page = web.get("/analytics/")
    assert page.status_code == 200 and 'aria-current="page"' in _text(page)
