"""Distributed crawl end to end: work units on two real Celery worker processes crawl a
generated site on 127.0.0.1 (docs/scaling.md)."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from audits import services
from audits.models import Audit, CrawlJob, CrawlURL, Finding, Link, Page
from tests.audits.factories import UserFactory

from .conftest import UNIT_ENV
from .site import GeneratedSite, serve_site
from .workers import celery_workers, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

OPTIONS = {"max_pages": 2000, "check_external_links": False, "allow_private": True,
           "geo_live_check": False, "timeout": 10.0}
TERMINAL = (Audit.Status.COMPLETED, Audit.Status.FAILED, Audit.Status.CANCELLED)


def _start(url: str, *, distributed: bool, **options) -> Audit:
    audit = services.audit_create(owner=UserFactory(), url=url, options={**OPTIONS, **options},
                                  enqueue=False)
    services.audit_run(audit_id=audit.pk, distribute=distributed)
    audit.refresh_from_db()
    return audit


def _wait(audit: Audit, workers, timeout: float = 60) -> Audit:
    def done() -> bool:
        audit.refresh_from_db()
        return audit.status in TERMINAL

    if not wait_for(done, timeout):
        logs = "\n".join(f"--- {w.name}\n{w.output()}" for w in workers)
        pytest.fail(f"audit still {audit.status} after {timeout}s "
                    f"({Page.objects.filter(audit=audit).count()} pages)\n{logs}")
    return audit


def _pages(audit: Audit) -> Counter[str]:
    return Counter(Page.objects.filter(audit=audit).values_list("url", flat=True))


def _findings(audit: Audit) -> Counter[tuple[str | None, str]]:
    return Counter(Finding.objects.filter(audit=audit).values_list("page__url", "code"))


def _relative(counter: Counter, origin: str) -> Counter:
    def strip(value):
        if isinstance(value, tuple):
            return tuple(strip(v) for v in value)
        return value.replace(origin, "") if isinstance(value, str) else value

    return Counter({strip(key): n for key, n in counter.items()})


CLUSTER_CODES = frozenset({"seo.content.near_duplicate"})


def _per_cluster(findings: Counter) -> Counter:
    return Counter(code for (_, code), n in findings.items() if code in CLUSTER_CODES
                   for _ in range(n))


def _per_page(findings: Counter) -> Counter:
    return Counter({key: n for key, n in findings.items() if key[1] not in CLUSTER_CODES})


def test_units_crawl_the_same_pages_and_findings_as_the_single_path(unit_settings, two_workers,
                                                                     unit_queue):
    unit_settings.SEOAUDIT_DISTRIBUTED_QUEUE = unit_queue
    site = GeneratedSite(320)
    with serve_site(site) as (url, _stats):
        single = _start(url, distributed=False)
        assert single.status == Audit.Status.COMPLETED
        assert not CrawlJob.objects.filter(audit=single).exists()

        audit = _start(url, distributed=True)
        assert audit.status == Audit.Status.RUNNING  # the units crawl it
        audit = _wait(audit, two_workers)

    assert audit.status == Audit.Status.COMPLETED, audit.error
    job = CrawlJob.objects.get(audit=audit)
    assert job.finished and job.units_run >= 320 // 40
    pages = _pages(audit)
    assert max(pages.values()) == 1  # no page twice
    assert pages == _pages(single)
    # home, articles, sitemap-only orphans, broken links, redirects, the robots.txt-blocked URL
    assert len(pages) == 1 + 320 + 3 + len(range(40, 321, 40)) + len(range(35, 321, 35)) + 1
    findings, expected = _relative(_findings(audit), url), _relative(_findings(single), url)
    # One finding per near-duplicate cluster, on its first member in crawl order: which page
    # that is depends on the order pages finished, in either path.
    assert _per_cluster(findings) == _per_cluster(expected)
    assert _per_page(findings) == _per_page(expected)
    assert sum(findings.values()) > 300 and max(findings.values()) == 1  # no finding twice
    assert audit.pages_crawled == single.pages_crawled
    assert audit.seo_score == single.seo_score
    assert audit.summary["findings_by_severity"] == single.summary["findings_by_severity"]
    assert Link.objects.filter(audit=audit).count() == Link.objects.filter(audit=single).count()
    assert not CrawlURL.objects.filter(audit=audit).exists()  # the frontier is dropped at the end


def _watch_claims(audit: Audit, seen: dict[str, bool]) -> None:
    """Note whether two units held claims at once and whether a URL was claimed twice."""
    claims = CrawlURL.objects.filter(audit=audit, state=CrawlURL.State.CLAIMED)
    if claims.values("claimed_by").distinct().count() >= 2:
        seen["parallel"] = True
    if CrawlURL.objects.filter(audit=audit, attempt__gte=2).exists():
        seen["reclaimed"] = True


def test_a_sigkilled_worker_loses_no_page_and_duplicates_nothing(unit_settings, unit_queue):
    queue = unit_queue + "-kill"
    unit_settings.SEOAUDIT_DISTRIBUTED_QUEUE = queue
    site = GeneratedSite(400, delay=0.01)
    seen: dict[str, bool] = {}
    with celery_workers(2, queue, **UNIT_ENV) as workers, serve_site(site) as (url, _stats):
        audit = _start(url, distributed=True)

        def both_busy() -> bool:
            _watch_claims(audit, seen)
            return seen.get("parallel", False)

        assert wait_for(both_busy, 60, interval=0.05), "the two workers never overlapped"
        workers[0].kill()  # mid-unit: its claims stay behind, its message is never acked
        done_at_kill = CrawlJob.objects.get(audit=audit).pages_done

        def finished() -> bool:
            _watch_claims(audit, seen)
            audit.refresh_from_db()
            return audit.status in TERMINAL

        assert wait_for(finished, 90, interval=0.1), workers[1].output()

    assert audit.status == Audit.Status.COMPLETED, audit.error
    assert done_at_kill < 400
    assert seen.get("reclaimed"), "no claim of the killed worker was taken over"
    pages = _pages(audit)
    assert max(pages.values()) == 1
    assert len(pages) == 1 + 400 + 3 + len(range(40, 401, 40)) + len(range(35, 401, 35)) + 1
    assert {f"{url}/p/{i}" for i in range(1, 401)} <= set(pages)
    findings = _findings(audit)
    assert max(findings.values()) == 1
    # Every page's findings were written with the page: none missing for a reclaimed URL.
    no_description = {f"{url}/p/{i}" for i in range(1, 401) if i % 30 == 7}
    assert {page for page, code in findings if code == "seo.description.empty"} \
        >= no_description
    assert audit.pages_crawled == len(pages) - 1  # all but the robots.txt-blocked URL


def test_cancelling_stops_the_units(unit_settings, two_workers, unit_queue):
    unit_settings.SEOAUDIT_DISTRIBUTED_QUEUE = unit_queue
    site = GeneratedSite(2000, delay=0.05)
    with serve_site(site) as (url, stats):
        audit = _start(url, distributed=True)
        assert wait_for(lambda: CrawlJob.objects.get(audit=audit).pages_done >= 40, 60)
        services.audit_cancel(audit=audit)
        time.sleep(2.5)  # a unit notices within a second and saves nothing more
        hits = sum(stats.hits.values())
        pages = Page.objects.filter(audit=audit).count()
        time.sleep(2.0)
        assert sum(stats.hits.values()) == hits
        assert Page.objects.filter(audit=audit).count() == pages < 1000
        assert wait_for(lambda: not CrawlURL.objects.filter(audit=audit).exists(), 10)
    audit.refresh_from_db()
    assert audit.status == Audit.Status.CANCELLED


def test_per_host_concurrency_holds_across_workers(unit_settings, two_workers, unit_queue):
    unit_settings.SEOAUDIT_DISTRIBUTED_QUEUE = unit_queue
    site = GeneratedSite(240, delay=0.03)
    seen: dict[str, bool] = {}
    with serve_site(site) as (url, stats):
        audit = _start(url, distributed=True, concurrency=2)

        def finished() -> bool:
            _watch_claims(audit, seen)
            audit.refresh_from_db()
            return audit.status in TERMINAL

        assert wait_for(finished, 90, interval=0.05)
    assert audit.status == Audit.Status.COMPLETED, audit.error
    assert seen.get("parallel"), "the units never ran at the same time"
    # Each worker alone may send 2 at once; together they still send at most 2.
    assert stats.max_active == 2
