"""Console and analytics test helpers: real audits crawled from local sites, and bulk rows for
query-count bounds on big tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from audits import services
from audits.models import Audit, Finding, Page
from tests.audits.factories import UserFactory
from tests.sites import Route, html, serve


def site_v1() -> dict[str, Route]:
    """A small site with planted defects: a broken link, a page without title/description."""
    nav = '<a href="/a">Alpha</a> <a href="/b">Beta</a> <a href="/gone">Gone</a>'
    return {
        "/": Route(html("Home page of the analytics test site", nav)),
        "/a": Route(html("Alpha page of the analytics test site", nav)),
        "/b": Route("<!doctype html><html><head></head><body><p>no title</p>"
                    '<a href="/">home</a></body></html>'),
    }


def site_v2() -> dict[str, Route]:
    """The same site after fixes: no broken link, every page titled."""
    nav = '<a href="/a">Alpha</a> <a href="/b">Beta</a>'
    return {
        "/": Route(html("Home page of the analytics test site", nav)),
        "/a": Route(html("Alpha page of the analytics test site", nav)),
        "/b": Route(html("Beta page of the analytics test site", nav)),
    }


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    """Rate limits have their own tests (tests/middleware); these walk many pages quickly."""
    settings.SEOAUDIT_RATE_LIMITS_ENABLED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def crawl(allow_private) -> Callable[..., Audit]:
    """crawl(owner, routes, host="127.0.0.1") -> a completed audit of a local site."""
    def run(owner: Any, routes: dict[str, Route], host: str = "127.0.0.1") -> Audit:
        with serve(routes) as base:
            url = base.replace("127.0.0.1", host) + "/"
            audit = services.audit_create(owner=owner, url=url, options={"max_pages": 20},
                                          enqueue=False)
            audit = services.audit_run(audit_id=audit.pk)
        assert audit.status == Audit.Status.COMPLETED, audit.error
        return audit
    return run


@pytest.fixture
def crawl_versions(allow_private) -> Callable[..., list[Audit]]:
    """crawl_versions(owner, [routes_v1, routes_v2, ...]) -> one completed audit per version,
    all of the same URL: one server whose content changes between the crawls."""
    def run(owner: Any, versions: list[dict[str, Route]]) -> list[Audit]:
        current: dict[str, Route] = {}
        audits = []
        with serve(lambda path: current.get(path)) as base:
            for routes in versions:
                current.clear()
                current.update(routes)
                audit = services.audit_create(owner=owner, url=base + "/",
                                              options={"max_pages": 20}, enqueue=False)
                audit = services.audit_run(audit_id=audit.pk)
                assert audit.status == Audit.Status.COMPLETED, audit.error
                audits.append(audit)
        return audits
    return run


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="staff", is_staff=True, is_superuser=True))
    return client


def bulk_audits(owner: Any, *, sites: int, per_site: int, findings: int = 0,
                pages: int = 0) -> list[Audit]:
    """Completed audits written in bulk (for query-count bounds, not for numbers)."""
    now = timezone.now()
    audits = []
    for s in range(sites):
        for k in range(per_site):
            finished = now - timedelta(days=per_site - k, minutes=s)
            audits.append(Audit(owner=owner, url=f"https://site{s}.example/",
                                normalized_url=f"https://site{s}.example/",
                                status=Audit.Status.COMPLETED, progress=100,
                                pages_crawled=pages, total_pages=pages, seo_score=50.0 + k,
                                geo_score=40.0 + k, started_at=finished - timedelta(seconds=30 + s),
                                finished_at=finished))
    Audit.objects.bulk_create(audits)
    rows, page_rows = [], []
    for audit in audits:
        page_rows += [Page(audit=audit, url=f"{audit.url}p{i}", url_hash=f"{i:016x}", status=200)
                      for i in range(pages)]
        rows += [Finding(audit=audit, code="seo.title.missing",
                         severity=("error", "warning", "notice")[i % 3], category="content")
                 for i in range(findings)]
    Page.objects.bulk_create(page_rows, batch_size=2000)
    Finding.objects.bulk_create(rows, batch_size=2000)
    return audits
