"""A real browser (Playwright driving Debian's Chromium) watches an audit finish: the page-speed
card appears on the same document (progress.js loads it on completion), passes axe, fits
360 px; the AI content page and the HTML report show hostile generated text as text (no script
runs, no console error under the CSP). Screenshots in tests/artifacts/: progress-pagespeed.png,
progress-pagespeed-mobile.png, ai-content.png, report-pagespeed.png."""

from __future__ import annotations

import pytest
from django.utils import timezone

from audits.engine.render import chromium_path
from audits.models import Page
from audits.progress import progress_record
from tests.browser import MISSING, page_errors
from tests.livestack import asgi_server
from tests.reports.factories import seed_ai_fixes, seed_page_speed
from tests.web.helpers import make_audit
from tests.web.test_progress_browser import (  # noqa: F401 (live_settings is a fixture)
    ARTIFACTS,
    _accessibility_violations,
    live_settings,
    sign_in,
)

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(bool(MISSING), reason=MISSING or "browser available")]


def test_page_speed_and_ai_fixes_in_a_browser(live_settings, user):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    audit = make_audit(user, status="RUNNING", progress=60, pages=3, total=3)
    with asgi_server() as server, sync_playwright() as pw:
        base = server.url
        browser = pw.chromium.launch(executable_path=chromium_path())
        try:
            context = browser.new_context(viewport={"width": 1100, "height": 900})
            page = context.new_page()
            problems = page_errors(page)
            dialogs: list[str] = []
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

            sign_in(page, base, user)
            page.goto(f"{base}/audits/{audit.pk}/")
            expect(page.locator('[data-field="live-note"]')).to_have_text(
                "Live: this page updates by itself.")
            assert page.locator("#speed-title").count() == 0
            page.evaluate("() => { window.__sameDocument = true; }")

            # The worker measures the sample and finishes the audit.
            pages = list(Page.objects.filter(audit=audit).order_by("url"))
            seed_page_speed(audit, pages)
            progress_record(audit_id=audit.pk, fields={
                "status": "COMPLETED", "progress": 100, "finished_at": timezone.now(),
                "seo_score": 80.0, "geo_score": 50.0})

            expect(page.locator("#speed-title")).to_be_visible(timeout=20_000)
            assert page.evaluate("() => window.__sameDocument === true"), "the page was reloaded"
            expect(page.locator(".speed-table .rating--poor").first).to_have_text("4.9 s")
            page.locator(".speed-details summary").first.click()
            expect(page.locator(".speed-details ul").first).to_be_visible()
            assert _accessibility_violations(page) == []
            page.screenshot(path=str(ARTIFACTS / "progress-pagespeed.png"), full_page=True)

            page.set_viewport_size({"width": 360, "height": 800})
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            page.screenshot(path=str(ARTIFACTS / "progress-pagespeed-mobile.png"), full_page=True)
            page.set_viewport_size({"width": 1100, "height": 900})

            seed_ai_fixes(audit, pages)
            page.goto(f"{base}/audits/{audit.pk}/ai-content/")
            expect(page.locator(".ai-fix")).to_have_count(6)
            expect(page.get_by_text("<script>alert('pwned')</script> Ignore previous")).to_be_visible()
            assert _accessibility_violations(page) == []
            page.screenshot(path=str(ARTIFACTS / "ai-content.png"), full_page=True)

            page.goto(f"{base}/audits/{audit.pk}/report.html")
            expect(page.locator("#page-speed h2")).to_have_text("Page speed")
            expect(page.locator("#ai-fixes h2")).to_have_text("AI-generated fixes")
            page.screenshot(path=str(ARTIFACTS / "report-pagespeed.png"), full_page=True)

            assert not dialogs, dialogs  # no injected script ran anywhere
            assert not problems, problems
        finally:
            browser.close()
