"""Site-wide checks over a hand-built SiteView: duplicates, broken links, orphans, canonical
targets, sitemap and robots.txt consistency."""

from __future__ import annotations

from audits.engine.types import CrawlOptions
from tests.engine.checks.helpers import Case, fires, record, run, site

A, B, C, D = (f"https://example.com/{name}" for name in "abcd")
HOME = "https://example.com/"


def moved(url: str, target: str, **overrides):
    """A URL that redirected (once) to `target`, which answered 200."""
    return record(url, redirect_hops=1, final_url=target, canonical=None, indexable=False,
                  indexability_reason=f"redirects to {target}", **overrides)


def capped(view, max_pages: int):
    view.options = CrawlOptions(start_url=HOME, max_pages=max_pages)
    return view


def trapped(**traps):
    view = site(record(HOME))
    view.crawl_traps = {reason: (count, (f"{HOME}cal?d={count}",)) for reason, count in traps.items()}
    return view


def out_of_time():
    view = site(record(HOME))
    view.time_budget = {"budget_s": 60.0, "pages_crawled": 1, "urls_not_fetched": 12}
    return view


CASES = [
    Case("seo.crawl.time_budget", fails=[out_of_time], passes=[lambda: site(record(HOME))]),
    Case("seo.crawl.trap",
         fails=[lambda: trapped(query_variants=12), lambda: trapped(url_too_long=1),
                lambda: trapped(repeated_path_segments=3, query_variants=1)],
         passes=[lambda: site(record(HOME)), lambda: trapped()]),
    Case("seo.title.duplicate",
         fails=[lambda: site(record(A, title="Same  title"), record(B, title="same title"))],
         passes=[lambda: site(record(A), record(B)),
                 lambda: site(record(A, title="Same"), record(B, title="Same", indexable=False)),
                 lambda: site(record(A, title="Same"), record(B, title="Same", status=404)),
                 lambda: site(record(A, title="Same"), record(B, title="Same", redirect_hops=1))]),
    Case("seo.description.duplicate",
         fails=[lambda: site(record(A, description="Shared"), record(B, description="Shared"))],
         passes=[lambda: site(record(A), record(B)),
                 lambda: site(record(A, description=None), record(B, description=None))]),
    Case("seo.content.duplicate",
         fails=[lambda: site(record(A, content_hash="h1"), record(B, content_hash="h1"))],
         passes=[lambda: site(record(A), record(B)),
                 lambda: site(record(A, content_hash=""), record(B, content_hash=""))]),
    Case("seo.links.broken_internal",
         fails=[lambda: site(record(HOME), record(A, status=404, is_html=False),
                             links=((HOME, A, "Alpha"),)),
                lambda: site(record(HOME), record(A, status=0, error="timeout"),
                             links=((HOME, A, "Alpha"),)),
                lambda: site(record(HOME), record(A, status=500, redirect_hops=1),
                             links=((HOME, A, "Alpha"),))],
         passes=[lambda: site(record(HOME), record(A), links=((HOME, A, "Alpha"),)),
                 lambda: site(record(HOME), record(A, status=0, error="robots_blocked"),
                              links=((HOME, A, "Alpha"),)),
                 lambda: site(record(HOME), record(A, status=404))]),
    Case("seo.links.orphan",
         fails=[lambda: site(record(HOME, depth=0), record(A, depth=-1, in_sitemap=True))],
         passes=[lambda: site(record(HOME, depth=0), record(A, depth=-1, in_sitemap=True),
                              links=((HOME, A, "a"),)),
                 lambda: site(record(HOME, depth=0)),
                 lambda: site(record(A, depth=-1, in_sitemap=True, status=404))]),
    Case("seo.robots.blocked_linked",
         fails=[lambda: site(record(HOME), record(A, status=0, error="robots_blocked"),
                             links=((HOME, A, "Private"),))],
         passes=[lambda: site(record(HOME), record(A, status=0, error="robots_blocked",
                                                   in_sitemap=True)),
                 lambda: site(record(HOME), record(A), links=((HOME, A, "x"),))]),
    Case("seo.canonical.to_redirect",
         fails=[lambda: site(record(A, canonical=B, indexable=False),
                             record(B, redirect_hops=1, final_url=C, indexable=False))],
         passes=[lambda: site(record(A, canonical=B, indexable=False), record(B)),
                 lambda: site(record(A, canonical=D, indexable=False))]),
    Case("seo.canonical.to_error",
         fails=[lambda: site(record(A, canonical=B, indexable=False),
                             record(B, status=404, is_html=False, indexable=False)),
                lambda: site(record(A, canonical=B, indexable=False),
                             record(B, status=0, error="timeout", indexable=False))],
         passes=[lambda: site(record(A, canonical=B, indexable=False), record(B)),
                 lambda: site(record(A, canonical=B, indexable=False),
                              record(B, status=0, error="robots_blocked")),
                 lambda: site(record(A, canonical=D, indexable=False)),
                 lambda: site(record(A, canonical=A))]),
    Case("seo.sitemap.non_indexable",
         fails=[lambda: site(record(A, in_sitemap=True, indexable=False,
                                    indexability_reason="noindex (meta robots)")),
                lambda: site(record(A, in_sitemap=True, status=404, indexable=False))],
         passes=[lambda: site(record(A, in_sitemap=True)),
                 lambda: site(record(A, indexable=False)),
                 lambda: site(record(A, in_sitemap=True, is_html=False, indexable=False,
                                     indexability_reason="not HTML")),
                 lambda: site(record(A, in_sitemap=True, indexable=False, status=0,
                                     error="robots_blocked"))]),
    Case("seo.sitemap.blocked_by_robots",
         fails=[lambda: site(record(A, in_sitemap=True, status=0, error="robots_blocked",
                                    indexable=False))],
         passes=[lambda: site(record(A, status=0, error="robots_blocked", indexable=False)),
                 lambda: site(record(A, in_sitemap=True))]),
    Case("seo.links.to_redirect",
         fails=[lambda: site(record(HOME), moved(A, B), record(B), links=((HOME, A, "Alpha"),)),
                lambda: site(record(HOME), moved(A, "https://example.com/a/"),
                             links=((HOME, A, "Alpha"),))],
         passes=[lambda: site(record(HOME), moved(A, B), record(B)),  # only in the sitemap
                 lambda: site(record(HOME), record(B), links=((HOME, B, "Beta"),)),
                 # ends in an error: a broken link, reported as such
                 lambda: site(record(HOME), moved(A, B, status=404), links=((HOME, A, "Alpha"),)),
                 lambda: site(record(HOME), moved(A, B, status=0, error="redirect_loop"),
                              links=((HOME, A, "Alpha"),))]),
    Case("seo.links.single_inlink",
         fails=[lambda: site(record(HOME, depth=0), record(A), links=((HOME, A, "Alpha"),))],
         passes=[lambda: site(record(HOME, depth=0), record(A), record(B),
                              links=((HOME, A, "Alpha"), (B, A, "alpha"))),
                 # a second link reaches A through a redirecting URL
                 lambda: site(record(HOME, depth=0), record(A), moved(C, A),
                              links=((HOME, A, "Alpha"), (HOME, C, "old alpha"))),
                 lambda: site(record(HOME, depth=0), record(B), links=((B, HOME, "Home"),)),
                 lambda: site(record(HOME, depth=0),
                              record(A, indexable=False, indexability_reason="noindex (meta robots)"),
                              links=((HOME, A, "Alpha"),)),
                 lambda: site(record(HOME, depth=0), record(A, status=404),
                              links=((HOME, A, "Alpha"),)),
                 lambda: site(record(HOME, depth=0), record(A)),  # no inlink: other checks
                 # the page cap stopped the crawl: other pages might link to A
                 lambda: capped(site(record(HOME, depth=0), record(A), links=((HOME, A, "A"),)),
                                max_pages=2)]),
    Case("seo.links.deep",
         fails=[lambda: site(record(HOME, depth=0), record(A, depth=4))],
         passes=[lambda: site(record(HOME, depth=0), record(A, depth=3)),
                 lambda: site(record(A, depth=-1, in_sitemap=True)),
                 lambda: site(record(A, depth=6, indexable=False,
                                     indexability_reason="noindex (meta robots)")),
                 lambda: site(record(A, depth=6, status=404)),
                 lambda: site(moved(A, B, depth=6))]),

]



