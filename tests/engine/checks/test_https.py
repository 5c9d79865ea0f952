"""HTTPS checks: insecure pages, mixed content."""

from __future__ import annotations

import pytest

from tests.engine.checks.helpers import Case, doc, fires, page, params

HTTP_URL = "http://example.com/page"

CASES = [
    Case("seo.https.insecure_page",
         fails=[lambda: page(doc(canonical=HTTP_URL), url=HTTP_URL)],
         passes=[lambda: page(doc()), lambda: page(doc(), url=HTTP_URL, status=404)]),
    Case("seo.https.mixed_content",
         fails=[lambda: page(doc(body='<img src="http://cdn.example.com/a.png" alt="a">')),
                lambda: page(doc(extra_head='<script src="http://example.com/app.js"></script>'))],
         passes=[lambda: page(doc(body='<img src="https://cdn.example.com/a.png" alt="a">'
                                       '<a href="http://other.org/">plain link</a>')),
                 lambda: page(doc(body='<img src="http://cdn.example.com/a.png" alt="a">'),
                              url=HTTP_URL)]),
]


@pytest.mark.parametrize(("code", "factory"), params(CASES, "fails"))
def test_check_flags_failing_page(code, factory):
    assert fires(code, factory())


@pytest.mark.parametrize(("code", "factory"), params(CASES, "passes"))
def test_check_leaves_passing_page_alone(code, factory):
    assert not fires(code, factory())
