"""Image checks: alt attribute, width/height."""

from __future__ import annotations

import pytest

from tests.engine.checks.helpers import Case, doc, fires, page, params, run

SIZED = 'width="10" height="10"'

CASES = [
    Case("seo.images.alt_missing",
         fails=[lambda: page(doc(body=f'<img src="/a.png" {SIZED}>')),
                lambda: page(doc(body=f'<a href="/"><img src="/logo.png" {SIZED}></a>'))],
         passes=[lambda: page(doc(body=f'<img src="/a.png" alt="A chart" {SIZED}>')),
                 lambda: page(doc(body=f'<img src="/spacer.gif" alt="" {SIZED}>')),
                 lambda: page(doc(body=f'<img src="/s.gif" alt {SIZED}>')),
                 lambda: page(doc(body=f'<img src="/d.gif" role="presentation" {SIZED}>')),
                 lambda: page(doc(body=f'<img src="/d.gif" aria-hidden="true" {SIZED}>')),
                 lambda: page(doc(body='<img src="/a.png">'), status=404)]),
    Case("seo.images.missing_dimensions",
         fails=[lambda: page(doc(body='<img src="/a.png" alt="A">')),
                lambda: page(doc(body='<img src="/a.png" alt="A" width="100">'))],
         passes=[lambda: page(doc(body=f'<img src="/a.png" alt="A" {SIZED}>')),
                 lambda: page(doc())]),
]


@pytest.mark.parametrize(("code", "factory"), params(CASES, "fails"))
def test_check_flags_failing_page(code, factory):
    assert fires(code, factory())


@pytest.mark.parametrize(("code", "factory"), params(CASES, "passes"))
def test_check_leaves_passing_page_alone(code, factory):
    assert not fires(code, factory())


def test_alt_missing_lists_absolute_image_urls():
    [finding] = run("seo.images.alt_missing",
                    page(doc(body=f'<img src="/a.png" {SIZED}><img src="b.png" alt="" {SIZED}>')))
    assert finding.details == {"count": 1, "total": 2, "examples": ["https://example.com/a.png"]}
