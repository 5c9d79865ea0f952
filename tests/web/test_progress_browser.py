"""A real browser (Playwright driving Debian's Chromium) signs in, starts an audit of a slow
local fixture site and watches the progress page advance to the completed state with scores,
without reloading. Screenshots in tests/artifacts/: progress-running.png, progress-finished.png,
list-running.png, list-mobile.png, progress-mobile.png."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from audits.engine.render import chromium_path
from audits.models import Audit
from tests.browser import MISSING, page_errors
from tests.livestack import asgi_server, celery_worker
from tests.sites import Route, html, serve
from tests.web.conftest import PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(bool(MISSING), reason=MISSING or "browser available")]

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
#: Fixture site: a home page linking to PAGES pages, each answered after PAGE_DELAY_S, so with
#: the crawler's 8 connections per host the audit runs for several seconds.
PAGES = 60
PAGE_DELAY_S = 1.5


def slow_site(path: str) -> Route | None:
    if path == "/":
        links = "".join(f'<li><a href="/page/{i}">Page {i} of the fixture site</a></li>'
                        for i in range(1, PAGES + 1))
        return Route(html("Fixture site home page for the browser test",
                          f"<p>Welcome to the slow fixture site.</p><ul>{links}</ul>"), delay=PAGE_DELAY_S)
    if path.startswith("/page/"):
        number = path.rsplit("/", 1)[-1]
        return Route(html(f"Fixture page number {number} of the slow site",
                          f'<p>Some words on page {number}.</p><a href="/">Home</a>'), delay=PAGE_DELAY_S)
    return None


@pytest.fixture
def live_settings(settings, allow_private, monkeypatch):
    settings.WHITENOISE_USE_FINDERS = True  # static files without collectstatic, as in DEBUG
    settings.WHITENOISE_AUTOREFRESH = True
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    return settings


def _accessibility_violations(page) -> list[str]:
    """axe-core's WCAG 2 A/AA findings on the page as it is now ("rule: target" lines)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
    return [f"{v['id']}: {node['target']}" for v in results.response["violations"] for node in v["nodes"]]


def sign_in(page, base: str, user) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}/audits/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Audits")


def watch(page, seen: list[dict], until, *, deadline: float) -> dict:
    """Read the progress page's state every 0.1 s into `seen` until `until(state)` holds or
    the deadline passes; the last state."""
    while True:
        state = _progress(page)
        seen.append(state)
        if until(state) or time.monotonic() > deadline:
            return state
        time.sleep(0.1)


def _progress(page) -> dict:
    return page.evaluate("""() => {
        const root = document.querySelector('[data-audit-progress]');
        const bar = root.querySelector('[role=progressbar]');
        return {status: root.dataset.status, value: Number(bar.getAttribute('aria-valuenow')),
                pages: Number(root.querySelector('[data-field="pages-crawled"]').textContent),
                marker: window.__sameDocument === true};
    }""")