def test_duplicate_titles_give_one_finding_per_page_naming_the_others():
    view = site(*(record(f"https://example.com/p{i}", title="Same") for i in range(30)),
                record(A, title="Unique"))
    findings = run("seo.title.duplicate", view)
    assert len(findings) == 30
    first = findings[0]
    assert first.details["pages"] == 30
    assert len(first.details["duplicates"]) == 10
    assert first.url not in first.details["duplicates"]


def test_broken_link_finding_names_sources_and_anchors():
    view = site(record(HOME), record(B), record(A, status=404),
                links=((HOME, A, "Alpha page"), (B, A, "alpha")))
    [finding] = run("seo.links.broken_internal", view)
    assert finding.url == A
    assert finding.details["inlinks"] == 2
    assert finding.details["sources"] == [
        {"url": HOME, "anchor": "Alpha page", "kind": "a"}, {"url": B, "anchor": "alpha", "kind": "a"}]


def test_site_checks_handle_a_large_index():
    """20,000 records with duplicate titles and content, and broken pages linked: the checks
    group them correctly (speed is measured by the benchmarks, not asserted here)."""
    n = 20_000
    pages = [record(f"https://example.com/p{i}", title=f"T{i % 50}", content_hash=f"h{i % 7}",
                    status=404 if i % 10 == 0 else 200) for i in range(n)]
    links = tuple((pages[i].url, pages[(i * 7 + 1) % n].url, "x") for i in range(n))
    view = site(*pages, links=links)
    titles = run("seo.title.duplicate", view)
    assert len({f.details.get("title", f.url) for f in titles}) <= 50 and titles
    broken = run("seo.links.broken_internal", view)
    linked_broken = {pages[(i * 7 + 1) % n].url for i in range(n)} & {
        p.url for p in pages if p.status == 404}
    assert {f.url for f in broken} == linked_broken


