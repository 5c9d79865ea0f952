"""The crawl-wide index: what counts as an inlink, bounded evidence and external targets."""

from __future__ import annotations

from audits.engine.site import MAX_EXTERNAL_TARGETS, MAX_SOURCES_PER_TARGET, SiteView
from audits.engine.types import CrawlOptions

A, B = "https://example.com/a", "https://example.com/b"


def view() -> SiteView:
    return SiteView("https://example.com/", CrawlOptions(start_url="https://example.com/"))


def test_self_references_and_non_anchor_kinds_are_not_inlinks():
    site = view()
    site.add_link(A, A, "", "canonical")  # almost every page canonicalises to itself
    site.add_link(A, A, "Top", "a")
    site.add_link(B, A, "", "hreflang")
    assert site.inlinks(A) == 0
    assert site.targets[A].inlinks == 3  # every reference is still counted
    site.add_link(B, A, "Alpha", "a")
    assert site.inlinks(A) == 1
    assert site.link_sources(A) == [(B, "", "hreflang"), (B, "Alpha", "a")]


def test_evidence_is_bounded():
    site = view()
    for i in range(50):
        site.add_link(f"https://example.com/p{i}", A, "x" * 500, "a")
    assert site.inlinks(A) == 50
    sources = site.link_sources(A)
    assert len(sources) == MAX_SOURCES_PER_TARGET and len(sources[0][1]) == 120


def test_external_targets_are_capped_and_counted():
    site = view()
    for i in range(MAX_EXTERNAL_TARGETS + 10):
        site.add_external_link(A, f"https://other.example/{i}", "", "a")
    site.add_external_link(B, "https://other.example/0", "Other", "a")
    assert len(site.external) == MAX_EXTERNAL_TARGETS
    assert site.external_overflow == 10
    assert site.external["https://other.example/0"].inlinks == 2


def test_healthy_pages_keep_one_linking_page_as_evidence():
    from tests.engine.checks.helpers import record

    site = view()
    for i in range(4):
        site.add_link(f"https://example.com/p{i}", A, f"a{i}", "a")
    site.add_page(record(A))  # crawled: 200, indexable
    assert site.link_sources(A) == [("https://example.com/p0", "a0", "a")]
    site.add_link("https://example.com/p9", A, "late", "a")
    assert len(site.link_sources(A)) == 1 and site.inlinks(A) == 5
    # A broken page keeps every sample (up to the cap): they are the evidence.
    site.add_page(record(B, status=404, indexable=False))
    for i in range(4):
        site.add_link(f"https://example.com/q{i}", B, "", "a")
    assert len(site.link_sources(B)) == 4
