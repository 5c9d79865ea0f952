from __future__ import annotations

import pytest
from django.db import connection

from audits import selectors, services
from audits.exceptions import InvalidAuditOptions, InvalidAuditURL
from audits.models import Audit, Finding, Link, Page
from tests.audits.factories import UserFactory
from tests.sites import Route, html, serve

pytestmark = pytest.mark.django_db(transaction=True)


def site() -> dict[str, Route]:
    nav = '<a href="/a">Alpha</a> <a href="/b">Beta</a>'
    return {
        "/": Route(html("Home page of the service test site", nav + '<a href="/gone">g</a>')),
        "/a": Route(html("Alpha page of the service test site", nav + '<img src="/i.png">')),
        "/b": Route(html("Beta page of the service test site", nav)),
    }


def test_create_normalizes_and_is_idempotent_while_active():
    user = UserFactory()
    first = services.audit_create(owner=user, url="HTTPS://Example.com", enqueue=False)
    again = services.audit_create(owner=user, url="https://example.com/", enqueue=False)
    assert first.pk == again.pk and first.normalized_url == "https://example.com/"
    other_user = services.audit_create(owner=UserFactory(), url="https://example.com/",
                                       enqueue=False)
    assert other_user.pk != first.pk
    Audit.objects.filter(pk=first.pk).update(status=Audit.Status.COMPLETED)
    assert services.audit_create(owner=user, url="https://example.com/", enqueue=False).pk != first.pk


@pytest.mark.parametrize("url", ["", "ftp://x.org/", "http://[::1", "javascript:alert(1)"])
def test_create_rejects_bad_urls(url):
    with pytest.raises(InvalidAuditURL):
        services.audit_create(owner=UserFactory(), url=url, enqueue=False)


@pytest.mark.parametrize("options", [{"max_pages": "many"}, {"nope": 1}, {"max_depth": -1},
                                     {"include": ["("]}, {"user_agent": "a\r\nb"}])
def test_create_rejects_bad_options(options):
    with pytest.raises(InvalidAuditOptions):
        services.audit_create(owner=UserFactory(), url="https://example.com/", options=options,
                              enqueue=False)


def test_run_persists_pages_links_findings_and_scores(allow_private):
    with serve(site()) as base:
        audit = services.audit_create(owner=UserFactory(), url=base + "/", enqueue=False)
        audit = services.audit_run(audit_id=audit.pk)
    assert audit.status == Audit.Status.COMPLETED, audit.error
    assert audit.progress == 100 and audit.pages_crawled == 4
    assert audit.seo_score is not None and "categories" in audit.scores
    pages = {p.url: p for p in Page.objects.filter(audit=audit)}
    assert pages[base + "/gone"].status == 404
    assert pages[base + "/a"].depth == 1 and pages[base + "/a"].inlinks >= 3
    assert pages[base + "/"].title == "Home page of the service test site"
    link = Link.objects.get(audit=audit, source=pages[base + "/"], target_url=base + "/gone")
    assert link.target_hash == pages[base + "/gone"].url_hash and link.internal
    assert selectors.link_target_page(link) == pages[base + "/gone"]
    assert Link.objects.filter(audit=audit, kind="img").exists()
    broken = Finding.objects.filter(audit=audit, page=pages[base + "/gone"])
    assert broken.exists()
    assert audit.summary["pages_crawled"] == 4


def test_run_twice_is_safe(allow_private):
    with serve(site()) as base:
        audit = services.audit_create(owner=UserFactory(), url=base + "/", enqueue=False)
        services.audit_run(audit_id=audit.pk)
        pages = Page.objects.filter(audit=audit).count()
        findings = Finding.objects.filter(audit=audit).count()
        again = services.audit_run(audit_id=audit.pk)
    assert again.status == Audit.Status.COMPLETED
    assert Page.objects.filter(audit=audit).count() == pages
    assert Finding.objects.filter(audit=audit).count() == findings


def test_unreachable_site_fails_with_reason(allow_private):
    with serve({}) as base:
        port = base.rsplit(":", 1)[1]
    audit = services.audit_create(owner=UserFactory(), url=f"http://127.0.0.1:{port}/",
                                  enqueue=False)
    audit = services.audit_run(audit_id=audit.pk)
    assert audit.status == Audit.Status.FAILED
    assert "connection_refused" in audit.error


def test_private_address_refused_by_default(settings):
    settings.SEOAUDIT_ALLOW_PRIVATE_NETWORKS = False
    with serve(site()) as base:
        audit = services.audit_create(owner=UserFactory(), url=base + "/", enqueue=False)
        audit = services.audit_run(audit_id=audit.pk)
    assert audit.status == Audit.Status.FAILED
    assert "ssrf_blocked" in audit.error and "127.0.0.1" in audit.error


def test_cancel_stops_a_pending_audit():
    audit = services.audit_create(owner=UserFactory(), url="https://example.com/", enqueue=False)
    services.audit_cancel(audit=audit)
    assert services.audit_run(audit_id=audit.pk).status == Audit.Status.CANCELLED
    assert not Page.objects.filter(audit=audit).exists()


def test_persistence_is_batched(allow_private):
    """Pages of one batch are written with a handful of statements, not one per row."""
    from django.test.utils import CaptureQueriesContext

    def routes(path):
        if path == "/" or path.startswith("/p"):
            return Route(html("Batch test page " + path + " with enough title",
                              "".join(f'<a href="/p{i}">p{i}</a>' for i in range(60))))
        return None

    with serve(routes) as base:
        audit = services.audit_create(owner=UserFactory(), url=base + "/", enqueue=False)
        with CaptureQueriesContext(connection) as queries:
            audit = services.audit_run(audit_id=audit.pk)
    assert audit.pages_crawled == 61
    assert Link.objects.filter(audit=audit).count() >= 61 * 60
    inserts = [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(
        ("INSERT", "COPY"))]
    assert len(inserts) < 20, len(inserts)
