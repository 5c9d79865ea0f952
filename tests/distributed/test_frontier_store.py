"""The shared frontier's guarantees, directly on PostgreSQL (no workers)."""

from __future__ import annotations

import pickle
import time

import pytest

from audits.distributed.frontier import (
    frontier_admit,
    frontier_claim,
    frontier_complete,
    frontier_counts,
    frontier_lock_claims,
    frontier_promote_sitemap,
    frontier_renew,
    frontier_seed,
)
from audits.engine.batch import Discovered
from audits.models import Audit, CrawlJob, CrawlURL, url_hash
from tests.audits.factories import UserFactory

ORIGIN = "http://site.test"


@pytest.fixture
def job(db):
    audit = Audit.objects.create(owner=UserFactory(), url=f"{ORIGIN}/",
                                 normalized_url=f"{ORIGIN}/", status=Audit.Status.RUNNING)
    job = CrawlJob.objects.create(audit=audit, robots=pickle.dumps(None), site_state=b"")
    frontier_seed(job=job, start_url=f"{ORIGIN}/", sitemap_urls=[f"{ORIGIN}/s1", f"{ORIGIN}/s2"],
                  in_sitemap={f"{ORIGIN}/s1", f"{ORIGIN}/s2"})
    return job


def _admit(job, urls, **kwargs):
    defaults = {"max_pages": 100, "max_query_variants": 50}
    return frontier_admit(audit_id=job.pk, discovered=[Discovered(u, 1, f"{ORIGIN}/") for u in urls],
                          **{**defaults, **kwargs})


def test_admission_is_exact_under_the_page_cap_and_never_twice(job):
    first = _admit(job, [f"{ORIGIN}/a{i}" for i in range(6)], max_pages=5)
    assert len(first) == 4  # the start URL took the first place
    assert _admit(job, [f"{ORIGIN}/a0", f"{ORIGIN}/b"], max_pages=5) == {}
    job.refresh_from_db()
    assert job.admitted == 5 and job.rejected == {"max_pages": 3}
    assert CrawlURL.objects.filter(audit_id=job.pk, state="queued").count() == 5


def test_a_linked_sitemap_url_is_queued_with_its_link_depth(job):
    assert _admit(job, [f"{ORIGIN}/s1"]) == {f"{ORIGIN}/s1": True}
    row = CrawlURL.objects.get(audit_id=job.pk, url_hash=url_hash(f"{ORIGIN}/s1"))
    assert (row.state, row.depth, row.in_sitemap) == ("queued", 1, True)
    assert frontier_counts(audit_id=job.pk, lease_s=60).sitemap == 1
    assert frontier_promote_sitemap(audit_id=job.pk, max_pages=100) == 1
    assert frontier_counts(audit_id=job.pk, lease_s=60).sitemap == 0


def test_query_variants_are_capped_across_units(job):
    assert len(_admit(job, [f"{ORIGIN}/cal?d={i}" for i in range(3)], max_query_variants=4)) == 3
    assert len(_admit(job, [f"{ORIGIN}/cal?d={i}" for i in range(3, 9)], max_query_variants=4)) == 1
    job.refresh_from_db()
    assert job.rejected["query_variants"] == 5


def test_claims_are_exclusive_expire_and_are_given_up_after_max_attempts(job):
    _admit(job, [f"{ORIGIN}/a{i}" for i in range(3)])
    a = frontier_claim(audit_id=job.pk, token="a", batch=2, lease_s=60, max_attempts=2)
    b = frontier_claim(audit_id=job.pk, token="b", batch=10, lease_s=60, max_attempts=2)
    assert [i.url for i in a] == [f"{ORIGIN}/", f"{ORIGIN}/a0"]  # breadth first
    assert {i.url for i in a}.isdisjoint(i.url for i in b) and len(b) == 2
    assert frontier_claim(audit_id=job.pk, token="c", batch=10, lease_s=60, max_attempts=2) == []
    time.sleep(0.3)
    # b's worker "died": its claims come back after the lease; a renewed its lease meanwhile.
    assert frontier_renew(audit_id=job.pk, token="a") == 2
    again = frontier_claim(audit_id=job.pk, token="d", batch=10, lease_s=0.2, max_attempts=2)
    assert {i.url for i in again} == {i.url for i in b}
    time.sleep(0.3)
    # d died too: those URLs were claimed twice and are given up; a's come back once.
    last = frontier_claim(audit_id=job.pk, token="e", batch=10, lease_s=0.2, max_attempts=2)
    assert {i.url for i in last} == {i.url for i in a}
    assert set(CrawlURL.objects.filter(audit_id=job.pk, state="failed")
               .values_list("url", flat=True)) == {i.url for i in b}


def test_only_the_holder_completes_a_claim(job):
    [item] = frontier_claim(audit_id=job.pk, token="old", batch=1, lease_s=60, max_attempts=3)
    CrawlURL.objects.filter(audit_id=job.pk).update(claimed_by="new")  # taken over
    assert frontier_lock_claims(audit_id=job.pk, token="old") == set()
    frontier_complete(audit_id=job.pk, token="old", records={url_hash(item.url): "[]"})
    assert CrawlURL.objects.get(audit_id=job.pk, url_hash=url_hash(item.url)).state == "claimed"
    frontier_complete(audit_id=job.pk, token="new", records={url_hash(item.url): "[1]"})
    row = CrawlURL.objects.get(audit_id=job.pk, url_hash=url_hash(item.url))
    assert (row.state, row.record) == ("done", [1])


def test_only_large_audits_in_production_mode_run_on_units(settings):
    from audits.distributed.services import crawl_is_distributed
    from audits.engine.types import CrawlOptions

    settings.SEOAUDIT_DISTRIBUTED_MIN_PAGES = 5000
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.RUN_MODE = "production"
    assert crawl_is_distributed(CrawlOptions(start_url=ORIGIN, max_pages=5001))
    assert not crawl_is_distributed(CrawlOptions(start_url=ORIGIN, max_pages=5000))
    settings.RUN_MODE = "embedded"
    assert not crawl_is_distributed(CrawlOptions(start_url=ORIGIN, max_pages=100_000))
    settings.RUN_MODE = "production"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert not crawl_is_distributed(CrawlOptions(start_url=ORIGIN, max_pages=100_000))


def test_page_records_survive_the_trip_through_json():
    import json

    from audits.engine.site import PageRecord

    record = PageRecord(url=f"{ORIGIN}/a", status=200, final_url=f"{ORIGIN}/a", depth=2,
                        is_html=True, indexable=True, title="T", description=None,
                        content_hash="ab", canonical=f"{ORIGIN}/a", redirect_hops=0, error=None,
                        in_sitemap=True, hreflangs=(("en", f"{ORIGIN}/a"),), simhash=2**63 + 5,
                        site_names="og\tSite")
    again = PageRecord.from_row(json.loads(json.dumps(record.as_row())))
    assert again == record and again.canonical is again.url
