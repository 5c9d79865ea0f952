"""Indexability checks: robots directives and canonical declarations."""

from __future__ import annotations

import pytest

from tests.engine.checks.helpers import URL, Case, doc, fires, page, params, run

NOINDEX_META = '<meta name="robots" content="noindex, follow">'


CASES = [
    Case("seo.indexability.noindex",
         fails=[lambda: page(doc(extra_head=NOINDEX_META)),
                lambda: page(doc(extra_head='<meta name="googlebot" content="none">')),
                lambda: page(doc(), headers={"X-Robots-Tag": "noindex"}),
                lambda: page(doc(), headers={"X-Robots-Tag": "googlebot: noindex, nofollow"})],
         passes=[lambda: page(doc()),
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
]


@pytest.mark.parametrize(("code", "factory"), params(CASES, "fails"))
def test_check_flags_failing_page(code, factory):
    assert fires(code, factory())


@pytest.mark.parametrize(("code", "factory"), params(CASES, "passes"))
def test_check_leaves_passing_page_alone(code, factory):
    assert not fires(code, factory())


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
