"""Indexability checks: robots directives and canonical declarations."""

from __future__ import annotations

from tests.engine.checks.helpers import URL, Case, doc, fires, page, record, run, site

NOINDEX_META = '<meta name="robots" content="noindex, follow">'
A, B, C, D = (f"https://example.com/{name}" for name in "abcd")
HOME = "https://example.com/"


def canon(url: str, target: str, **overrides):
    """A 200 HTML page record canonicalised to `target`."""
    return record(url, canonical=target, indexable=False,
                  indexability_reason=f"canonicalised to {target}", **overrides)


def noindexed(url: str, **overrides):
    return record(url, indexable=False, indexability_reason="noindex (meta robots)", **overrides)


CASES = [
    Case("seo.indexability.noindex",
         fails=[lambda: page(doc(extra_head=NOINDEX_META)),
                lambda: page(doc(extra_head='<meta name="googlebot" content="none">')),
                lambda: page(doc(), headers={"X-Robots-Tag": "noindex"}),
                lambda: page(doc(), headers={"X-Robots-Tag": "googlebot: noindex, nofollow"}),
                lambda: page(doc(extra_head='<meta name="robots" content="unavailable_after: '
                                            '2015-01-01">'))],
         passes=[lambda: page(doc()),
                 lambda: page(doc(extra_head='<meta name="robots" content="unavailable_after: '
                                             '2099-01-01">')),
                 lambda: page(doc(extra_head='<meta name="bingbot" content="noindex">')),
                 lambda: page(doc(), headers={"X-Robots-Tag": "otherbot: noindex"}),
                 lambda: page(doc(), headers={"X-Robots-Tag": "max-snippet: 20, noarchive"}),
                 lambda: page(doc(extra_head=NOINDEX_META), status=404)]),
    Case("seo.indexability.nofollow",
         fails=[lambda: page(doc(extra_head='<meta name="robots" content="index,nofollow">')),
                lambda: page(doc(extra_head='<meta name="robots" content="none">')),
                lambda: page(doc(), headers={"X-Robots-Tag": "nofollow"})],
         passes=[lambda: page(doc()), lambda: page(doc(extra_head=NOINDEX_META)),
                 lambda: page(doc(body='<a href="/x" rel="nofollow">x</a>'))]),
    Case("seo.canonical.missing",
         fails=[lambda: page(doc(canonical=None))],
         passes=[lambda: page(doc()),
                 lambda: page(doc(canonical=None),
                              headers={"Link": f'<{URL}>; rel="canonical"'}),
                 lambda: page(doc(canonical=None, extra_head=NOINDEX_META)),
                 lambda: page(doc(canonical=None), status=404)]),
    Case("seo.canonical.invalid",
         fails=[lambda: page(doc(canonical="")),
                lambda: page(doc(canonical="http://[::1")),
                lambda: page(doc(canonical="mailto:someone@example.com")),
                lambda: page(doc(), headers={"Link": '<javascript:x()>; rel="canonical"'})],
         passes=[lambda: page(doc()), lambda: page(doc(canonical="/page")),
                 lambda: page(doc(canonical=None))]),
    Case("seo.canonical.relative",
         fails=[lambda: page(doc(canonical="/page")), lambda: page(doc(canonical="page"))],
         passes=[lambda: page(doc()), lambda: page(doc(canonical="HTTPS://example.com/page")),
                 lambda: page(doc(canonical=""))]),
    Case("seo.canonical.multiple",
         fails=[lambda: page(doc(extra_head='<link rel="canonical" href="https://example.com/b">')),
                lambda: page(doc(), headers={"Link": '<https://example.com/c>; rel="canonical"'})],
         passes=[lambda: page(doc()),
                 lambda: page(doc(extra_head=f'<link rel="canonical" href="{URL}">')),
                 lambda: page(doc(), headers={"Link": f'<{URL}>; rel="canonical"'})]),
    Case("seo.canonical.chain",
         fails=[lambda: site(canon(A, B), canon(B, C), record(C)),
                lambda: site(canon(A, B), canon(B, C)),  # C not crawled: still a chain
                lambda: site(canon(A, B), canon(B, C), canon(C, D), record(D)),
                lambda: site(canon(A, B), canon(B, C), canon(C, B))],  # into a loop elsewhere
         passes=[lambda: site(canon(A, B), record(B)),
                 lambda: site(canon(A, B), record(B, canonical=None)),
                 lambda: site(canon(A, B)),
                 lambda: site(canon(A, B), canon(B, A)),  # a loop, not a chain
                 # B redirects: seo.canonical.to_redirect
                 lambda: site(canon(A, B), record(B, redirect_hops=1, final_url=C, canonical=None,
                                                  indexable=False,
                                                  indexability_reason=f"redirects to {C}")),
                 # B names C but also something else, so its canonical is ignored (indexable)
                 lambda: site(canon(A, B), record(B, canonical=C))]),
    Case("seo.canonical.loop",
         fails=[lambda: site(canon(A, B), canon(B, A)),
                lambda: site(canon(A, B), canon(B, C), canon(C, A))],
         passes=[lambda: site(canon(A, B), record(B)),
                 lambda: site(record(A), record(B)),
                 lambda: site(canon(A, B), canon(B, C), record(C)),
                 lambda: site(canon(A, B), noindexed(B, canonical=A))]),
    Case("seo.canonical.to_noindex",
         fails=[lambda: site(canon(A, B), noindexed(B)),
                lambda: site(record(A, canonical=B), noindexed(B, canonical=None))],
         passes=[lambda: site(canon(A, B), record(B)),
                 lambda: site(noindexed(A)),  # noindex page naming itself
                 lambda: site(canon(A, B), record(B, status=404, indexable=False,
                                                  indexability_reason="HTTP 404")),
                 lambda: site(canon(A, B))]),
    Case("seo.canonical.cross_domain",
         fails=[lambda: site(canon(A, "https://other.org/a")),
                lambda: site(canon(A, "https://example.co.uk/a"))],
         passes=[lambda: site(canon(A, "https://www.example.com/a")),
                 lambda: site(canon(A, "http://example.com/a")),
                 lambda: site(canon(A, "https://blog.example.com/a")),
                 lambda: site(record(A)),
                 lambda: site(record(A, canonical=None)),
                 lambda: site(record(A, canonical="https://other.org/a", status=404))]),
    Case("seo.canonical.linked_non_canonical",
         fails=[lambda: site(record(HOME), canon(A, B), record(B), links=((HOME, A, "Alpha"),))],
         passes=[lambda: site(record(HOME), canon(A, B), record(B), links=((HOME, B, "Beta"),)),
                 lambda: site(record(HOME), canon(A, B), record(B)),  # sitemap/canonical only
                 lambda: site(record(HOME), canon(A, A), links=((HOME, A, "Alpha"),)),
                 lambda: site(record(HOME), noindexed(A, canonical=B), record(B),
                              links=((HOME, A, "Alpha"),))]),

]