def test_watch_an_audit_run_to_completion(live_settings, user):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with serve(slow_site) as site, asgi_server() as server, celery_worker(), sync_playwright() as pw:
        base = server.url
        browser = pw.chromium.launch(executable_path=chromium_path())
        try:
            context = browser.new_context(viewport={"width": 1100, "height": 900})
            page = context.new_page()
            problems = page_errors(page)
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            streams: list = []  # the page's event-stream requests
            page.on("request", lambda request: streams.append(request) if "/events" in request.url
                    else None)

            # Sign in (redirected there from the audit list).
            sign_in(page, base, user)

            # Start an audit of the fixture site.
            page.fill("#id_url", f"{site}/")
            page.click("text=Start audit")
            page.wait_for_url(f"{base}/audits/*/")
            audit = Audit.objects.get(owner=user)
            assert page.url == f"{base}/audits/{audit.pk}/"
            page.evaluate("() => { window.__sameDocument = true; }")  # gone if the page reloads
            # The list, in a second tab of the same session, follows the audit too.
            list_page = context.new_page()
            list_page.goto(f"{base}/audits/")
            row = list_page.locator(f'tr[data-audit-id="{audit.pk}"]')
            expect(row.locator(".badge")).to_have_text(re.compile("Pending|Running"))
            list_page.evaluate("() => { window.__sameDocument = true; }")

            # Running: the bar advances.
            seen: list[dict] = []
            deadline = time.monotonic() + 60
            state = watch(page, seen, lambda s: s["status"] == "RUNNING" and 0 < s["value"] < 100
                          and s["pages"] >= 8, deadline=deadline)
            assert state["status"] == "RUNNING", seen[-5:]

            # The web server restarts under the page (a deploy): the browser reconnects with
            # Last-Event-ID by itself and the page goes on.
            with page.expect_request(lambda r: "/events" in r.url, timeout=20_000) as reconnect:
                server.restart()
            assert "last-event-id" not in streams[0].all_headers()
            resumed_from = reconnect.value.all_headers().get("last-event-id")
            assert resumed_from and int(resumed_from) > 0, resumed_from
            expect(page.locator('[data-field="live-note"]')).to_contain_text("Live:")

            expect(page.locator('[data-field="current-url"]')).to_contain_text(site)
            page.screenshot(path=str(ARTIFACTS / "progress-running.png"), full_page=True)
            assert not _accessibility_violations(page)
            list_page.screenshot(path=str(ARTIFACTS / "list-running.png"), full_page=True)


            # Completed, without a reload, with scores.
            state = watch(page, seen, lambda s: s["status"] == "COMPLETED", deadline=deadline)
            assert state["status"] == "COMPLETED", seen[-5:]
            assert state["marker"], "the page was reloaded"
            values = [s["value"] for s in seen if s["status"] == "RUNNING"]
            assert len({v for v in values if 0 < v < 100}) >= 2, values  # it moved while running
            assert state["value"] == 100 and state["pages"] == PAGES + 1
            expect(page.locator('[data-field="results"]')).to_be_visible()
            expect(page.locator('[data-field="seo-score"]')).to_have_text(str(round(
                Audit.objects.get(pk=audit.pk).seo_score)))
            expect(page.locator('[data-field="geo-score"]')).to_have_text(
                str(round(Audit.objects.get(pk=audit.pk).geo_score)))
            expect(page.locator("[data-announcer]")).to_contain_text("Audit completed. SEO score")
            expect(page.locator(".badge")).to_have_text("Completed")
            page.screenshot(path=str(ARTIFACTS / "progress-finished.png"), full_page=True)
            assert not _accessibility_violations(page)
            # No script errors, no CSP violations (the stream cut by the restart is ours).
            assert not [p for p in problems if "ERR_INCOMPLETE_CHUNKED_ENCODING" not in p], problems
            # It was the event stream that fed the page, not the polling fallback.
            assert f"{base}/api/v1/audits/{audit.pk}/events" in requests
            assert not [url for url in requests if "/audits/live" in url]

            # The list tab caught up by itself (polling), without a reload.
            expect(row.locator(".badge")).to_have_text("Completed", timeout=10_000)
            expect(row.locator('[data-field="seo-score"]')).to_have_text(
                str(round(Audit.objects.get(pk=audit.pk).seo_score)))
            assert list_page.evaluate("window.__sameDocument === true")
            list_page.close()

            # A phone-sized window has no horizontal scroll.
            page.set_viewport_size({"width": 360, "height": 740})
            page.goto(f"{base}/audits/")
            expect(page.locator(f'tr[data-audit-id="{audit.pk}"] .badge')).to_have_text("Completed")
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            page.screenshot(path=str(ARTIFACTS / "list-mobile.png"), full_page=True)
            assert not _accessibility_violations(page)
            page.goto(f"{base}/audits/{audit.pk}/")
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            page.screenshot(path=str(ARTIFACTS / "progress-mobile.png"), full_page=True)
        finally:
            browser.close()


def test_staff_watch_another_users_audit_by_polling(live_settings, staff_user, other_user):
    """Streams are for owners; staff opening a client's audit get the same live page fed by
    the snapshot endpoint."""
    from playwright.sync_api import expect, sync_playwright

    from audits import services

    with serve(slow_site) as site, asgi_server() as server, celery_worker(), sync_playwright() as pw:
        base = server.url
        audit = services.audit_create(owner=other_user, url=f"{site}/")  # enqueued on commit
        browser = pw.chromium.launch(executable_path=chromium_path())
        try:
            page = browser.new_page()
            problems: list[str] = []
            page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            sign_in(page, base, staff_user)
            page.goto(f"{base}/audits/{audit.pk}/")
            expect(page.locator("text=(staff view)")).to_be_visible()
            page.evaluate("() => { window.__sameDocument = true; }")
            seen: list[dict] = []
            state = watch(page, seen, lambda s: s["status"] == "COMPLETED",
                          deadline=time.monotonic() + 60)
            assert state["status"] == "COMPLETED" and state["value"] == 100, seen[-5:]
            assert state["marker"], "the page was reloaded"
            assert any(s["status"] == "RUNNING" and 0 < s["value"] < 100 for s in seen), seen
            expect(page.locator('[data-field="seo-score"]')).to_have_text(
                str(round(Audit.objects.get(pk=audit.pk).seo_score)))
            assert [url for url in requests if f"/audits/live?id={audit.pk}" in url]
            assert not [url for url in requests if "/events" in url]
            assert not problems, problems
        finally:
            browser.close()
