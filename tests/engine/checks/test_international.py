"""International checks: hreflang codes, URLs and self-reference."""

from __future__ import annotations

import pytest

from audits.engine.checks.international import hreflang_problem
from audits.engine.site import MAX_HREFLANGS_PER_PAGE
from tests.engine.checks.helpers import URL, Case, doc, fires, page, record, run, site


def alternates(*pairs: tuple[str, str]) -> str:
    return "".join(f'<link rel="alternate" hreflang="{lang}" href="{href}">' for lang, href in pairs)


NOINDEX = '<meta name="robots" content="noindex">'
GOOD = alternates(("en", URL), ("de-DE", "https://example.com/de/page"), ("x-default", URL))
EN, DE, FR = "https://example.com/en/", "https://example.com/de/", "https://example.com/fr/"
CLUSTER = (("en", EN), ("de", DE), ("x-default", EN))


def version(url: str, hreflangs=CLUSTER, lang: str | None = None, **overrides):
    """A language version's record: 200, indexable, with `hreflangs` annotations."""
    if lang is None:
        lang = {EN: "en", DE: "de", FR: "fr"}.get(url, "en")
    return record(url, hreflangs=tuple(hreflangs), lang=lang, **overrides)


def moved(url: str, target: str, **overrides):
    return record(url, redirect_hops=1, final_url=target, canonical=None, indexable=False,
                  indexability_reason=f"redirects to {target}", **overrides)


def with_sitemap(view, annotations):
    view.sitemap_hreflangs = annotations
    return view