def test_noindex_names_its_sources():
    context = page(doc(extra_head=NOINDEX_META), headers={"X-Robots-Tag": "googlebot: noindex"})
    [finding] = run("seo.indexability.noindex", context)
    assert finding.details["sources"] == ["meta robots", "X-Robots-Tag (googlebot)"]
    assert context.indexability_reason == "noindex (meta robots)"


def test_canonical_missing_only_on_indexable_pages():
    canonicalised = page(doc(canonical="https://example.com/other"))
    assert not canonicalised.indexable
    assert canonicalised.indexability_reason == "canonicalised to https://example.com/other"
    assert not fires("seo.canonical.missing", canonicalised)


def test_invalid_canonical_details_show_the_written_value():
    [finding] = run("seo.canonical.invalid", page(doc(canonical="http://[::1")))
    assert finding.details["values"] == ["http://[::1"]


def test_canonical_chain_and_loop_details():
    view = site(canon(A, B), canon(B, C), canon(C, B), record(D))
    chains = {f.url: f.details for f in run("seo.canonical.chain", view)}
    assert chains == {A: {"canonical": B, "chain": [A, B, C, B], "final": B}}
    loops = {f.url: f.details["loop"] for f in run("seo.canonical.loop", view)}
    assert loops == {B: [B, C, B], C: [C, B, C]}


def test_links_to_canonicalised_page_name_link_sources_only():
    view = site(record(HOME), record(D), canon(A, B), record(B),
                links=((HOME, A, "Alpha"), (D, A, "alpha again")))
    view.add_link(B, A, "", "hreflang")
    [finding] = run("seo.canonical.linked_non_canonical", view)
    assert finding.details["inlinks"] == 2
    assert [s["url"] for s in finding.details["sources"]] == [HOME, D]