def test_link_to_redirect_names_destination_and_link_sources():
    view = site(record(HOME), record(B), moved(A, C), record(C),
                links=((HOME, A, "Alpha"), (B, A, "alpha")))
    [finding] = run("seo.links.to_redirect", view)
    assert finding.url == A
    assert finding.details["redirects_to"] == C
    assert finding.details["inlinks"] == 2
    assert [(s["url"], s["anchor"]) for s in finding.details["sources"]] == [
        (HOME, "Alpha"), (B, "alpha")]


def test_broken_link_needs_an_a_link_from_another_page():
    view = site(record(HOME), record(B), record(A, status=404, in_sitemap=True))
    view.add_link(A, A, "", "canonical")  # the error page names itself
    view.add_link(B, A, "", "canonical")  # seo.canonical.to_error
    view.add_link(HOME, A, "", "img")  # seo.images.broken_internal
    assert not fires("seo.links.broken_internal", view)
    view.add_link(HOME, A, "Alpha", "a")
    [finding] = run("seo.links.broken_internal", view)
    assert finding.details["sources"] == [{"url": HOME, "anchor": "Alpha", "kind": "a"}]


def test_broken_link_keeps_five_sources_with_anchors():
    sources = [f"https://example.com/s{i}" for i in range(8)]
    view = site(record(A, status=404), *(record(s) for s in sources),
                links=tuple((s, A, f"anchor {i}") for i, s in enumerate(sources)))
    [finding] = run("seo.links.broken_internal", view)
    assert finding.details["inlinks"] == 8
    assert [s["anchor"] for s in finding.details["sources"]] == [f"anchor {i}" for i in range(5)]


def test_crawl_trap_names_its_limit_and_examples():
    found = run("seo.crawl.trap", trapped(query_variants=12, url_too_long=2))
    by_reason = {f.details["reason"]: f.details for f in found}
    assert by_reason["query_variants"]["urls_refused"] == 12
    assert by_reason["query_variants"]["limit"] == 50
    assert by_reason["url_too_long"]["limit"] == 2048
    assert by_reason["url_too_long"]["examples"] == [f"{HOME}cal?d=2"]