CASES = [
    Case("seo.hreflang.invalid_code",
         fails=[lambda: page(doc(extra_head=alternates(("en-UK", URL)))),
                lambda: page(doc(extra_head=alternates(("en_GB", URL)))),
                lambda: page(doc(extra_head=alternates(("english", URL))))],
         passes=[lambda: page(doc(extra_head=GOOD)), lambda: page(doc())]),
    Case("seo.hreflang.invalid_url",
         fails=[lambda: page(doc(extra_head=GOOD + alternates(("fr", "javascript:void(0)"))))],
         passes=[lambda: page(doc(extra_head=GOOD))]),
    Case("seo.hreflang.relative",
         fails=[lambda: page(doc(extra_head=alternates(("en", "/page"), ("de", "/de/page")))),
                lambda: page(doc(extra_head=alternates(("en", "https://example.com/page"),
                                                       ("de", "//example.com/de/page"))))],
         passes=[lambda: page(doc(extra_head=GOOD)), lambda: page(doc())]),
    Case("seo.hreflang.missing_self",
         fails=[lambda: page(doc(extra_head=alternates(("de", "https://example.com/de/page"))))],
         passes=[lambda: page(doc(extra_head=GOOD)),
                 lambda: page(doc(extra_head=alternates(("en", "/page"))))]),
    Case("seo.hreflang.x_default_missing",
         fails=[lambda: page(doc(extra_head=alternates(("en", URL), ("de", DE))))],
         passes=[lambda: page(doc(extra_head=GOOD)),
                 lambda: page(doc(extra_head=alternates(("en", URL)))),  # one language only
                 lambda: page(doc(extra_head=alternates(("en", URL), ("X-Default", URL),
                                                        ("de", DE)))),
                 lambda: page(doc(extra_head=NOINDEX + alternates(("en", URL), ("de", DE)))),
                 lambda: page(doc())]),
    Case("seo.hreflang.conflicting_urls",
         fails=[lambda: page(doc(extra_head=GOOD + alternates(("de-de", DE)))),
                lambda: page(doc(extra_head=GOOD),
                             headers={"Link": f'<{DE}>; rel="alternate"; hreflang="de-DE"'})],
         passes=[lambda: page(doc(extra_head=GOOD)),
                 # the same URL for several values, and the same annotation twice, are fine
                 lambda: page(doc(extra_head=GOOD + alternates(("en", URL), ("en-GB", URL)))),
                 lambda: page(doc(extra_head=GOOD),
                              headers={"Link": '<https://example.com/de/page>; rel="alternate"; '
                                               'hreflang="de-DE"'})]),
    Case("seo.hreflang.no_return_link",
         fails=[lambda: site(version(EN), version(DE, hreflangs=(("de", DE),))),
                lambda: site(version(EN), version(DE, hreflangs=()))],
         passes=[lambda: site(version(EN), version(DE)),
                 lambda: site(version(EN)),  # DE not crawled: cannot judge
                 # an invalid value is ignored anyway (seo.hreflang.invalid_code)
                 lambda: site(version(EN, hreflangs=(("en", EN), ("german", DE))),
                              version(DE, hreflangs=(("de", DE),))),
                 # the return link is in the sitemap instead
                 lambda: with_sitemap(site(version(EN), version(DE, hreflangs=())),
                                      {DE: (("de", DE), ("en", EN))}),
                 # DE is not indexable: other checks say why
                 lambda: site(version(EN), version(DE, hreflangs=(), indexable=False,
                                                   indexability_reason="noindex (meta robots)")),
                 lambda: site(version(EN), version(DE, hreflangs=(), status=404)),
                 # EN itself is not indexable: its annotations do not count
                 lambda: site(version(EN, indexable=False,
                                      indexability_reason="noindex (meta robots)"),
                              version(DE, hreflangs=())),
                 # DE's annotations were cut at the cap: EN may be among the rest
                 lambda: site(version(EN), version(DE, hreflangs=tuple(
                     ("en", f"https://example.com/x{i}") for i in range(MAX_HREFLANGS_PER_PAGE))))]),
    Case("seo.hreflang.to_redirect",
         fails=[lambda: site(version(EN), moved(DE, "https://example.com/de/home"))],
         passes=[lambda: site(version(EN), version(DE)),
                 lambda: site(version(EN), moved(DE, "https://example.com/de/home", status=404)),
                 lambda: site(version(EN, indexable=False, indexability_reason="noindex (x)"),
                              moved(DE, "https://example.com/de/home"))]),
    Case("seo.hreflang.to_error",
         fails=[lambda: site(version(EN), record(DE, status=404, is_html=False, indexable=False)),
                lambda: site(version(EN), record(DE, status=0, error="timeout", indexable=False)),
                lambda: site(version(EN), moved(DE, "https://example.com/x", status=410))],
         passes=[lambda: site(version(EN), version(DE)),
                 lambda: site(version(EN), record(DE, status=0, error="robots_blocked",
                                                  indexable=False)),
                 lambda: site(version(EN), moved(DE, "https://example.com/de/home")),
                 lambda: site(version(EN))]),
    Case("seo.hreflang.to_non_canonical",
         fails=[lambda: site(version(EN), version(DE, canonical=FR, indexable=False,
                                                  indexability_reason=f"canonicalised to {FR}"))],
         passes=[lambda: site(version(EN), version(DE)),
                 lambda: site(version(EN), version(DE, canonical=None))]),
    Case("seo.hreflang.to_noindex",
         fails=[lambda: site(version(EN), version(DE, indexable=False,
                                                  indexability_reason="noindex (meta robots)"))],
         passes=[lambda: site(version(EN), version(DE)),
                 lambda: site(version(EN, indexable=False,
                                      indexability_reason="noindex (meta robots)"),
                              version(DE, indexable=False,
                                      indexability_reason="noindex (meta robots)"))]),
    Case("seo.hreflang.lang_mismatch",
         fails=[lambda: site(version(EN), version(DE, lang="en")),
                lambda: site(version(EN), version(DE, lang="en-US"))],
         passes=[lambda: site(version(EN), version(DE)),
                 lambda: site(version(EN), version(DE, lang="de-AT")),
                 lambda: site(version(EN), version(DE, lang="DE_de")),
                 lambda: site(version(EN), version(DE, lang=None)),
                 lambda: site(version(EN), version(DE, lang="")),
                 lambda: site(version(EN), version(DE, lang="deu")),  # not comparable
                 # Norwegian: "no" hreflang for a page declaring Bokmål
                 lambda: site(version(EN, hreflangs=(("en", EN), ("no", DE))),
                              version(DE, lang="nb", hreflangs=(("en", EN), ("no", DE)))),
                 # x-default names the English page
                 lambda: site(version(DE, hreflangs=(("de", DE), ("x-default", EN))),
                              version(EN))]),
    Case("seo.hreflang.sitemap_conflict",
         fails=[lambda: with_sitemap(site(version(EN)), {EN: (("en", EN), ("de", FR))})],
         passes=[lambda: with_sitemap(site(version(EN)), {EN: CLUSTER}),
                 # a value on one side only is not a conflict
                 lambda: with_sitemap(site(version(EN)), {EN: (("fr", FR),)}),
                 lambda: with_sitemap(site(version(EN, hreflangs=())), {EN: (("de", FR),)}),
                 lambda: with_sitemap(site(version(EN, status=404)), {EN: (("de", FR),)}),
                 lambda: site(version(EN))]),

]



@pytest.mark.parametrize(("value", "problem"), [
    ("en", None), ("EN-gb", None), ("x-default", None), ("zh-Hant", None), ("zh-Hant-TW", None),
    ("es-419", None), ("en-UK", "unknown region"), ("xx", "unknown language"),
    ("en_GB", "not language[-region]"), ("", "not language[-region]"),
])
def test_hreflang_values(value, problem):
    assert hreflang_problem(value) == problem


def test_header_hreflang_is_read():
    context = page(doc(), headers={"Link": '<https://example.com/de/page>; rel="alternate"; '
                                            'hreflang="de-DE"'})
    assert context.facts.hreflangs == (("de-DE", "https://example.com/de/page"),)
    assert fires("seo.hreflang.missing_self", context)


def test_missing_return_links_are_one_finding_per_page():
    view = site(version(EN, hreflangs=(("en", EN), ("de", DE), ("fr", FR))),
                version(DE, hreflangs=(("de", DE),)), version(FR, hreflangs=(("fr", FR),)))
    [finding] = run("seo.hreflang.no_return_link", view)
    assert finding.url == EN
    assert finding.details["count"] == 2
    assert [a["url"] for a in finding.details["annotations"]] == [DE, FR]
    assert [a["hreflang"] for a in finding.details["annotations"]] == ["de", "fr"]
