"""Page-speed results and AI-generated fixes on the progress pages: the card on the audit page,
the fragment progress.js loads on completion, the AI content page; escaping, CSP, ownership."""

from __future__ import annotations

import re

import pytest

from audits.models import Page
from tests.reports.factories import seed_ai_fixes, seed_page_speed

from .helpers import make_audit

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _seeded(owner, *, status: str = "COMPLETED", ai: bool = True):
    audit = make_audit(owner, status=status, progress=100 if status == "COMPLETED" else 60,
                       pages=3, total=3, seo_score=80.0, geo_score=50.0)
    pages = list(Page.objects.filter(audit=audit).order_by("url"))
    seed_page_speed(audit, pages)
    if ai:
        seed_ai_fixes(audit, pages)
    return audit


def _no_inline_code(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script (CSP)
    assert " style=" not in html and "<style" not in html  # no inline style (CSP)


def test_completed_audit_page_shows_page_speed_and_links_ai_fixes(web, user):
    audit = _seeded(user)
    html = _text(web.get(f"/audits/{audit.pk}/"))
    card = html[html.index('<h2 id="speed-title">'):]
    assert "Page speed" in card[:60]
    assert 'title="Largest Contentful Paint: poor">4.9 s</span>' in card
    assert ('class="rating rating--needs-improvement" '
            'title="Cumulative Layout Shift: needs improvement">0.12<') in card
    assert 'class="rating rating--good" title="Total Blocking Time: good">150 ms<' in card
    assert "Measurement failed: navigation timed out after 30 s" in card
    assert "Render-blocking resources (7):" in card and "blocking-5.css" not in card
    assert "data-pagespeed-url" not in html  # finished: nothing to load later
    assert f'href="/audits/{audit.pk}/ai-content/">AI-generated fixes (6)</a>' in html
    _no_inline_code(html)


def test_skipped_lab_step_is_explained_on_the_progress_page(web, user):
    audit = make_audit(user, status="COMPLETED", progress=100, summary={"pagespeed": {
        "status": "skipped", "reason": "Chromium not found at /usr/bin/chromium", "pages": 0}})
    html = _text(web.get(f"/audits/{audit.pk}/"))
    assert "The lab measurement was skipped." in html
    assert "Chromium not found at /usr/bin/chromium" in html
    assert "install Chromium" in html and "SEOAUDIT_CHROMIUM" in html
    assert 'class="speed-table"' not in html


def test_audit_without_page_speed_or_ai_content_shows_neither(web, user):
    audit = make_audit(user, status="COMPLETED", progress=100)
    html = _text(web.get(f"/audits/{audit.pk}/"))
    assert 'id="speed-title"' not in html and "AI-generated fixes" not in html
    assert web.get(f"/audits/{audit.pk}/page-speed/").status_code == 204


def test_running_audit_page_loads_the_card_when_it_completes(web, user):
    audit = make_audit(user, status="RUNNING", progress=50)
    html = _text(web.get(f"/audits/{audit.pk}/"))
    assert f'data-pagespeed-url="/audits/{audit.pk}/page-speed/"' in html
    assert web.get(f"/audits/{audit.pk}/page-speed/").status_code == 204  # nothing measured yet
    pages = list(Page.objects.filter(audit=audit).order_by("url"))
    seed_page_speed(audit, pages)
    fragment = _text(web.get(f"/audits/{audit.pk}/page-speed/"))
    assert fragment.lstrip().startswith("<section") and "4.9 s" in fragment
    assert "<html" not in fragment  # the card alone, for progress.js to insert
    assert "no-store" in web.get(f"/audits/{audit.pk}/page-speed/")["Cache-Control"]
    _no_inline_code(fragment)


def test_ai_content_page_escapes_generated_text(web, user):
    audit = _seeded(user)
    response = web.get(f"/audits/{audit.pk}/ai-content/")
    html = _text(response)
    assert "script-src 'self'" in response["Content-Security-Policy"]
    _no_inline_code(html)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt; Ignore previous instructions" in html
    assert "Cold brew &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Cold brew coffee: steep times and grinds" in html
    assert "Outdated proposal title" not in html
    assert "offline draft (no AI provider configured)" in html
    assert html.count('class="ai-fix"') == 6


def test_ai_content_page_without_fixes_explains_how_to_get_them(web, user):
    audit = make_audit(user, status="COMPLETED", progress=100)
    html = _text(web.get(f"/audits/{audit.pk}/ai-content/"))
    assert "No AI-generated fixes for this audit yet." in html


def test_another_users_page_speed_and_ai_content_are_404(web, other_user):
    audit = _seeded(other_user)
    assert web.get(f"/audits/{audit.pk}/page-speed/").status_code == 404
    response = web.get(f"/audits/{audit.pk}/ai-content/")
    assert response.status_code == 404 and b"Cold brew" not in response.content


def test_staff_see_a_clients_page_speed_and_ai_content(client, staff_user, other_user):
    audit = _seeded(other_user)
    client.force_login(staff_user)
    assert "4.9 s" in _text(client.get(f"/audits/{audit.pk}/"))
    assert "Cold brew coffee" in _text(client.get(f"/audits/{audit.pk}/ai-content/"))


def test_pages_need_a_signed_in_user(client, user):
    audit = _seeded(user)
    for path in (f"/audits/{audit.pk}/page-speed/", f"/audits/{audit.pk}/ai-content/"):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
