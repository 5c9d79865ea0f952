"""Link checks on one page: crawlable hrefs, internal nofollow, generic anchor text."""

from __future__ import annotations

import pytest

from tests.engine.checks.helpers import Case, doc, fires, page, params, run

CASES = [
    Case("seo.links.uncrawlable",
         fails=[lambda: page(doc(body='<a href="javascript:void(0)">Open menu</a>')),
                lambda: page(doc(body='<a onclick="go()">Next</a>')),
                lambda: page(doc(body='<a href="http://[::1">Broken</a>'))],
         passes=[lambda: page(doc(body='<a href="/ok">OK</a><a href="mailto:a@b.c">Mail</a>'
                                       '<a href="tel:+123">Call</a><a name="top"></a>'
                                       '<a id="section"></a><a href="sms:+1">Text us</a>')),
                 lambda: page(doc(body='<a href="javascript:void(0)">x</a>'), status=404)]),
    Case("seo.links.nofollow_internal",
         fails=[lambda: page(doc(body='<a href="/pricing" rel="nofollow">Pricing</a>')),
                lambda: page(doc(body='<a href="https://example.com/x" rel="NoFollow ugc">X</a>'))],
         passes=[lambda: page(doc(body='<a href="https://other.org/" rel="nofollow">Ad</a>')),
                 lambda: page(doc(body='<a href="/pricing">Pricing</a>'))]),
    Case("seo.links.generic_anchor",
         fails=[lambda: page(doc(body='<a href="/guide">Click here</a>')),
                lambda: page(doc(body='<a href="/blog/post">Read more »</a>'))],
         passes=[lambda: page(doc(body='<a href="/guide">Installation guide</a>')),
                 lambda: page(doc(body='<a href="javascript:x()">here</a>')),
                 lambda: page(doc(body='<a href="/guide">Learn more about installing the app</a>'))]),
]


@pytest.mark.parametrize(("code", "factory"), params(CASES, "fails"))
def test_check_flags_failing_page(code, factory):
    assert fires(code, factory())


@pytest.mark.parametrize(("code", "factory"), params(CASES, "passes"))
def test_check_leaves_passing_page_alone(code, factory):
    assert not fires(code, factory())


def test_uncrawlable_details_count_reasons_and_bound_examples():
    body = '<a href="javascript:a()">x</a>' * 25 + '<a onclick="b()">y</a>'
    [finding] = run("seo.links.uncrawlable", page(doc(body=body)))
    assert finding.details["count"] == 26
    assert finding.details["reasons"] == {"javascript": 25, "missing": 1}
    assert len(finding.details["examples"]) == 10
