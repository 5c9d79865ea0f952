"""Hostile sites through the full audit path: audit_create -> Celery task (eager apply) ->
audit_run -> crawl -> PostgreSQL. The audit ends COMPLETED with the findings persisted, or
FAILED with a reason a user understands, within a wall-clock bound; and a hostile audit
running next to a normal one does not slow the normal one down."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from django.db import connection

import audits.engine.netguard as netguard
from audits import services
from audits.models import Audit, Finding, Page
from audits.tasks import run_audit
from tests.audits.factories import UserFactory

from . import routes as R
from .certs import make_certs
from .site import PAGE_CASES, hostile_routes, normal_routes, tarpit_routes

pytestmark = pytest.mark.django_db(transaction=True)

#: Audit options for hostile runs: 3 s timeouts (the `timeout` option), parsing inline.
OPTIONS = {"timeout": 3.0, "check_resources": False, "parse_workers": 0}
#: Hang guard for one hostile audit: every page at its full timeout, 8 at a time, + slack.
BOUND_S = 60


def _run(url: str, options: dict | None = None) -> tuple[Audit, float]:
    audit = services.audit_create(owner=UserFactory(), url=url, options=options or OPTIONS,
                                  enqueue=False)
    started = time.monotonic()
    run_audit.apply(args=[str(audit.pk)])
    audit.refresh_from_db()
    return audit, time.monotonic() - started


def test_hostile_site_audit_completes_with_its_findings(allow_private, serve):
    cases = ("redirect_loop", "endless_redirect", "silent", "slow_headers", "gigabyte_streamed",
             "gzip_bomb", "html_as_png", "binary_as_html", "length_shorter")
    server = serve(hostile_routes(cases))
    audit, seconds = _run(server.base_url + "/")
    assert audit.status == Audit.Status.COMPLETED, audit.error
    assert seconds < BOUND_S
    codes_by_page = {}
    for page_url, code in Finding.objects.filter(audit=audit, page__isnull=False).values_list(
            "page__url", "code"):
        codes_by_page.setdefault(page_url.removeprefix(server.base_url), set()).add(code)
    expected = {"redirect_loop": "seo.redirect.loop", "endless_redirect": "seo.redirect.too_many",
                "silent": "seo.fetch.timeout", "slow_headers": "seo.fetch.timeout",
                "gigabyte_streamed": "seo.page.truncated", "gzip_bomb": "seo.page.truncated",
                "html_as_png": "seo.content.type_mismatch",
                "binary_as_html": "seo.content.not_html", "length_shorter": "seo.fetch.connection"}
    for case, code in expected.items():
        assert code in codes_by_page.get(PAGE_CASES[case][0], set()), case
    timeout_page = Page.objects.get(audit=audit, url=server.url(PAGE_CASES["silent"][0]))
    assert timeout_page.error.startswith("timeout")


def test_infinite_site_audit_completes_at_its_page_cap(allow_private, serve):
    server = serve({"/": R.link_maze("/room/"), "/robots.txt": R.html("", status=404)})
    audit, seconds = _run(server.base_url + "/", {**OPTIONS, "max_pages": 150})
    assert audit.status == Audit.Status.COMPLETED, audit.error
    assert audit.pages_crawled == 150 and Page.objects.filter(audit=audit).count() == 150
    assert audit.summary["refused_urls"]["max_pages"] > 1000
    assert seconds < BOUND_S


def test_self_signed_site_fails_with_a_tls_reason(allow_private, serve, tmp_path):
    server = serve({"/": R.html(R.page("TLS", "x"))},
                   ssl_context=make_certs(tmp_path)["self_signed"].server_context())
    audit, seconds = _run(server.base_url + "/")
    assert audit.status == Audit.Status.FAILED
    assert "tls: TLS certificate of 127.0.0.1 not accepted" in audit.error
    assert "self-signed" in audit.error or "self signed" in audit.error
    assert seconds < 15


class _PublicAndPrivate(netguard.DefaultResolver):
    """DNS stub: every name resolves to a public address and to loopback (no real DNS)."""

    async def resolve(self, host, port=0, family=socket.AF_INET):
        return [{"hostname": host, "host": ip, "port": port, "family": socket.AF_INET,
                 "proto": 0, "flags": socket.AI_NUMERICHOST}
                for ip in ("93.184.216.34", "127.0.0.1")]


def test_rebinding_name_fails_the_audit_before_any_connection(settings, monkeypatch):
    """Production settings (private networks refused): a name with a loopback record is
    refused at connection time, so the audit fails with the SSRF reason; nothing is
    contacted, not even the public record."""
    settings.SEOAUDIT_ALLOW_PRIVATE_NETWORKS = False
    settings.SEOAUDIT_PARSE_WORKERS = 0
    monkeypatch.setattr(netguard, "DefaultResolver", _PublicAndPrivate)
    audit, seconds = _run("http://rebind.example/")
    assert audit.status == Audit.Status.FAILED
    assert "ssrf_blocked" in audit.error
    assert "rebind.example resolves to 127.0.0.1, a loopback address" in audit.error
    assert seconds < 15


def test_a_hostile_audit_does_not_slow_a_normal_one(allow_private, serve):
    """A tarpit site (every page dribbles or stalls until its timeout) is audited in one
    thread while a normal five-page site is audited in another: the normal audit finishes
    in about the time it takes alone, long before the hostile one."""
    tarpit = serve(hostile_routes(("slow_headers", "slow_body", "silent", "endless_chunked_slow",
                                   "length_longer_stall")))
    normal = serve(normal_routes(5))
    hostile = services.audit_create(owner=UserFactory(), url=tarpit.base_url + "/",
                                    options={**OPTIONS, "timeout": 6.0}, enqueue=False)
    done = threading.Event()

    def run_hostile() -> None:
        try:
            run_audit.apply(args=[str(hostile.pk)])
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=run_hostile, daemon=True)
    thread.start()
    time.sleep(0.5)  # the hostile crawl is under way (robots.txt fetched, pages in flight)
    audit, seconds = _run(normal.base_url + "/")
    hostile_still_running = not done.is_set()
    assert done.wait(BOUND_S)
    thread.join(5)
    assert audit.status == Audit.Status.COMPLETED and audit.pages_crawled == 5
    assert seconds < 10  # alone it takes well under a second; generous on a loaded machine
    assert hostile_still_running
    hostile.refresh_from_db()
    assert hostile.status == Audit.Status.COMPLETED, hostile.error


def test_tarpit_audit_completes_at_the_crawl_time_budget(allow_private, serve):
    """SEOAUDIT_MAX_CRAWL_SECONDS: an endless site of slow pages ends COMPLETED with what it
    crawled and the time-budget finding, not killed by the task's time limit."""
    allow_private.SEOAUDIT_MAX_CRAWL_SECONDS = 3.0
    server = serve(tarpit_routes(1.0, fanout=10))
    audit, seconds = _run(server.base_url + "/", {**OPTIONS, "max_pages": 5000, "concurrency": 4})
    assert audit.status == Audit.Status.COMPLETED, audit.error
    assert 0 < audit.pages_crawled < 100
    finding = Finding.objects.get(audit=audit, code="seo.crawl.time_budget")
    assert finding.page is None and finding.details["urls_not_fetched"] > 0
    assert seconds < BOUND_S
