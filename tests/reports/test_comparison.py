from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audits.models import Audit, Finding, Page, url_hash
from reports.comparison import audit_compare, audit_previous, evidence_key, finding_fingerprint
from tests.audits.factories import UserFactory

from .conftest import BROKEN_PATH, FIXED_PATH

pytestmark = pytest.mark.django_db


def _audit(owner, *, minutes_ago: int, seo: float, status=Audit.Status.COMPLETED) -> Audit:
    audit = Audit.objects.create(owner=owner, url="https://shop.example/",
                                 normalized_url="https://shop.example/", status=status,
                                 seo_score=seo, geo_score=50.0,
                                 finished_at=timezone.now() - timedelta(minutes=minutes_ago))
    Audit.objects.filter(pk=audit.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago))
    audit.refresh_from_db()
    return audit


def _finding(audit: Audit, code: str, path: str | None, **details) -> None:
    page = None
    if path is not None:
        url = "https://shop.example" + path
        page, _ = Page.objects.get_or_create(audit=audit, url_hash=url_hash(url),
                                             defaults={"url": url, "status": 200})
    Finding.objects.create(audit=audit, page=page, code=code, severity="error",
                           category="links", details=details)


def test_new_fixed_and_persisting_are_keyed_by_code_url_and_evidence():
    owner = UserFactory()
    before = _audit(owner, minutes_ago=60, seo=70.0)
    after = _audit(owner, minutes_ago=5, seo=75.5)
    _finding(before, "seo.title.missing", "/a")                  # persists
    _finding(before, "seo.http.4xx", "/gone")                      # fixed
    _finding(before, "seo.links.broken_internal", "/b", target="https://shop.example/x", count=1)
    _finding(before, "seo.robots.invalid_lines", None, count=3)   # site-wide, persists
    _finding(after, "seo.title.missing", "/a")
    _finding(after, "seo.links.broken_internal", "/b", target="https://shop.example/x", count=2)
    _finding(after, "seo.links.broken_internal", "/b", target="https://shop.example/y")  # new
    _finding(after, "seo.http.5xx", "/c")                          # new
    _finding(after, "seo.robots.invalid_lines", None, count=5)
    _finding(after, "engine.check_error", "/a", check="x")        # our bug, never counted

    result = audit_compare(audit=after)

    assert result.previous_id == str(before.pk) and result.has_previous
    assert (result.new, result.fixed, result.persisting) == (2, 1, 3)
    assert result.seo_change == 5.5 and result.geo_change == 0.0
    by_code = {delta.code: delta for delta in result.checks}
    assert (by_code["seo.links.broken_internal"].new,
            by_code["seo.links.broken_internal"].persisting) == (1, 1)
    assert by_code["seo.http.4xx"].fixed == 1 and by_code["seo.http.5xx"].new == 1
    assert "engine.check_error" not in by_code
    assert ("seo.http.4xx", "https://shop.example/gone") in result.fixed_examples


def test_without_a_previous_audit_nothing_is_new():
    owner = UserFactory()
    only = _audit(owner, minutes_ago=5, seo=80.0)
    _finding(only, "seo.title.missing", "/a")
    result = audit_compare(audit=only)
    assert not result.has_previous and (result.new, result.fixed, result.persisting) == (0, 0, 0)
    assert result.seo_change is None


def test_previous_is_the_same_owners_latest_completed_audit_of_the_site():
    owner = UserFactory()
    oldest = _audit(owner, minutes_ago=90, seo=60.0)
    _audit(owner, minutes_ago=60, seo=10.0, status=Audit.Status.FAILED)
    _audit(UserFactory(), minutes_ago=30, seo=99.0)   # another owner's audit of the site
    current = _audit(owner, minutes_ago=1, seo=70.0)
    assert audit_previous(audit=current) == oldest
    assert audit_previous(audit=oldest) is None


def test_fingerprint_ignores_volatile_numbers_but_not_the_evidence():
    a = finding_fingerprint(code="c", page_url="https://x/", details={"count": 1, "bytes": 10})
    b = finding_fingerprint(code="c", page_url="https://x/", details={"count": 7})
    c = finding_fingerprint(code="c", page_url="https://x/", details={"target": "https://x/1"})
    assert a == b != c
    assert evidence_key({"target": "https://x/1", "url": "u"}) == "target=https://x/1"
    assert evidence_key(None) == "" and evidence_key({"flag": True}) == ""


def test_two_crawls_of_a_changed_site(crawled):
    result = audit_compare(audit=crawled.after)
    assert result.previous_id == str(crawled.before.pk)
    by_code = {delta.code: delta for delta in result.checks}
    # /defects/no-title got a title; /articles/basil (clean before) now answers 500.
    assert by_code["seo.title.missing"].fixed == 1 and by_code["seo.title.missing"].new == 0
    assert by_code["seo.http.5xx"].new == 1 and by_code["seo.http.5xx"].persisting == 1
    assert ("seo.title.missing", crawled.base + FIXED_PATH) in result.fixed_examples
    assert ("seo.http.5xx", crawled.base + BROKEN_PATH) in result.new_examples
    assert result.new == sum(d.new for d in result.checks)
    assert result.fixed == sum(d.fixed for d in result.checks)
    # Every finding of the new audit is new or persisting (engine findings excepted).
    counted = Finding.objects.filter(audit=crawled.after).exclude(code__startswith="engine.")
    assert result.new + result.persisting <= counted.count()
    assert result.persisting > 100  # most of the site did not change
