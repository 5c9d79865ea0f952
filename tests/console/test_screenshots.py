"""Look at the admin dashboard and an analytics page the way a person does: headless
Chromium against a live server. The screenshots go to SEOAUDIT_SCREENSHOT_DIR when set
(docs/console.md shows them), else to the test's temporary directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from audits import services
from audits.models import Audit
from tests.audits.factories import UserFactory
from tests.browser import MISSING

from .conftest import bulk_audits, site_v1, site_v2

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(bool(MISSING), reason=MISSING or "browser available")]


def _session_cookie(user) -> dict:
    client = Client()
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value}


def _shoot(live_server, user, paths: dict[str, str], out: Path) -> dict[str, list[str]]:
    from playwright.sync_api import sync_playwright

    from audits.engine.render import chromium_path

    problems: dict[str, list[str]] = {}
    cookie = {**_session_cookie(user), "url": live_server.url}  # ORM work before the event loop
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([cookie])
        page = context.new_page()
        for name, path in paths.items():
            messages: list[str] = []
            page.on("console", lambda m, bucket=messages: bucket.append(m.text)
                    if m.type == "error" and "Failed to load resource" not in m.text else None)
            page.on("response", lambda r, bucket=messages: bucket.append(f"{r.status} {r.url}")
                    if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, (path, response and response.status)
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)
            problems[name] = messages
        browser.close()
    return problems


def test_screenshots_of_the_dashboard_and_a_site_trend(live_server, crawl, crawl_versions,
                                                      tmp_path):
    out = Path(os.environ.get("SEOAUDIT_SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    staff = UserFactory(username="agency", is_staff=True, is_superuser=True)
    _, latest = crawl_versions(staff, [site_v1(), site_v2()])
    crawl(staff, site_v2(), host="localhost")
    bulk_audits(staff, sites=6, per_site=4, findings=9)
    running = services.audit_create(owner=staff, url="https://running.example/", enqueue=False)
    Audit.objects.filter(pk=running.pk).update(status=Audit.Status.RUNNING, progress=37,
                                               pages_crawled=112, total_pages=300)
    failed = services.audit_create(owner=staff, url="https://down.example/", enqueue=False)
    Audit.objects.filter(pk=failed.pk).update(status=Audit.Status.FAILED, finished_at=timezone.now(),
                                               error="fetch_failed: https://down.example/: timed out")
    problems = _shoot(live_server, staff, {
        "admin-dashboard": "/admin/dashboard/",
        "admin-audits": "/admin/audits/audit/",
        "admin-audit": f"/admin/audits/audit/{latest.pk}/change/",
        "analytics-portfolio": "/analytics/",
        "analytics-site": "/analytics/sites/127.0.0.1/",
    }, out)
    for name, messages in problems.items():
        assert (out / f"{name}.png").stat().st_size > 10_000, name
        # no CSP violation or failed asset on the way (inline styles would be refused)
        assert not messages, (name, messages)
